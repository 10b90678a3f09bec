import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { readRecord } from './read-record.js';
import { authorizeType } from './record-access.js';
import { assertType, type RecordDeps } from './record-context.js';
import { paramDefOf, referenceValuesOf } from './search/index.js';
import { searchRecords } from './search-records.js';
import { parseSummary, type SummaryMode } from './summary.js';

type Resource = Record<string, unknown>;
type Pairs = Array<[string, string]>;

/** At most this many records come in through _include/_revinclude on one page. */
export const MAX_INCLUDED = 200;
/** A chained parameter may match at most this many records of its target type. */
export const MAX_CHAIN_MATCHES = 1000;

/** The parameters this module answers, taken out before the search itself is parsed. */
export interface DepthParams {
  include: Array<{ type: string; param: string; target?: string }>;
  revinclude: Array<{ type: string; param: string; target?: string }>;
  elements: string[] | undefined;
  /** `_summary=true|text|data|false` (`count` is the search's own and stays in the query). */
  summary: SummaryMode | undefined;
}

export function splitDepthParams(query: Pairs): { rest: Pairs; depth: DepthParams } {
  const depth: DepthParams = {
    include: [],
    revinclude: [],
    elements: undefined,
    summary: undefined,
  };
  const rest: Pairs = [];
  for (const [k, v] of query) {
    if (k === '_include' || k === '_revinclude') {
      const m = /^([A-Za-z]+):([a-z][a-z0-9-]*)(?::([A-Za-z]+))?$/.exec(v);
      if (!m || paramDefOf(m[1]!, m[2]!)?.kind !== 'reference')
        throw new FhirError(400, 'invalid', `${k} must name Type:reference-parameter`);
      depth[k === '_include' ? 'include' : 'revinclude'].push({
        type: m[1]!,
        param: m[2]!,
        ...(m[3] ? { target: m[3] } : {}),
      });
    } else if (k === '_elements') {
      const names = v.split(',').map((s) => s.trim());
      if (names.some((n) => !/^[a-zA-Z][a-zA-Z0-9]*$/.test(n)))
        throw new FhirError(400, 'invalid', '_elements is a comma-separated list of element names');
      depth.elements = names;
    } else if (k === '_summary' && v !== 'count') {
      depth.summary = parseSummary(v);
    } else rest.push([k, v]);
  }
  if (depth.summary !== undefined && depth.summary !== 'false' && depth.elements !== undefined)
    throw new FhirError(400, 'invalid', '_summary and _elements cannot be combined');
  if (depth.include.length + depth.revinclude.length > 10)
    throw new FhirError(400, 'too-costly', 'at most 10 _include and _revinclude parameters');
  return { rest, depth };
}

/** `param[:Type].inner`: a chained search parameter (one level). */
const CHAIN = /^([a-z][a-z0-9-]*)(?::([A-Za-z]+))?\.([a-z_][a-z0-9_-]*(?::[a-z]+)?)$/;

/**
 * Chained search (`subject:Patient.identifier=…`, `patient.family=…`): the inner search runs
 * first, as the caller and audited like any search, and the chain becomes a plain reference
 * parameter over the records it found — so a chain can only reach records the caller could find
 * by searching for them directly. One level of chaining.
 */
