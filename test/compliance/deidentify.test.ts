import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGE_GROUP_EXTENSION,
  deidentifyResource,
  exportDeidentified,
  generalizeZip,
  type RecordCompliance,
} from '../../src/compliance/index.js';
import { identifiersOf, syntheaResources } from './synthea-identifiers.js';

type Json = Record<string, unknown>;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-deid-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const NOW = new Date('2031-05-06T07:00:00Z');
const audit: Parameters<RecordCompliance>[0][] = [];
const record: RecordCompliance = async (e) => {
  audit.push(e);
};

async function* from(resources: Json[]): AsyncGenerator<Json> {
  for (const r of resources) yield structuredClone(r);
}

function readExport(dir: string): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ndjson')))
    out.set(
      f.replace('.ndjson', ''),
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Json),
    );
  return out;
}

/** Escapes for a regex, and refuses a match inside a longer run of letters or digits. */
const wordPattern = (v: string) =>
  new RegExp(`(?<![A-Za-z0-9])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`);

/** Issue 18 part 4: a Safe Harbor extract of all 30 Synthea patients carries none of their identifiers. */
describe('de-identified export (Safe Harbor)', () => {
  const source = syntheaResources();
  const exports: string[] = [];

  it(
    'exports all 30 Synthea bundles with none of the source identifiers left',
    { timeout: 180_000 },
    async () => {
      expect(source.filter((r) => r.resourceType === 'Patient')).toHaveLength(30);
      const dir = path.join(tmp, 'first');
      const result = await exportDeidentified(
        from(source),
        { outDir: dir, now: NOW, includeFreeText: false },
        record,
      );
      exports.push(dir);
      expect(result.counts.Patient).toBe(30);
      expect(result.counts.Observation).toBe(
        source.filter((r) => r.resourceType === 'Observation').length,
      );
      const text = fs
        .readdirSync(dir)
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
        .join('\n');
      const ids = identifiersOf(source);
      expect(ids.filter((i) => i.kind === 'family').length).toBeGreaterThanOrEqual(30);
      expect(ids.length).toBeGreaterThan(source.length + 30 * 8);
      // A plain substring search first (fast), then the word-bounded pattern to rule out a value
      // inside a longer code.
      const found = ids.filter((i) => text.includes(i.value) && wordPattern(i.value).test(text));
      expect(found).toEqual([]);
      // No full date survives anywhere: every date, dateTime and instant keeps its year only.
      expect(text).not.toMatch(/"\d{4}-\d{2}(-\d{2})?/);
      // Audited before and after, with the opt-in and the counts.
      expect(audit.map((a) => a.detail?.stage)).toEqual(['start', 'done']);
      expect(audit[0]).toMatchObject({
        action: 'deidentified-export',
        detail: { freeText: false },
      });
      // The pseudonym key is nowhere in the output.
      expect(fs.readdirSync(dir).sort()).toEqual(
        [...Object.keys(result.counts).map((t) => `${t}.ndjson`), 'manifest.json'].sort(),
      );
    },
  );

  it('keeps 3-digit ZIPs, the state, and the year; drops free text and directory entries', () => {
    const files = readExport(exports[0]!);
    const patients = files.get('Patient')!;
    for (const p of patients) {
      for (const a of (p.address as Json[]) ?? []) {
        expect(Object.keys(a).sort()).toEqual(
          expect.arrayContaining(
            Object.keys(a).filter((k) => ['state', 'country', 'postalCode'].includes(k)),
          ),
        );
        expect(Object.keys(a).every((k) => ['state', 'country', 'postalCode'].includes(k))).toBe(
          true,
        );
        if (a.postalCode !== undefined) expect(a.postalCode).toMatch(/^\d{3}$/);
      }
      expect(p).not.toHaveProperty('name');
      expect(p).not.toHaveProperty('telecom');
      expect(p).not.toHaveProperty('identifier');
      expect(p).not.toHaveProperty('text');
    }
    expect(patients.filter((p) => typeof p.birthDate === 'string').length).toBeGreaterThan(0);
    for (const p of patients) if (p.birthDate !== undefined) expect(p.birthDate).toMatch(/^\d{4}$/);
    expect(files.has('Practitioner')).toBe(false);
    expect(files.has('Organization')).toBe(false);
  });

  it('gives a patient one pseudonym within an export and another in the next', async () => {
    const first = readExport(exports[0]!);
    const patientIds = new Set(first.get('Patient')!.map((p) => p.id as string));
    expect(patientIds.size).toBe(30);
    // Every subject of every exported resource points at an exported patient.
    let references = 0;
    for (const [type, rows] of first) {
      if (type === 'Patient') continue;
      for (const r of rows) {
        const subject = (r.subject ?? r.patient) as { reference?: string } | undefined;
        if (!subject?.reference?.startsWith('Patient/')) continue;
        expect(patientIds.has(subject.reference.slice('Patient/'.length)), type).toBe(true);
        references += 1;
      }
    }
    expect(references).toBeGreaterThan(1000);

    const dir = path.join(tmp, 'second');
    await exportDeidentified(
      from(source),
      { outDir: dir, now: NOW, includeFreeText: false },
      record,
    );
    exports.push(dir);
    const second = new Set(
      readExport(dir)
        .get('Patient')!
        .map((p) => p.id as string),
    );
    expect(second.size).toBe(30);
    expect([...second].filter((id) => patientIds.has(id))).toEqual([]);
  });

  it('includes free text only when a reviewer opts in, and says so in the manifest', async () => {
    const dir = path.join(tmp, 'free-text');
    await exportDeidentified(
      from(source),
      { outDir: dir, now: NOW, includeFreeText: true },
      record,
    );
    const patients = readExport(dir).get('Patient')!;
    expect(patients.every((p) => typeof (p.text as Json | undefined)?.div === 'string')).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))).toMatchObject({
      freeTextIncluded: true,
    });
    expect(audit.at(-2)).toMatchObject({ detail: { stage: 'start', freeText: true } });
  });

  it('refuses a directory that is not empty, writing nothing and recording nothing', async () => {
    const before = audit.length;
    await expect(
      exportDeidentified(
        from(source),
        { outDir: exports[0]!, now: NOW, includeFreeText: false },
        record,
      ),
    ).rejects.toThrow(/new or empty directory/);
    expect(audit.length).toBe(before);
  });

  it('groups ages over 89 as 90+ and keeps the birth year of an 89-year-old', () => {
    const key = Buffer.alloc(32, 1);
    const old = deidentifyResource(
      { resourceType: 'Patient', id: 'p1', birthDate: '1931-01-01' },
      { key, now: NOW, includeFreeText: false },
    )!;
    expect(old.birthDate).toBeUndefined();
    expect(old.extension).toEqual([{ url: AGE_GROUP_EXTENSION, valueString: '90+' }]);
    const young = deidentifyResource(
      { resourceType: 'Patient', id: 'p1', birthDate: '1941-05-06' },
      { key, now: NOW, includeFreeText: false },
    )!;
    // Ninety on the export date: grouped. One day younger keeps the year.
    expect(young.birthDate).toBeUndefined();
    const eightyNine = deidentifyResource(
      { resourceType: 'Patient', id: 'p1', birthDate: '1941-05-07' },
      { key, now: NOW, includeFreeText: false },
    )!;
    expect(eightyNine.birthDate).toBe('1941');
    expect(old.id).toBe(eightyNine.id);
    expect(old.id).not.toBe('p1');
  });

  it('turns the 17 restricted ZIP prefixes into 000 and keeps the others', () => {
    for (const zip of ['03601', '05901', '06390', '10201', '20301', '55601', '69201', '79001'])
      expect(generalizeZip(zip), zip).toBe('000');
    for (const zip of ['82101', '82301', '83001', '83101', '87801', '87901', '88401', '89001'])
      expect(generalizeZip(zip), zip).toBe('000');
    expect(generalizeZip('89301-1234')).toBe('000');
    expect(generalizeZip('02138')).toBe('021');
    expect(generalizeZip('94110-0001')).toBe('941');
    expect(generalizeZip('SW1A 1AA')).toBe('000');
  });
});
