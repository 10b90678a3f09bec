import { describe, expect, it } from 'vitest';
import type { IndexableResource } from '../../../src/records/search/index.js';
import { ids, TermStore } from './helpers/two-phase.js';

const NOW = new Date('2025-06-01T00:00:00Z');

function patient(id: string, birthDate: string): IndexableResource {
  return { resourceType: 'Patient', id, birthDate } as IndexableResource;
}
function carePlan(id: string, period: { start?: string; end?: string }): IndexableResource {
  return { resourceType: 'CarePlan', id, period } as IndexableResource;
}
function observation(id: string, effectiveDateTime: string): IndexableResource {
  return { resourceType: 'Observation', id, effectiveDateTime } as IndexableResource;
}

/** Every case runs through both phases; TermStore.search fails if the candidate phase misses one. */
function found(store: TermStore, type: string, param: string, value: string, now = NOW): boolean {
  return store.query(type, [[param, value]], now).length === 1;
}

describe('date precision and prefixes (birthDate as a day, a month and a year)', () => {
  const day = new TermStore([patient('d', '1987-04-12')]);
  const year = new TermStore([patient('y', '1987')]);

  it.each([
    // value, day matches, year-only birthDate matches
    ['1987', true, true],
    ['1987-04', true, false],
    ['1987-04-12', true, false],
    ['1987-04-13', false, false],
    ['1988', false, false],
    ['ne1987-04-12', false, true],
    ['ne1987', false, false],
    ['gt1987-04-11', true, true],
    ['gt1987-04-12', false, true],
    ['gt1987', false, false],
    ['ge1987-04-12', true, true],
    ['ge1987', true, true],
    ['ge1987-04-13', false, true],
    ['lt1987-04-13', true, true],
    ['lt1987-04-12', false, true],
    ['lt1987', false, false],
    ['le1987-04-12', true, true],
    ['le1987-04-11', false, true],
    ['le1986', false, false],
    ['sa1987-04-11', true, false],
    ['sa1987-04-12', false, false],
    ['sa1986', true, true],
    ['eb1987-04-13', true, false],
    ['eb1987-04-12', false, false],
    ['eb1988', true, true],
    ['1987-04-12T00:00:00Z', false, false],
  ])('birthdate=%s → day %s, year %s', (value, dayHit, yearHit) => {
    expect(found(day, 'Patient', 'birthdate', value)).toBe(dayHit);
    expect(found(year, 'Patient', 'birthdate', value)).toBe(yearHit);
  });

  it('ap uses ±10% of the distance to now, at least a day', () => {
    const recent = new TermStore([patient('r', '2025-05-28')]);
    // Three days before now the tolerance is its one-day minimum: [05-28, 05-31) reaches the 28th…
    expect(found(recent, 'Patient', 'birthdate', 'ap2025-05-29')).toBe(true);
    // …but [05-29, 06-01) does not.
    expect(found(recent, 'Patient', 'birthdate', 'ap2025-05-30')).toBe(false);
    // 1987-04-12 is ~38 years before now: tolerance ~3.8 years.
    expect(found(day, 'Patient', 'birthdate', 'ap1990-06')).toBe(true);
    expect(found(day, 'Patient', 'birthdate', 'ap1992')).toBe(false);
    expect(found(day, 'Patient', 'birthdate', 'ap1984')).toBe(true);
    // The same search is judged against the injected clock.
    expect(found(day, 'Patient', 'birthdate', 'ap1990-06', new Date('1990-07-01T00:00:00Z'))).toBe(
      false,
    );
  });
});

describe('Periods open at one end', () => {
  const open = new TermStore([carePlan('open-end', { start: '2019-01-01T10:00:00Z' })]);
  const openStart = new TermStore([carePlan('open-start', { end: '2019-06-30' })]);
  const closed = new TermStore([carePlan('closed', { start: '2019-03-01', end: '2019-03-31' })]);

  it.each([
    ['gt2150', true, false, false],
    ['ge2019-03', true, true, true], // an open start ending in July still reaches above March
    ['lt1850', false, true, false],
    ['lt2019-01-02', true, true, false],
    ['le2019-03', true, true, true],
    ['sa2018', true, false, true],
    ['sa2019-02', false, false, true],
    ['eb2019-07-01', false, true, true],
    ['eb2019-04', false, false, true],
    ['2019', false, false, true],
    ['2019-03', false, false, true],
    ['ne2019', true, true, false],
    ['gt2019-06-29', true, true, false],
    ['gt2019-06-30', true, false, false],
  ])('date=%s → open end %s, open start %s, closed %s', (value, a, b, c) => {
    expect(found(open, 'CarePlan', 'date', value)).toBe(a);
    expect(found(openStart, 'CarePlan', 'date', value)).toBe(b);
    expect(found(closed, 'CarePlan', 'date', value)).toBe(c);
  });
});

