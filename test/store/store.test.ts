import crypto from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditRepository,
  BatchWriter,
  ClientRepository,
  DataKeyRepository,
  openDatabase,
  ResourceRepository,
  VersionConflictError,
  type Database,
} from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

describe.each(ENGINES)('store on %s', (engine) => {
  let target: EngineTarget;
  let database: Database;
  let resources: ResourceRepository;

  beforeAll(async () => {
    target = await makeTarget(engine);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
    resources = new ResourceRepository(database.db);
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  const tok = (s: string) => crypto.createHash('sha256').update(s).digest().subarray(0, 16);
  const write = (id: string, version: number, expected: number | undefined, tokens: string[]) =>
    database.db.transaction().execute((trx) =>
      ResourceRepository.writeVersion(trx, {
        resourceType: 'Patient',
        id,
        version,
        owner: `Patient/${id}`,
        lastUpdated: new Date().toISOString(),
        deleted: false,
        body: Buffer.from(`sealed-${id}-${version}`),
        tokens: tokens.map(tok),
        expectedVersion: expected,
      }),
    );

  it('keeps every version and serves the current one', async () => {
    await write('a', 1, undefined, ['x', 'y']);
    await write('a', 2, 1, ['y', 'z']);
    expect((await resources.readCurrent('Patient', 'a'))?.version).toBe(2);
    expect((await resources.readVersion('Patient', 'a', 1))?.body.toString()).toBe('sealed-a-1');
    expect((await resources.history('Patient', 'a')).map((v) => v.version)).toEqual([2, 1]);
  });

  it('refuses a stale update and a duplicate create', async () => {
    await expect(write('a', 2, 1, [])).rejects.toBeInstanceOf(VersionConflictError);
    await expect(write('a', 1, undefined, [])).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('finds ids by AND of OR token sets, using only the current version tokens', async () => {
    await write('b', 1, undefined, ['y', 'w']);
    expect(await resources.findIds('Patient', [[tok('x')]], 10)).toEqual([]);
    expect(await resources.findIds('Patient', [[tok('y')]], 10)).toEqual(['a', 'b']);
    expect(await resources.findIds('Patient', [[tok('y')], [tok('z'), tok('q')]], 10)).toEqual([
      'a',
    ]);
    expect(await resources.findIds('Patient', [], 10)).toEqual(['a', 'b']);
  });

  it('rejects UPDATE and DELETE of stored versions and audit entries at the database level', async () => {
    await expect(
      sql`UPDATE resource_versions SET owner = 'x'`.execute(database.db),
    ).rejects.toThrow();
    await expect(sql`DELETE FROM resource_versions`.execute(database.db)).rejects.toThrow();
    // Row triggers fire only on existing rows, so the trail needs an entry first.
    await database.db
      .insertInto('audit_entries')
      .values({
        seq: 0,
        at: 'now',
        actor_type: 'system',
        actor_id: null,
        action: 'test',
        resource_type: null,
        resource_id: null,
        resource_version: null,
        patient_id: null,
        outcome: 'success',
        ip: null,
        user_agent: null,
        request_id: null,
        reason: null,
        detail: null,
        leaf_hash: Buffer.alloc(32),
      })
      .execute();
    await expect(
      sql`UPDATE audit_entries SET outcome = 'x'`.execute(database.db),
    ).rejects.toThrow();
    await expect(sql`DELETE FROM audit_entries`.execute(database.db)).rejects.toThrow();
    if (engine === 'postgres') {
      await expect(sql`TRUNCATE audit_entries`.execute(database.db)).rejects.toThrow();
    }
    expect((await resources.history('Patient', 'a')).length).toBe(2);
  });

  it('stores data keys once per (owner, version) and reserves budget atomically', async () => {
    const keys = new DataKeyRepository(database.db, () => new Date('2031-02-03T04:05:06.000Z'));
    const rec = { owner: 'Patient/a', version: 1, kekId: 'local-1', wrapped: Buffer.from('w') };
    expect(await keys.insert(rec)).toBe(true);
    expect(await keys.insert(rec)).toBe(false);
    const totals = await Promise.all([
      keys.reserve('Patient/a', 1, 10),
      keys.reserve('Patient/a', 1, 10),
    ]);
    expect(totals.sort()).toEqual([10, 20]);
    expect((await keys.findCurrent('Patient/a'))?.reserved).toBe(20);
    // The creation time is the injected clock's, not the machine's.
    const row = await database.db
      .selectFrom('data_keys')
      .select('created_at')
      .where('owner', '=', 'Patient/a')
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBe('2031-02-03T04:05:06.000Z');
  });

  it('revokes API clients immediately, stamping both times from the injected clock', async () => {
    let now = new Date('2031-02-03T04:05:06.000Z');
    const clients = new ClientRepository(database.db, () => now);
    const hash = tok('token');
    await clients.insert({ id: 'c1', name: 'lab', tokenHash: hash, scopes: 'system/*.rs' });
    expect((await clients.findActiveByTokenHash(hash))?.id).toBe('c1');
    now = new Date('2031-02-04T00:00:00.000Z');
    expect(await clients.revoke('c1')).toBe(true);
    expect(await clients.findActiveByTokenHash(hash)).toBeUndefined();
    expect(await clients.revoke('c1')).toBe(false);
    const [row] = await clients.list();
    expect(row).toMatchObject({
      createdAt: '2031-02-03T04:05:06.000Z',
      revokedAt: '2031-02-04T00:00:00.000Z',
    });
  });

  it('group-commits jobs: a failing job rolls back alone and its failure draft is still finalized', async () => {
    const finalized: string[][] = [];
    const writer = new BatchWriter<string>(database.db, database.engine, async (_trx, drafts) => {
      finalized.push(drafts);
    });
    const ok = writer.submit({
      run: (trx) =>
        ResourceRepository.writeVersion(trx, {
          resourceType: 'Patient',
          id: 'g1',
          version: 1,
          owner: 'Patient/g1',
          lastUpdated: 'x',
          deleted: false,
          body: Buffer.from('b'),
          tokens: [],
          expectedVersion: undefined,
        }),
      onSuccess: () => ['ok-1'],
      onFailure: () => ['fail-1'],
    });
    const bad = writer.submit({
      run: (trx) =>
        ResourceRepository.writeVersion(trx, {
          resourceType: 'Patient',
          id: 'a',
          version: 9,
          owner: 'Patient/a',
          lastUpdated: 'x',
          deleted: false,
          body: Buffer.from('b'),
          tokens: [],
          expectedVersion: 5,
        }),
      onSuccess: () => ['ok-2'],
      onFailure: () => ['fail-2'],
    });
    const auditOnly = writer.submit({ onSuccess: () => ['read-3'], onFailure: () => [] });
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toBeInstanceOf(VersionConflictError);
    await auditOnly;
    expect(finalized).toEqual([['ok-1', 'fail-2', 'read-3']]);
    expect((await resources.readCurrent('Patient', 'g1'))?.version).toBe(1);
    expect((await resources.readCurrent('Patient', 'a'))?.version).toBe(2);
  });

  it('fails every job of a batch closed when the finalizer cannot write', async () => {
    const writer = new BatchWriter<string>(database.db, database.engine, async () => {
      throw new Error('audit store down');
    });
    const job = writer.submit({
      run: (trx) =>
        ResourceRepository.writeVersion(trx, {
          resourceType: 'Patient',
          id: 'never',
          version: 1,
          owner: 'Patient/never',
          lastUpdated: 'x',
          deleted: false,
          body: Buffer.from('b'),
          tokens: [],
          expectedVersion: undefined,
        }),
      onSuccess: () => ['ok'],
      onFailure: () => ['fail'],
    });
    await expect(job).rejects.toMatchObject({ code: 'store-unavailable' });
    expect(await resources.readCurrent('Patient', 'never')).toBeUndefined();
  });

  it('starts with an empty audit head', async () => {
    const audit = new AuditRepository(database.db, database.engine);
    expect((await audit.head()).size).toBe(0);
  });
});
