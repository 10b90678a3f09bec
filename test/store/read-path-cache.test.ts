import crypto from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EpochCache,
  EpochWatch,
  openDatabase,
  SessionRepository,
  UserRepository,
  type Database,
} from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

/**
 * ADR 0037 on each engine, with two handles on one database (two connections on SQLite, two
 * pools on PostgreSQL) standing for two processes: `a` caches, `b` writes.
 */
describe.each(ENGINES)('read-path caches on %s', (engine) => {
  let target: EngineTarget;
  let a: Database;
  let b: Database;
  const at = '2031-01-01T00:00:00.000Z';

  beforeAll(async () => {
    target = await makeTarget(engine);
    const open = () =>
      openDatabase({
        databaseUrl: target.databaseUrl,
        schema: target.schema,
        sqlitePath: path.join(target.dataDir, 'haven.db'),
      });
    a = await open();
    b = await open();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await target.cleanup();
  });

  const newUser = async (roles: string[]) => {
    const id = crypto.randomUUID();
    const emailIndex = crypto.randomBytes(16);
    await new UserRepository(b.db).insert({
      id,
      emailIndex,
      emailSealed: Buffer.from('sealed'),
      roles,
      at,
    });
    return id;
  };
  const epoch = async (db: Database) =>
    Number(
      (await sql<{ epoch: number }>`SELECT epoch FROM cache_epoch WHERE id = 1`.execute(db.db))
        .rows[0]!.epoch,
    );

  it('lookups asked together share one counter read; one asked after it started waits for the next', async () => {
    const watch = new EpochWatch(a.db);
    const first = await Promise.all(Array.from({ length: 10 }, () => watch.current()));
    expect(watch.reads).toBe(1);
    expect(new Set(first).size).toBe(1);
    const p1 = watch.current();
    await new Promise((r) => setImmediate(r)); // the read has started
    const p2 = watch.current();
    await Promise.all([p1, p2]);
    expect(watch.reads).toBe(3);
  });

  it('a role changed by another process is seen by the next lookup; the counter is what is trusted', async () => {
    const id = await newUser(['physician']);
    const users = new UserRepository(a.db, new EpochCache(new EpochWatch(a.db)));
    expect((await users.findById(id))?.roles).toEqual(['physician']);
    await new UserRepository(b.db).setRoles(id, ['patient'], at);
    expect((await users.findById(id))?.roles).toEqual(['patient']);

    // Proof that the copy is served from memory: a change whose counter raise is undone by hand
    // is not seen (this is why only the triggers may write the counter).
    const before = await epoch(b);
    await new UserRepository(b.db).setRoles(id, ['admin'], at);
    expect(await epoch(b)).toBeGreaterThan(before);
    await sql`UPDATE cache_epoch SET epoch = ${before} WHERE id = 1`.execute(b.db);
    expect((await users.findById(id))?.roles).toEqual(['patient']);
    await sql`UPDATE cache_epoch SET epoch = ${before + 10} WHERE id = 1`.execute(b.db);
    expect((await users.findById(id))?.roles).toEqual(['admin']);
  });

  it('a session ended or changed elsewhere is gone or changed at the next lookup; a touch moves no counter', async () => {
    const userId = await newUser(['nurse']);
    const now = new Date('2031-01-01T00:00:00.000Z');
    const clock = () => now;
    const sessions = new SessionRepository(a.db, {
      rows: new EpochCache(new EpochWatch(a.db)),
      clock,
      freshMs: 30_000,
    });
    const writer = new SessionRepository(b.db);
    const idHash = crypto.randomBytes(32);
    await writer.insert({
      idHash,
      userId,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      mfaAt: null,
      reauthAt: null,
      csrfHash: crypto.randomBytes(32),
      ip: null,
      userAgent: null,
    });
    expect((await sessions.findByIdHash(idHash))?.mfaAt).toBeNull();
    await writer.update(idHash, { mfaAt: now.toISOString() });
    expect((await sessions.findByIdHash(idHash))?.mfaAt).toBe(now.toISOString());

    const e = await epoch(b);
    expect(await writer.touch(idHash, new Date(now.getTime() + 1000).toISOString())).toBe(true);
    expect(await epoch(b)).toBe(e);

    expect(await writer.delete(idHash)).toBe(true);
    expect(await sessions.findByIdHash(idHash)).toBeUndefined();
  });

  it('a copy whose last-seen time is older than the touch interval is read again', async () => {
    const userId = await newUser(['nurse']);
    let now = new Date('2031-02-01T00:00:00.000Z');
    const watch = new EpochWatch(a.db);
    const sessions = new SessionRepository(a.db, {
      rows: new EpochCache(watch),
      clock: () => now,
      freshMs: 30_000,
    });
    const writer = new SessionRepository(b.db);
    const idHash = crypto.randomBytes(32);
    await writer.insert({
      idHash,
      userId,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      mfaAt: null,
      reauthAt: null,
      csrfHash: crypto.randomBytes(32),
      ip: null,
      userAgent: null,
    });
    await sessions.findByIdHash(idHash);
    // Another worker touches it (no counter raised); 40 s later this copy is too old to trust.
    const touched = new Date(now.getTime() + 35_000).toISOString();
    await writer.touch(idHash, touched);
    now = new Date(now.getTime() + 40_000);
    expect((await sessions.findByIdHash(idHash))?.lastSeenAt).toBe(touched);
  });

  it('fails closed when the counter cannot be read', async () => {
    const id = await newUser(['nurse']);
    const users = new UserRepository(a.db, new EpochCache(new EpochWatch(a.db)));
    await users.findById(id);
    const e = await epoch(b);
    await sql`DELETE FROM cache_epoch`.execute(b.db);
    try {
      await expect(users.findById(id)).rejects.toThrow();
    } finally {
      await sql`INSERT INTO cache_epoch (id, epoch) VALUES (1, ${e + 1})`.execute(b.db);
    }
    expect((await users.findById(id))?.id).toBe(id);
  });
});
