import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationCipher } from '../../src/app/relation-cipher.js';
import { BlindIndex } from '../../src/crypto/index.js';
import {
  BreakGlassRepository,
  CareRelationRepository,
  openDatabase,
  RelationNotPermittedError,
  ResourceRepository,
  type CareRelation,
  type Database,
  type RelationProvenance,
} from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

const cipher = relationCipher(new BlindIndex(crypto.randomBytes(32)), crypto.randomBytes(32));
const SCHEDULER: RelationProvenance = {
  authority: 'role-reach',
  by: 'u-desk',
  byKind: 'user',
  at: '2031-01-01T00:00:00.000Z',
};
const BREAK_GLASS: RelationProvenance = {
  authority: undefined,
  by: 'u-doc',
  byKind: 'user',
  at: '2031-01-01T00:30:00.000Z',
};

describe.each(ENGINES)('care relations and break-glass grants on %s', (engine) => {
  let target: EngineTarget;
  let database: Database;
  let relations: CareRelationRepository;
  let grants: BreakGlassRepository;
  let resources: ResourceRepository;
  const t0 = '2031-01-01T00:00:00.000Z';
  const t1 = '2031-01-01T01:00:00.000Z';

  beforeAll(async () => {
    target = await makeTarget(engine);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
    relations = new CareRelationRepository(database.db, cipher);
    grants = new BreakGlassRepository(database.db, cipher);
    resources = new ResourceRepository(database.db);
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  const write = (type: string, id: string, rows: CareRelation[], by = SCHEDULER) =>
    database.db
      .transaction()
      .execute((trx) =>
        CareRelationRepository.replaceForSource(trx, relations.encode(type, id, rows, by)),
      );

  it('replaces the relations of a source, and answers per patient and in bulk', async () => {
    await write('CareTeam', 'ct1', [
      { kind: 'care-team', practitioner: 'Practitioner/d1', patient: 'Patient/a' },
      { kind: 'care-team', practitioner: 'Practitioner/d2', patient: 'Patient/a' },
    ]);
    await write('ServiceRequest', 'sr1', [
      { kind: 'lab-order', practitioner: '', patient: 'Patient/b' },
    ]);
    expect(await relations.factsForPatient('Practitioner/d1', 'Patient/a', 'u1', t0)).toEqual({
      care: true,
      labOrder: false,
      grantId: undefined,
    });
    expect(await relations.factsForPatient('', 'Patient/b', 'u1', t0)).toMatchObject({
      care: false,
      labOrder: true,
    });
    const bulk = await relations.relationsOf('Practitioner/d2', [
      'Patient/a',
      'Patient/b',
      'Patient/c',
    ]);
    expect([...bulk.care]).toEqual(['Patient/a']);
    expect([...bulk.labOrder]).toEqual(['Patient/b']);
    expect(await relations.patientsOf('Practitioner/d1')).toEqual(['Patient/a']);
    expect(await relations.patientsWithLabOrder()).toEqual(['Patient/b']);
    // A new version of the source replaces its rows: d1 leaves the team.
    await write('CareTeam', 'ct1', [
      { kind: 'care-team', practitioner: 'Practitioner/d2', patient: 'Patient/a' },
    ]);
    expect((await relations.factsForPatient('Practitioner/d1', 'Patient/a', 'u1', t0)).care).toBe(
      false,
    );
    expect((await relations.factsForPatient('Practitioner/d2', 'Patient/a', 'u1', t0)).care).toBe(
      true,
    );
    await write('CareTeam', 'ct1', []);
    expect((await relations.factsForPatient('Practitioner/d2', 'Patient/a', 'u1', t0)).care).toBe(
      false,
    );
  });

  it('without an authority keeps and removes relations but adds none, and kept rows keep their creator', async () => {
    const d4 = {
      kind: 'care-team',
      practitioner: 'Practitioner/d4',
      patient: 'Patient/e',
    } as const;
    const d5 = {
      kind: 'care-team',
      practitioner: 'Practitioner/d5',
      patient: 'Patient/e',
    } as const;
    await write('CareTeam', 'ct2', [d4]);
    await expect(write('CareTeam', 'ct2', [d4, d5], BREAK_GLASS)).rejects.toBeInstanceOf(
      RelationNotPermittedError,
    );
    // The same patient under another source is an addition too.
    await expect(write('Appointment', 'ap9', [d4], BREAK_GLASS)).rejects.toBeInstanceOf(
      RelationNotPermittedError,
    );
    expect(await relations.inForce('CareTeam', 'ct2')).toEqual([d4]);
    await write('CareTeam', 'ct2', [d4], BREAK_GLASS); // keeps
    const row = await database.db
      .selectFrom('care_relations')
      .select(['authority', 'created_by', 'created_by_kind', 'created_at'])
      .where('source_key', '=', cipher.key('source', 'CareTeam/ct2'))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      authority: 'role-reach',
      created_by: 'u-desk',
      created_by_kind: 'user',
      created_at: SCHEDULER.at,
    });
    await write('CareTeam', 'ct2', [], BREAK_GLASS); // removes
    expect(await relations.inForce('CareTeam', 'ct2')).toEqual([]);
    expect((await relations.factsForPatient(d4.practitioner, d4.patient, 'u', t0)).care).toBe(
      false,
    );
  });

  it('stores no id in plaintext, and a sealed pair moved to another row does not open', async () => {
    await write('CareTeam', 'ct3', [
      { kind: 'care-team', practitioner: 'Practitioner/d6', patient: 'Patient/f' },
    ]);
    await write('CareTeam', 'ct4', [
      { kind: 'care-team', practitioner: 'Practitioner/d7', patient: 'Patient/g' },
    ]);
    const rows = await database.db.selectFrom('care_relations').selectAll().execute();
    const bytes = Buffer.concat(
      rows.flatMap((r) =>
        Object.values(r).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))),
      ),
    );
    for (const id of ['Practitioner/d6', 'Patient/f', 'CareTeam/ct3', 'ct3', 'd6'])
      expect(bytes.includes(Buffer.from(id))).toBe(false);
    const key = (id: string) => cipher.key('source', `CareTeam/${id}`);
    const g = rows.find((r) => Buffer.from(r.source_key).equals(key('ct4')))!;
    await database.db
      .updateTable('care_relations')
      .set({ sealed: g.sealed })
      .where('source_key', '=', key('ct3'))
      .execute();
    await expect(relations.patientsOf('Practitioner/d6')).rejects.toThrow();
  });

  it('counts a grant only for its holder, its patient and until it expires or ends', async () => {
    await database.db.transaction().execute((trx) =>
      grants.insertIn(trx, {
        id: 'g1',
        userId: 'u1',
        patient: 'Patient/c',
        reasonSealed: Buffer.from('sealed'),
        createdAt: t0,
        expiresAt: t1,
      }),
    );
    expect((await relations.factsForPatient('', 'Patient/c', 'u1', t0)).grantId).toBe('g1');
    expect((await relations.factsForPatient('', 'Patient/c', 'u2', t0)).grantId).toBeUndefined();
    expect((await relations.factsForPatient('', 'Patient/a', 'u1', t0)).grantId).toBeUndefined();
    expect((await relations.factsForPatient('', 'Patient/c', 'u1', t1)).grantId).toBeUndefined();
    expect((await grants.active(t0, 'u1')).map((g) => [g.id, g.patient])).toEqual([
      ['g1', 'Patient/c'],
    ]);
    const stored = await database.db.selectFrom('break_glass_grants').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('Patient/c');
    expect(await grants.end('g1', 'admin', t1)).toBe(false); // already expired then
    expect(await grants.end('g1', 'admin', t0)).toBe(true);
    expect(await grants.end('g1', 'admin', t0)).toBe(false);
    expect((await relations.factsForPatient('', 'Patient/c', 'u1', t0)).grantId).toBeUndefined();
  });

  it('filters search candidates by owner before anything is counted, in chunks past 5000', async () => {
    for (const [id, owner] of [
      ['o1', 'Patient/x'],
      ['o2', 'Patient/y'],
      ['o3', 'Patient/b'],
    ] as const) {
      await database.db.transaction().execute((trx) =>
        ResourceRepository.writeVersion(trx, {
          resourceType: 'Observation',
          id,
          version: 1,
          owner,
          lastUpdated: t0,
          deleted: false,
          body: Buffer.from('sealed'),
          tokens: [],
          expectedVersion: undefined,
        }),
      );
    }
    const find = (scope: Parameters<ResourceRepository['findIds']>[4]) =>
      resources.findIds('Observation', [], 100, {}, scope);
    expect(await find(undefined)).toEqual(['o1', 'o2', 'o3']);
    expect(await find({ patients: ['Patient/y'] })).toEqual(['o2']);
    expect(await find({ patients: ['Patient/y', 'Patient/x'] })).toEqual(['o1', 'o2']);
    expect(await find({ patients: [] })).toEqual([]);
    const many = Array.from({ length: 12_000 }, (_, i) => `Patient/n${i}`);
    expect(await find({ patients: ['Patient/b', ...many, 'Patient/x'] })).toEqual(['o1', 'o3']);
  });
});
