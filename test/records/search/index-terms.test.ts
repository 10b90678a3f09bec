import { describe, expect, it } from 'vitest';
import {
  indexTerms,
  searchableResourceTypes,
  searchParameters,
  type IndexableResource,
} from '../../../src/records/search/index.js';
import { loadAll } from './helpers/synthea.js';

describe('indexTerms', () => {
  const all = loadAll();

  it('every term is namespaced by type and a defined parameter, and terms are unique', () => {
    const seenTypes = new Set<string>();
    for (const r of all) {
      const terms = indexTerms(r);
      expect(new Set(terms).size).toBe(terms.length);
      seenTypes.add(r.resourceType);
      for (const t of terms) {
        const [type, param] = t.split('|') as [string, string];
        expect(type).toBe(r.resourceType);
        expect(searchParameters()[type]![param], t).toBeDefined();
      }
    }
    for (const t of seenTypes) expect(searchableResourceTypes).toContain(t);
  });

  it('indexes every Synthea resource type with its references resolved', () => {
    const obs = all.find((r) => r.resourceType === 'Observation')!;
    const terms = indexTerms(obs);
    expect(terms.some((t) => t.startsWith('Observation|patient|r:Patient/'))).toBe(true);
    expect(terms.some((t) => t.startsWith('Observation|encounter|r:Encounter/'))).toBe(true);
    expect(terms.some((t) => t.startsWith('Observation|code|sc:http://loinc.org|'))).toBe(true);
    expect(terms.some((t) => t.startsWith('Observation|date|s:d'))).toBe(true);
    // _id and _lastUpdated are served from plaintext columns, not blind-index terms.
    expect(terms.some((t) => t.includes('|_id|') || t.includes('|_lastUpdated|'))).toBe(false);
  });

  it('unknown types have no terms, and neither has Binary (its _id and _lastUpdated are columns)', () => {
    expect(indexTerms({ resourceType: 'Spaceship', id: 'x' })).toEqual([]);
    const binary = indexTerms({
      resourceType: 'Binary',
      id: 'b',
      meta: { lastUpdated: '2024-01-01T00:00:00Z' },
    } as IndexableResource);
    expect(binary).toEqual([]);
  });

  it('ignores malformed values instead of throwing', () => {
    const odd = {
      resourceType: 'Observation',
      id: 'odd',
      effectivePeriod: { start: 'yesterday' },
      code: { coding: [null, 3, { system: 42 }] },
      subject: 'Patient/1',
      category: 'vital',
    } as unknown as IndexableResource;
    expect(() => indexTerms(odd)).not.toThrow();
    expect(indexTerms(odd).filter((t) => !t.startsWith('Observation|_id|'))).toEqual([]);
  });

  // Cost as work, not time (elapsed time on a busy machine says nothing): the terms each create
  // writes, which is what every create pays for in index rows.
  it('keeps the index work per create small across thousands of records', () => {
    let terms = 0;
    for (const r of all) terms += indexTerms(r).length;
    expect(all.length).toBeGreaterThan(3000);
    expect(terms / all.length).toBeLessThan(80);
  });
});
