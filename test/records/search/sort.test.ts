import { describe, expect, it } from 'vitest';
import {
  compareForSort,
  parseSearchRequest,
  type IndexableResource,
} from '../../../src/records/search/index.js';
import { loadAll, ofType, type SyntheaPatient } from './helpers/synthea.js';

function sorted<T extends object>(items: T[], type: string, sort: string): T[] {
  const req = parseSearchRequest(type, [['_sort', sort]]);
  return [...items].sort((a, b) => compareForSort(a, b, req.sort));
}

const noBirthDate = { resourceType: 'Patient', id: 'zz-none' } as IndexableResource;
const yearOnly = { resourceType: 'Patient', id: 'year', birthDate: '1990' } as IndexableResource;

describe('_sort', () => {
  const patients = ofType<SyntheaPatient>(loadAll(), 'Patient');

  it('birthdate ascending and descending, missing values last both ways', () => {
    const all = [noBirthDate, ...patients, yearOnly];
    const asc = sorted(all, 'Patient', 'birthdate');
    const desc = sorted(all, 'Patient', '-birthdate');
    expect(asc.at(-1)).toBe(noBirthDate);
    expect(desc.at(-1)).toBe(noBirthDate);
    const ascDates = asc.slice(0, -1).map((p) => (p as SyntheaPatient).birthDate!);
    const synthea = ascDates.filter((d) => d.length === 10);
    expect(synthea).toEqual([...synthea].sort());
    expect(new Set(ascDates).size).toBeGreaterThan(20);
    const descDates = desc
      .slice(0, -1)
      .map((p) => (p as SyntheaPatient).birthDate!)
      .filter((d) => d.length === 10);
    expect(descDates).toEqual([...synthea].reverse());
  });

  it('a year sorts by its start ascending and its end descending', () => {
    const jan = {
      resourceType: 'Patient',
      id: 'jan',
      birthDate: '1990-01-02',
    } as IndexableResource;
    const nov = {
      resourceType: 'Patient',
      id: 'nov',
      birthDate: '1990-11-30',
    } as IndexableResource;
    expect(sorted([nov, yearOnly, jan], 'Patient', 'birthdate').map((p) => p.id)).toEqual([
      'year',
      'jan',
      'nov',
    ]);
    expect(sorted([jan, nov, yearOnly], 'Patient', '-birthdate').map((p) => p.id)).toEqual([
      'year',
      'nov',
      'jan',
    ]);
  });

  it('periods: earliest start ascending, latest end descending; open end sorts first descending', () => {
    const a = {
      resourceType: 'CarePlan',
      id: 'a',
      period: { start: '2019-01-01', end: '2019-02-01' },
    } as IndexableResource;
    const b = {
      resourceType: 'CarePlan',
      id: 'b',
      period: { start: '2018-06-01' },
    } as IndexableResource;
    const c = {
      resourceType: 'CarePlan',
      id: 'c',
      period: { end: '2020-01-01' },
    } as IndexableResource;
    const d = { resourceType: 'CarePlan', id: 'd' } as IndexableResource;
    expect(sorted([a, b, c, d], 'CarePlan', 'date').map((p) => p.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(sorted([a, b, c, d], 'CarePlan', '-date').map((p) => p.id)).toEqual([
      'b',
      'c',
      'a',
      'd',
    ]);
  });

  it('several keys, then id as the final tie-break', () => {
    const mk = (id: string, gender: string, birthDate?: string) =>
      ({
        resourceType: 'Patient',
        id,
        gender,
        ...(birthDate ? { birthDate } : {}),
      }) as IndexableResource;
    const list = [
      mk('4', 'male', '1980'),
      mk('3', 'female'),
      mk('1', 'female', '1970'),
      mk('2', 'male', '1980'),
      mk('0', 'female', '1970'),
    ];
    expect(sorted(list, 'Patient', 'gender,-birthdate').map((p) => p.id)).toEqual([
      '0',
      '1',
      '3',
      '2',
      '4',
    ]);
    expect(sorted(list, 'Patient', '-_id').map((p) => p.id)).toEqual(['4', '3', '2', '1', '0']);
  });

  it('_lastUpdated and family (normalized)', () => {
    const obs = ofType(loadAll(), 'Observation').slice(0, 50);
    const desc = sorted(obs, 'Observation', '-_lastUpdated').map((o) => o.meta!.lastUpdated!);
    expect(desc).toEqual([...desc].sort().reverse());
    const byFamily = sorted(patients, 'Patient', 'family').map(
      (p) => p.name.map((n) => n.family!.toLowerCase()).sort()[0]!,
    );
    const folded = byFamily.map((f) => f.normalize('NFD').replace(/\p{M}/gu, ''));
    expect(folded).toEqual([...folded].sort());
  });
});
