import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError } from '../records/index.js';

/**
 * The deepest JSON a request body may nest (objects and arrays). FHIR resources, Bundles
 * included, stay far below it; anything deeper is an attack on the recursive code that walks
 * resources (validation, search extraction, reference rewriting), which would otherwise fail
 * with a RangeError (500).
 */
export const MAX_JSON_DEPTH = 100;

/**
 * True when `text` nests objects/arrays deeper than `max`. One linear pass over the raw text,
 * before anything is parsed, so a hostile body costs no more than reading it once; brackets
 * inside strings (escapes included) are not counted.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Fastify's safe JSON parser (prototype-poisoning protection) behind the depth check; used for
 * application/json on every route and application/fhir+json on the FHIR API.
 */
export function depthLimitedJsonParser(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error') as (
    req: FastifyRequest,
    body: string,
    done: Done,
  ) => void;
  return (req: FastifyRequest, body: string | Buffer, done: Done): void => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new FhirError(400, 'structure', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`),
      );
      return;
    }
    parse(req, text, done);
  };
}

/** Replaces the root application/json parser with the depth-limited one. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, depthLimitedJsonParser(app));
}
