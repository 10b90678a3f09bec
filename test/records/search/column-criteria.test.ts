import { describe, expect, it } from 'vitest';
import {
  candidateColumns,
  candidateTermSets,
  indexTerms,
  parseSearchRequest,
} from '../../../src/records/search/index.js';

describe('column parameters (_id, _lastUpdated)', () => {
  const patient = {
    resourceType: 'Patient',
    id: 'p-1',
    meta: { lastUpdated: '2026-03-04T05:06:07.000Z' },
    name: [{ family: 'Columnson' }],
  };

  it('are not indexed as terms', () => {
    expect(
      indexTerms(patient).some(
        (t) => t.startsWith('Patient|_id|') || t.startsWith('Patient|_lastUpdated|'),
      ),
    ).toBe(false);
  });

  it('narrow by id (OR within a parameter, AND across repeats) and never add term sets', () => {
    const req = parseSearchRequest('Patient', [
      ['_id', 'a,b'],
      ['_id', 'b,c'],
      ['family', 'col'],
    ]);
    expect(candidateColumns(req).ids).toEqual(['b']);
    expect(
      candidateTermSets(req)
        .flat()
        .some((t) => t.includes('|_id|')),
    ).toBe(false);
  });

  it('bound lastUpdated by a superset range for each prefix', () => {
    const at = (v: string) =>
      candidateColumns(parseSearchRequest('Patient', [['_lastUpdated', v]]));
    const eq = at('2026-03-04');
    expect(eq.lastUpdatedFrom! <= '2026-03-04T00:00:00.000Z').toBe(true);
    expect(eq.lastUpdatedTo! >= '2026-03-05T00:00:00.000Z').toBe(true);
    expect(at('gt2026-03-04').lastUpdatedTo).toBeUndefined();
    expect(at('lt2026-03-04').lastUpdatedFrom).toBeUndefined();
    expect(at('ne2026-03-04')).toEqual({});
    expect(at('lt2020-01-01').lastUpdatedTo! < patient.meta.lastUpdated).toBe(true);
  });
});
