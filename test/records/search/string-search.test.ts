import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeString, type IndexableResource } from '../../../src/records/search/index.js';
import { loadAll, ofType, type SyntheaPatient } from './helpers/synthea.js';
import { ids, TermStore } from './helpers/two-phase.js';

/** Oracle written independently of the module: plain lower-casing and mark stripping. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

let patients: SyntheaPatient[];
let store: TermStore;

const canary = {
  resourceType: 'Patient',
  id: 'canary-1',
  name: [{ text: 'Testy  Canary', family: 'Canary', given: ['Testy', 'Q'], prefix: ['Dr.'] }],
} as IndexableResource;
const longFamily = 'Zz'.repeat(45); // 90 characters, longer than the 64-character prefix index
const longNamed = {
  resourceType: 'Patient',
  id: 'long-1',
  name: [{ family: longFamily }],
} as IndexableResource;
const longTwin = {
  resourceType: 'Patient',
  id: 'long-2',
  name: [{ family: `${longFamily.slice(0, 70)}Yy` }],
} as IndexableResource;

beforeAll(() => {
  const all = loadAll();
  patients = ofType<SyntheaPatient>(all, 'Patient');
  store = new TermStore([...all, canary, longNamed, longTwin]);
});

function officialFamily(p: SyntheaPatient): string {
  return p.name[0]?.family ?? '';
}

describe('string search on real Synthea patients', () => {
  it('finds an accented family name by unaccented, upper-case and accented prefixes', () => {
    const accented = patients.find((p) => /[^ -~]/.test(officialFamily(p)));
    expect(accented).toBeDefined();
    const family = officialFamily(accented!);
    const folded = fold(family);
    const upTo = family.search(/[^ -~]/) + 1; // a prefix that ends with the accented letter
    for (const value of [folded, folded.slice(0, 3).toUpperCase(), family.slice(0, upTo), family]) {
      expect(ids(store.query('Patient', [['family', value]]))).toContain(accented!.id);
      expect(ids(store.query('Patient', [['name', value]]))).toContain(accented!.id);
    }
    const expected = patients.filter((p) =>
      p.name.some((n) => fold(n.family ?? '').startsWith(folded)),
    );
    expect(ids(store.query('Patient', [['family', folded]]))).toEqual(ids(expected));
  });

  it('finds a family name with an apostrophe by a prefix through the apostrophe, straight or curly', () => {
    const withApostrophe = patients.find((p) => officialFamily(p).includes("'"));
    expect(withApostrophe).toBeDefined();
    const family = officialFamily(withApostrophe!);
    const prefix = family.slice(0, family.indexOf("'") + 2).toLowerCase();
    expect(ids(store.query('Patient', [['family', prefix]]))).toContain(withApostrophe!.id);
    expect(ids(store.query('Patient', [['family', prefix.replace("'", '\u2019')]]))).toContain(
      withApostrophe!.id,
    );
  });

  it('returns exactly the patients who share a family name', () => {
    const byFamily = new Map<string, SyntheaPatient[]>();
    for (const p of patients)
      byFamily.set(officialFamily(p), [...(byFamily.get(officialFamily(p)) ?? []), p]);
    const shared = [...byFamily.entries()].find(([, ps]) => ps.length >= 2);
    expect(shared).toBeDefined();
    const [family, sharing] = shared!;
    const expected = patients.filter((p) =>
      p.name.some((n) => fold(n.family ?? '').startsWith(fold(family))),
    );
    const found = store.query('Patient', [['family', family.toLowerCase()]]);
    expect(ids(found)).toEqual(ids(expected));
    for (const p of sharing) expect(ids(found)).toContain(p.id);
    // The shared family plus one patient's given name singles that patient out (AND).
    const one = sharing[0]!;
    const given = one.name[0]!.given![0]!;
    expect(
      ids(
        store.query('Patient', [
          ['family', family],
          ['given', given],
        ]),
      ),
    ).toEqual([one.id]);
  });

  it('matches a multi-word given name per part (starts-with of the whole part), not per word', () => {
    const multi = patients.find((p) => p.name.some((n) => n.given?.some((g) => g.includes(' '))));
    expect(multi).toBeDefined();
    const given = multi!.name.flatMap((n) => n.given ?? []).find((g) => g.includes(' '))!;
    const [firstWord, secondWord] = given.split(' ') as [string, string];
    expect(ids(store.query('Patient', [['given', fold(given)]]))).toContain(multi!.id);
    expect(
      ids(store.query('Patient', [['given', `${firstWord} ${secondWord.slice(0, 1)}`]])),
    ).toContain(multi!.id);
    expect(ids(store.query('Patient', [['given', fold(firstWord).slice(0, 3)]]))).toContain(
      multi!.id,
    );
    // R4: the value must start the part; the second word alone does not.
    const bySecond = store.query('Patient', [['given', fold(secondWord)]]);
    expect(ids(bySecond)).not.toContain(multi!.id);
    for (const p of bySecond as SyntheaPatient[]) {
      expect(p.name.some((n) => n.given?.some((g) => fold(g).startsWith(fold(secondWord))))).toBe(
        true,
      );
    }
  });

  it(':exact compares the whole value, case- and accent-sensitively', () => {
    const accented = patients.find((p) => /[^ -~]/.test(officialFamily(p)))!;
    const family = officialFamily(accented);
    expect(ids(store.query('Patient', [['family:exact', family]]))).toContain(accented.id);
    expect(ids(store.query('Patient', [['family:exact', fold(family)]]))).not.toContain(
      accented.id,
    );
    expect(ids(store.query('Patient', [['family:exact', family.toUpperCase()]]))).not.toContain(
      accented.id,
    );
    expect(ids(store.query('Patient', [['family:exact', family.slice(0, -1)]]))).not.toContain(
      accented.id,
    );
  });

  it('searches practitioners and organizations by name', () => {
    const all = loadAll();
    const practitioner = ofType<SyntheaPatient>(all, 'Practitioner')[0]!;
    const family = practitioner.name[0]!.family!;
    expect(ids(store.query('Practitioner', [['name', family.slice(0, 4)]]))).toContain(
      practitioner.id,
    );
    const org = ofType<{ name: string }>(all, 'Organization')[0]!;
    expect(
      ids(store.query('Organization', [['name', org.name.slice(0, 5).toLowerCase()]])),
    ).toContain(org.id);
  });
});

describe('string search on synthetic fixtures', () => {
  it('name matches text, family, given and prefix parts', () => {
    for (const value of ['testy', 'TESTY C', 'canary', 'q', 'dr']) {
      expect(ids(store.query('Patient', [['name', value]]))).toContain('canary-1');
    }
    expect(ids(store.query('Patient', [['given', 'canary']]))).not.toContain('canary-1');
    expect(ids(store.query('Patient', [['family', 'testy']]))).not.toContain('canary-1');
    expect(ids(store.query('Patient', [['name', 'anary']]))).not.toContain('canary-1');
  });

  it('a comma ORs values; repeating the parameter ANDs them', () => {
    expect(ids(store.query('Patient', [['family', 'canary,zzzz']]))).toEqual([
      'canary-1',
      'long-1',
      'long-2',
    ]);
    expect(
      ids(
        store.query('Patient', [
          ['family', 'canary'],
          ['family', 'zzzz'],
        ]),
      ),
    ).toEqual([]);
  });

  it('values longer than the 64-character prefix index are compared in full by the exact phase', () => {
    const all = ids(store.query('Patient', [['family', longFamily]]));
    expect(all).toEqual(['long-1']);
    const req = ids(store.query('Patient', [['family', `${longFamily.slice(0, 70)}y`]]));
    expect(req).toEqual(['long-2']);
    expect(normalizeString(longFamily).length).toBeGreaterThan(64);
  });
});
