import type { FastifyInstance } from 'fastify';
import { ALLOWED_BINARY_TYPES, FhirError } from '../records/index.js';
import { depthLimitedJsonParser } from './json-body.js';

interface RawUpload {
  rawUpload: Buffer;
  contentType: string;
}

/**
 * FHIR JSON (application/fhir+json and application/json) goes through Fastify's safe JSON
 * parser (prototype-poisoning protection) behind a nesting-depth limit (json-body.ts); form bodies serve POST _search; attachment types are
 * taken raw for Binary. Anything else is refused with 415 before the handler runs.
 */
export function registerFhirBodyParsers(app: FastifyInstance, binaryLimitBytes: number): void {
  const fhirJson = depthLimitedJsonParser(app);
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, (req, body, done) => {
    // Clients send an operation without input as an empty POST with this type: no body. Every
    // interaction that needs a resource still refuses the missing one (400).
    if (body.length === 0) done(null, undefined);
    else fhirJson(req, body, done);
  });
  // PATCH bodies: a JSON Patch document (RFC 6902), parsed as safely as FHIR JSON.
  app.addContentTypeParser(
    'application/json-patch+json',
    { parseAs: 'string' },
    depthLimitedJsonParser(app),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser(
    ALLOWED_BINARY_TYPES,
    { parseAs: 'buffer', bodyLimit: binaryLimitBytes },
    (req, body, done) => {
      const upload: RawUpload = {
        rawUpload: body as Buffer,
        contentType: String(req.headers['content-type']).split(';')[0]!.trim(),
      };
      done(null, upload);
    },
  );
}

/** Turns a raw attachment upload into a Binary resource; other bodies pass through. */
export function rawBinaryResource(
  resourceType: string,
  body: unknown,
  securityContext: unknown,
  id?: string,
): unknown {
  const upload = body as Partial<RawUpload> | undefined;
  if (!upload || !Buffer.isBuffer(upload.rawUpload)) return body;
  if (resourceType !== 'Binary')
    throw new FhirError(415, 'not-supported', 'only Binary accepts raw content');
  return {
    resourceType: 'Binary',
    ...(id ? { id } : {}),
    contentType: upload.contentType,
    ...(typeof securityContext === 'string'
      ? { securityContext: { reference: securityContext } }
      : {}),
    data: upload.rawUpload.toString('base64'),
  };
}