export async function expandChains(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  query: Pairs,
): Promise<Pairs> {
  const out: Pairs = [];
  // Authorize the outer search first (ADR 0010): its type is checked and the caller's right to
  // search it decided before any inner search runs or any refusal names what was sent.
  if (query.some(([k]) => CHAIN.test(k))) {
    assertType(resourceType);
    await authorizeType(deps, ctx, 'search', resourceType);
  }
  for (const [k, v] of query) {
    const m = CHAIN.exec(k);
    if (!m) {
      out.push([k, v]);
      continue;
    }
    const [, param, typed, inner] = m as unknown as [string, string, string | undefined, string];
    const def = paramDefOf(resourceType, param);
    if (def?.kind !== 'reference')
      throw new FhirError(
        400,
        'invalid',
        'a chained parameter must start with a reference parameter of the searched type',
      );
    const targets = typed ? [typed] : (def.targets ?? []);
    if (targets.length !== 1)
      throw new FhirError(
        400,
        'invalid',
        'name the target type of the chain, like subject:Patient.identifier',
      );
    const target = targets[0]!;
    if (inner.includes('.')) throw new FhirError(400, 'not-supported', 'one level of chaining');
    const page = await searchRecords(deps, ctx, target, [
      [inner, v],
      ['_count', String(MAX_CHAIN_MATCHES)],
    ]);
    if (page.total > MAX_CHAIN_MATCHES)
      throw new FhirError(
        400,
        'too-costly',
        'the chained parameter matches too many records; narrow it',
      );
    // Nothing matched: a reference no record has, so the outer search finds nothing.
    const refs = page.resources.map((r) => `${target}/${String(r.id)}`);
    out.push([param, refs.length > 0 ? refs.join(',') : `${target}/-none-`]);
  }
  return out;
}

/**
 * `_include` and `_revinclude` for the page's matches: each included record is read or searched
 * as the caller — decided, audited and shaped exactly as if asked for alone — and one the caller
 * may not see is simply not included. Bounded by MAX_INCLUDED.
 */
export async function includedResources(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  matches: Resource[],
  depth: DepthParams,
): Promise<Resource[]> {
  const seen = new Set(matches.map((r) => `${String(r.resourceType)}/${String(r.id)}`));
  const out: Resource[] = [];
  const add = (r: Resource) => {
    const key = `${String(r.resourceType)}/${String(r.id)}`;
    if (seen.has(key)) return;
    if (out.length >= MAX_INCLUDED)
      throw new FhirError(
        400,
        'too-costly',
        `more than ${MAX_INCLUDED} included records; page smaller`,
      );
    seen.add(key);
    out.push(r);
  };
  for (const inc of depth.include) {
    if (inc.type !== resourceType) continue;
    const def = paramDefOf(inc.type, inc.param)!;
    for (const m of matches) {
      for (const ref of referenceValuesOf(m, def)) {
        const [type, id] = ref.split('/') as [string, string];
        if (inc.target && type !== inc.target) continue;
        if (seen.has(ref)) continue;
        try {
          const rec = await readRecord(deps, ctx, type, id);
          add(JSON.parse(rec.json.toString('utf8')) as Resource);
        } catch (e) {
          // Not visible, gone or disposed of: left out, as if it were not referenced.
          if (!(e instanceof FhirError) || e.status >= 500) throw e;
        }
      }
    }
  }
  for (const rev of depth.revinclude) {
    if (rev.target && rev.target !== resourceType) continue;
    const refs = matches.map((m) => `${resourceType}/${String(m.id)}`);
    if (refs.length === 0) continue;
    try {
      const page = await searchRecords(deps, ctx, rev.type, [
        [rev.param, refs.join(',')],
        ['_count', String(MAX_INCLUDED)],
      ]);
      page.resources.forEach(add);
    } catch (e) {
      // A type the caller may not search contributes nothing.
      if (!(e instanceof FhirError) || e.status >= 500 || e.status === 400) throw e;
    }
  }
  return out;
}

/** `_elements`: the named top-level elements plus what every resource keeps, marked SUBSETTED. */
export function withElements(resource: Resource, elements: string[]): Resource {
  const keep = new Set(['resourceType', 'id', 'meta', ...elements]);
  const out: Resource = {};
  for (const [k, v] of Object.entries(resource)) if (keep.has(k)) out[k] = v;
  const meta = (resource.meta ?? {}) as { tag?: unknown[] };
  out.meta = {
    ...meta,
    tag: [
      ...(Array.isArray(meta.tag) ? meta.tag : []),
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' },
    ],
  };
  return out;
}
