import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../../src/records/search/calendar.js';
import {
  coverTerms,
  DOMAIN_FIRST_DAY,
  DOMAIN_LAST_DAY,
  pointTerms,
} from '../../../src/records/search/date-terms.js';
import {
  candidateTermSets,
  indexTerms,
  MAX_TERMS_PER_SET,
  parseSearchRequest,
  type IndexableResource,
} from '../../../src/records/search/index.js';
import { mulberry32 } from './helpers/random.js';

function intersects(a: string[], b: string[]): boolean {
  const set = new Set(a);
  return b.some((t) => set.has(t));
}

describe('day-interval covers', () => {
  it('a point in [first, last] always meets the cover; inside the domain, only then', () => {
    const rand = mulberry32(1987);
    const span = DOMAIN_LAST_DAY - DOMAIN_FIRST_DAY;
    const day = () => DOMAIN_FIRST_DAY - 400 + Math.floor(rand() * (span + 800));
    for (let i = 0; i < 3000; i++) {
      let first = day();
      let last = rand() < 0.5 ? first + Math.floor(rand() * 800) : day();
      if (first > last) [first, last] = [last, first];
      if (rand() < 0.1) first = -Infinity;
      if (rand() < 0.1) last = Infinity;
      const cover: string[] = [];
      coverTerms('s', first, last, cover, '');
      for (const p of [day(), first, last, first - 1, last + 1, -Infinity, Infinity]) {
        if (!Number.isFinite(p) && p !== -Infinity && p !== Infinity) continue;
        const point: string[] = [];
        pointTerms('s', p, point, '');
        const inside = p >= first && p <= last;
        const inDomain = p >= DOMAIN_FIRST_DAY && p <= DOMAIN_LAST_DAY;
        // Beyond the domain all points share the `lo`/`hi` marker: a superset, not exact.
        if (inside || inDomain)
          expect(intersects(point, cover), `p=${p} in [${first}, ${last}]`).toBe(inside);
      }
    }
  });

  it('covers use whole buckets: a year is one term, a century is one term', () => {
    const out: string[] = [];
    coverTerms('e', daysFromCivil(1987, 1, 1), daysFromCivil(1988, 1, 1) - 1, out, '');
    expect(out).toEqual(['e:y1987']);
    out.length = 0;
    coverTerms('e', daysFromCivil(1900, 1, 1), daysFromCivil(2000, 1, 1) - 1, out, '');
    expect(out).toEqual(['e:c19']);
  });

  it('a point has at most five terms; a resource date value at most ten', () => {
    const out: string[] = [];
    pointTerms('s', daysFromCivil(2020, 2, 29), out, '');
    expect(out).toEqual(['s:c20', 's:x202', 's:y2020', 's:m2020-02', 's:d2020-02-29']);
    const obs = {
      resourceType: 'Observation',
      effectivePeriod: { start: '2019-01-01', end: '2021-07-04' },
    } as IndexableResource;
    const dateTerms = indexTerms(obs).filter(
      (t) => t.startsWith('Observation|date|') && !t.endsWith('|*'),
    );
    expect(dateTerms).toHaveLength(10);
  });
});

describe('term-count bound for date queries', () => {
  const prefixes = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];
  const worstValues = [
    '1800-01-02',
    '1800-01-31',
    '1899-12-30',
    '2050-06-15',
    '2200-12-30',
    '2299-12-30',
    '1800',
    '2299',
  ];

  it('every single-valued date query over 1800–2299 asks for fewer than 200 terms in all', () => {
    let worst = 0;
    const nows = [
      new Date('1800-01-01T00:00:00Z'),
      new Date('2025-06-01T00:00:00Z'),
      new Date('2299-12-31T00:00:00Z'),
    ];
    for (const prefix of prefixes) {
      for (const v of worstValues) {
        for (const now of nows) {
          const sets = candidateTermSets(
            parseSearchRequest('Observation', [['date', `${prefix}${v}`]]),
            now,
          );
          const total = sets.reduce((n, s) => n + s.length, 0);
          worst = Math.max(worst, total);
          expect(total, `${prefix}${v}`).toBeLessThan(200);
        }
      }
    }
    // A sweep over every day of a few years finds the same bound.
    const rand = mulberry32(42);
    for (let i = 0; i < 2000; i++) {
      const d = new Date(Date.UTC(1800, 0, 1) + Math.floor(rand() * 500 * 365.25) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const prefix = prefixes[Math.floor(rand() * prefixes.length)]!;
      const sets = candidateTermSets(
        parseSearchRequest('Observation', [['date', `${prefix}${d}`]]),
        nows[1],
      );
      const total = sets.reduce((n, s) => n + s.length, 0);
      worst = Math.max(worst, total);
    }
    expect(worst).toBeLessThanOrEqual(128);
    expect(worst).toBeGreaterThan(60); // the bound is actually approached, not vacuous
  });

  it('many comma-separated values fall back to "has a value" instead of growing without bound', () => {
    const values = Array.from(
      { length: 12 },
      (_, i) => `lt${1810 + i * 37}-0${1 + (i % 9)}-2${i % 8}`,
    ).join(',');
    const sets = candidateTermSets(parseSearchRequest('Observation', [['date', values]]));
    for (const s of sets) expect(s.length).toBeLessThanOrEqual(MAX_TERMS_PER_SET);
    expect(sets).toEqual([['Observation|date|*']]);
  });
});