describe('dateTime with a timezone offset near midnight (compared in UTC)', () => {
  // 23:30 at UTC−05:00 is 04:30 UTC the next day.
  const store = new TermStore([observation('late', '2020-04-09T23:30:00-05:00')]);

  it.each([
    ['2020-04-10', true],
    ['2020-04-09', false],
    ['2020-04-09T23:30:00-05:00', true],
    ['2020-04-10T04:30:00Z', true],
    ['2020-04-10T04:30Z', true],
    ['2020-04-10T04:29Z', false],
    ['2020-04-10T06:30:00+02:00', true],
    ['gt2020-04-09T23:00:00-05:00', true],
    ['lt2020-04-10T04:30:00Z', false],
    ['le2020-04-10T04:30:00Z', true],
    ['sa2020-04-09T22:00:00-05:00', true],
    ['eb2020-04-10T00:00:00-05:00', true],
  ])('date=%s → %s', (value, expected) => {
    expect(found(store, 'Observation', 'date', value)).toBe(expected);
  });

  it('instants with fractions are contained in their second; date-only values are UTC days', () => {
    const s = new TermStore([
      observation('ms', '2020-04-09T14:49:19.202+00:00'),
      observation('day', '2020-04-10'),
    ]);
    expect(ids(s.query('Observation', [['date', '2020-04-09T14:49:19+00:00']]))).toEqual(['ms']);
    expect(ids(s.query('Observation', [['date', '2020-04-09T14:49:19.2Z']]))).toEqual(['ms']);
    expect(ids(s.query('Observation', [['date', '2020-04-09T14:49:19.203Z']]))).toEqual([]);
    expect(ids(s.query('Observation', [['date', '2020-04-10T00:00:00+01:00']]))).toEqual([]);
    expect(ids(s.query('Observation', [['date', 'ge2020-04-10T00:00:00Z']]))).toEqual(['day']);
  });
});

describe('_lastUpdated, multiple values and dates outside the bucketed domain', () => {
  const store = new TermStore([
    {
      resourceType: 'Observation',
      id: 'a',
      meta: { lastUpdated: '2024-03-01T12:00:00.000Z' },
    } as IndexableResource,
    {
      resourceType: 'Observation',
      id: 'b',
      meta: { lastUpdated: '2024-05-01T12:00:00.000Z' },
    } as IndexableResource,
    observation('ancient', '1492-10-12'),
    observation('future', '2450-01-01'),
  ]);

  it('filters on meta.lastUpdated', () => {
    expect(ids(store.query('Observation', [['_lastUpdated', 'gt2024-04']]))).toEqual(['b']);
    expect(ids(store.query('Observation', [['_lastUpdated', '2024-03,2024-05']]))).toEqual([
      'a',
      'b',
    ]);
    expect(
      ids(
        store.query('Observation', [
          ['_lastUpdated', 'ge2024-03'],
          ['_lastUpdated', 'lt2024-04'],
        ]),
      ),
    ).toEqual(['a']);
  });

  it('dates before 1800 and after 2299 still match', () => {
    expect(ids(store.query('Observation', [['date', '1492']]))).toEqual(['ancient']);
    expect(ids(store.query('Observation', [['date', 'lt1800']]))).toEqual(['ancient']);
    expect(ids(store.query('Observation', [['date', 'gt2300']]))).toEqual(['future']);
    expect(ids(store.query('Observation', [['date', 'ap2450-01-01']]))).toEqual(['future']);
    expect(ids(store.query('Observation', [['date', 'ne2000']]))).toEqual(['ancient', 'future']);
  });
});
