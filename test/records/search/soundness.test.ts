import { beforeAll, describe, expect, it } from 'vitest';
import {
  dateValues,
  numberValues,
  quantityValues,
  referenceValues,
  stringValues,
  tokenValues,
  uriValues,
} from '../../../src/records/search/extract.js';
import {
  candidateTermSets,
  indexTerms,
  matchesSearch,
  parseSearchRequest,
  searchParameters,
  type IndexableResource,
  type SearchParamDef,
} from '../../../src/records/search/index.js';
import { mulberry32, pick } from './helpers/random.js';
import { loadBundle, syntheaFiles } from './helpers/synthea.js';

/**
 * Property: for random queries built from real values (random prefixes, forms, precisions,
 * offsets and prefixes), every resource the exact matcher accepts carries a term of every
 * candidate set — the database phase never loses a true match.
 */

const NOW = new Date('2025-06-01T00:00:00Z');
type Rand = () => number;

let resources: IndexableResource[];
let terms: Map<IndexableResource, Set<string>>;

beforeAll(() => {
  const files = syntheaFiles();
  resources = [0, 7, 9, 10, 20, 28].flatMap((i) => loadBundle(files[i % files.length]!));
  terms = new Map(resources.map((r) => [r, new Set(indexTerms(r))]));
});

function escape(v: string): string {
  return v.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

function casing(rand: Rand, s: string): string {
  const r = rand();
  if (r < 0.3) return s.toUpperCase();
  if (r < 0.6) return s.toLowerCase();
  if (r < 0.8) return s.normalize('NFD').replace(/\p{M}/gu, '');
  return s;
}

const OFFSETS = [0, -300, 840, -720, 330, 60];
const PRECISIONS = [4, 7, 10, 16, 19, 23];
const PREFIXES = ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

function dateText(rand: Rand, ms: number): string {
  const offset = pick(rand, OFFSETS);
  const shift = pick(rand, [0, 0, 0, 1, -1, 30, -30, 400, -400]) * 86_400_000;
  const local = new Date(ms + shift + offset * 60_000).toISOString();
  const len = pick(rand, PRECISIONS);
  if (len <= 10) return local.slice(0, len);
  const zone =
    offset === 0
      ? 'Z'
      : `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  return `${local.slice(0, len)}${zone}`;
}

/** A search value for `def` derived from resource `r`, or undefined when r has none. */
function valueFor(
  rand: Rand,
  r: IndexableResource,
  def: SearchParamDef,
): [string, string] | undefined {
  switch (def.kind) {
    case 'string': {
      const parts = stringValues(r, def).filter((p) => p.trim() !== '');
      if (parts.length === 0) return undefined;
      const part = pick(rand, parts);
      if (rand() < 0.2)
        return [`${def.name}:exact`, escape(rand() < 0.7 ? part : part.toLowerCase())];
      const len = 1 + Math.floor(rand() * part.length);
      return [def.name, escape(casing(rand, part.slice(0, len)))];
    }
    case 'token': {
      const tokens = tokenValues(r, def);
      if (tokens.length === 0) return undefined;
      const t = pick(rand, tokens);
      const name = rand() < 0.1 ? `${def.name}:not` : def.name;
      const code = escape(t.code ?? 'x');
      const system = escape(t.system ?? '');
      return [
        name,
        pick(
          rand,
          [code, `${system}|${code}`, `${system}|`, `|${code}`].filter((v) => v !== '|'),
        ),
      ];
    }
    case 'reference': {
      const refs = referenceValues(r, def);
      if (refs.length === 0) return undefined;
      const ref = pick(rand, refs);
      const [type, id] = ref.split('/') as [string, string];
      return pick(rand, [
        [def.name, ref],
        [def.name, id],
        [`${def.name}:${type}`, id],
      ] as Array<[string, string]>);
    }
    case 'date': {
      const ranges = dateValues(r, def);
      if (ranges.length === 0) return undefined;
      const range = pick(rand, ranges);
      const ends = [range.lo, range.hi - 1].filter(Number.isFinite);
      if (ends.length === 0) return undefined;
      return [def.name, `${pick(rand, PREFIXES)}${dateText(rand, pick(rand, ends))}`];
    }
    case 'number': {
      const values = numberValues(r, def);
      if (values.length === 0) return undefined;
      return [def.name, `${pick(rand, PREFIXES)}${pick(rand, values)}`];
    }
    case 'quantity': {
      const values = quantityValues(r, def);
      if (values.length === 0) return undefined;
      const q = pick(rand, values);
      const unit = pick(rand, [
        '',
        `||${escape(q.code ?? q.unit ?? 'x')}`,
        `|${escape(q.system ?? 'urn:x')}|${escape(q.code ?? 'x')}`,
      ]);
      const scale = pick(rand, [1, 1, 1.05, 0.95, 10]);
      return [def.name, `${pick(rand, PREFIXES)}${q.value * scale}${unit}`];
    }
    case 'uri': {
      const values = uriValues(r, def);
      if (values.length === 0) return undefined;
      return [def.name, escape(pick(rand, values))];
    }
  }
}

function randomQuery(rand: Rand): { type: string; query: Array<[string, string]> } {
  const r = pick(rand, resources);
  const defs = Object.values(searchParameters()[r.resourceType] ?? {});
  const query: Array<[string, string]> = [];
  const wanted = 1 + Math.floor(rand() * 3);
  for (let tries = 0; query.length < wanted && tries < 20; tries++) {
    const def = pick(rand, defs);
    if (rand() < 0.05) {
      query.push([`${def.name}:missing`, rand() < 0.5 ? 'true' : 'false']);
      continue;
    }
    const v = valueFor(rand, r, def);
    if (v === undefined) continue;
    // Sometimes OR in a value taken from another resource of the same type.
    const other =
      rand() < 0.3
        ? valueFor(
            rand,
            pick(
              rand,
              resources.filter((x) => x.resourceType === r.resourceType),
            ),
            def,
          )
        : undefined;
    query.push(other !== undefined && other[0] === v[0] ? [v[0], `${v[1]},${other[1]}`] : v);
  }
  return { type: r.resourceType, query };
}

describe('two-phase soundness on Synthea resources', () => {
  it('the candidate phase is a superset of the exact matches for random queries', () => {
    const rand = mulberry32(20250601);
    let queries = 0;
    let matches = 0;
    let candidates = 0;
    for (let i = 0; i < 700; i++) {
      const { type, query } = randomQuery(rand);
      if (query.length === 0) continue;
      const req = parseSearchRequest(type, query);
      queries++;
      for (const now of [NOW, undefined]) {
        const sets = candidateTermSets(req, now);
        for (const r of resources) {
          if (r.resourceType !== type) continue;
          const rTerms = terms.get(r)!;
          const isCandidate = sets.every((set) => set.some((t) => rTerms.has(t)));
          if (now !== undefined && isCandidate) candidates++;
          if (!matchesSearch(r, req, NOW)) continue;
          if (now !== undefined) matches++;
          expect(isCandidate, `${type}/${r.id} lost by ${JSON.stringify(query)}`).toBe(true);
        }
      }
    }
    expect(queries).toBeGreaterThan(600);
    expect(matches).toBeGreaterThan(2000); // the property is exercised, not vacuous
    expect(candidates).toBeGreaterThanOrEqual(matches);
  });
});
