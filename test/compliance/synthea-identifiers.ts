import { readBundle, syntheaFiles } from '../support/synthea.js';

type Json = Record<string, unknown>;

/** Every resource of the 30 Synthea bundles, with bundle-internal urn:uuid references as Type/id. */
export function syntheaResources(files = syntheaFiles()): Json[] {
  return files.flatMap((file) => {
    const bundle = readBundle(file);
    const local = new Map(
      bundle.entry.map((e) => [e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`]),
    );
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (typeof node !== 'object' || node === null) return node;
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [
          k,
          k === 'reference' && typeof v === 'string' ? (local.get(v) ?? v) : rewrite(v),
        ]),
      );
    };
    return bundle.entry.map((e) => rewrite(e.resource) as Json);
  });
}

/**
 * What identifies the source patients (45 CFR 164.514(b)(2)(i)): names (also the mother's maiden
 * name), address lines, cities, full ZIP codes, telephone numbers and emails, every identifier
 * value (MRN, SSN, licence, passport), full birth dates, and the id of every resource.
 */
export function identifiersOf(resources: Json[]): { kind: string; value: string }[] {
  const out: { kind: string; value: string }[] = [];
  const add = (kind: string, value: unknown) => {
    if (typeof value === 'string' && value.length >= 3) out.push({ kind, value });
  };
  for (const r of resources) {
    add('id', r.id);
    if (r.resourceType !== 'Patient') continue;
    for (const n of (r.name as Json[] | undefined) ?? []) {
      add('family', n.family);
      for (const g of (n.given as string[] | undefined) ?? []) add('given', g);
    }
    for (const a of (r.address as Json[] | undefined) ?? []) {
      for (const l of (a.line as string[] | undefined) ?? []) add('line', l);
      add('city', a.city);
      add('zip', a.postalCode);
    }
    for (const t of (r.telecom as Json[] | undefined) ?? []) add(`telecom`, t.value);
    for (const i of (r.identifier as Json[] | undefined) ?? []) add('identifier', i.value);
    add('birthDate', r.birthDate);
    for (const e of (r.extension as Json[] | undefined) ?? [])
      if (String(e.url).endsWith('mothersMaidenName'))
        for (const part of String(e.valueString).split(' ')) add('maiden-name', part);
  }
  return out;
}
