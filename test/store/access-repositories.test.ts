import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BreakGlassRepository,
  CareRelationRepository,
  openDatabase,
  ResourceRepository,
  type Database,
} from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

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
    relations = new CareRelationRepository(database.db);
    grants = new BreakGlassRepository(database.db);
    resources = new ResourceRepository(database.db);
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  const write = (
    type: string,
    id: string,
    rows: Parameters<typeof CareRelationRepository.replaceForSource>[3],
  ) =>
    database.db
      .transaction()
      .execute((trx) => CareRelationRepository.replaceForSource(trx, type, id, rows));

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

  it('counts a grant only for its holder, its patient and until it expires or ends', async () => {
    await database.db.transaction().execute((trx) =>
      BreakGlassRepository.insertIn(trx, {
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
    expect((await grants.active(t0, 'u1')).map((g) => g.id)).toEqual(['g1']);
    expect(await grants.end('g1', 'admin', t1)).toBe(false); // already expired then
    expect(await grants.end('g1', 'admin', t0)).toBe(true);
    expect(await grants.end('g1', 'admin', t0)).toBe(false);
    expect((await relations.factsForPatient('', 'Patient/c', 'u1', t0)).grantId).toBeUndefined();
  });

  it('filters search candidates by owner before anything is counted', async () => {
    await write('Appointment', 'ap1', [
      { kind: 'appointment', practitioner: 'Practitioner/d3', patient: 'Patient/x' },
    ]);
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
    expect(await find({ patients: [], practitioner: 'Practitioner/d3' })).toEqual(['o1']);
    expect(await find({ patients: ['Patient/y'] })).toEqual(['o2']);
    expect(await find({ patients: [], labOrders: true })).toEqual(['o3']);
    expect(
      await find({ patients: ['Patient/y'], practitioner: 'Practitioner/d3', labOrders: true }),
    ).toEqual(['o1', 'o2', 'o3']);
    expect(await find({ patients: [] })).toEqual([]);
  });
});
