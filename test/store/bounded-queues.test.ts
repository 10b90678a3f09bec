import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, openDatabase, type Database } from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

/** A promise the test resolves when it chooses: holds a batch or a connection open. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * Every queue in front of the database has a bound: past it, work is refused at once with a
 * transient 'store-busy' error (the HTTP layer's 503 + Retry-After) instead of waiting in a line
 * that only grows. Nothing accepted is dropped.
 */
describe.each(ENGINES)('bounded queues on %s', (engine) => {
  let target: EngineTarget;
  let database: Database;
  beforeAll(async () => {
    target = await makeTarget(engine);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  it('the group-commit writer refuses jobs past its queue bound and commits every accepted one', async () => {
    const committed: string[] = [];
    const writer = new BatchWriter<string>(
      database.db,
      database.engine,
      async (_trx, drafts) => {
        committed.push(...drafts);
      },
      () => {},
      512,
      3,
    );
    const hold = gate();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = writer.submit({
      run: async () => {
        started();
        await hold.wait;
      },
      onSuccess: () => ['first'],
      onFailure: () => [],
    });
    await running; // the first batch is committing and holds the writer
    const queued = ['a', 'b', 'c'].map((d) =>
      writer.submit({ onSuccess: () => [d], onFailure: () => [] }),
    );
    let overflow = 'pending';
    writer.submit({ onSuccess: () => ['d'], onFailure: () => [] }).then(
      () => (overflow = 'accepted'),
      (e: { code?: string }) => (overflow = e.code ?? 'failed'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    // Refused at once, while the first batch still holds the writer: not queued behind it.
    expect(overflow).toBe('store-busy');
    expect(writer.queued).toBe(3);
    hold.open();
    await first;
    await Promise.all(queued);
    expect(committed.sort()).toEqual(['a', 'b', 'c', 'first']);
    // The bound is on waiting work, not a lifetime count: the writer takes jobs again.
    await writer.submit({ onSuccess: () => ['e'], onFailure: () => [] });
    expect(committed).toContain('e');
    await writer.close();
  });
});

describe('bounded PostgreSQL pool waiters', () => {
  let target: EngineTarget;
  let database: Database;
  beforeAll(async () => {
    target = await makeTarget('postgres');
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: '',
      poolSize: 1,
      poolMaxWaiting: 2,
    });
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  it('refuses a caller past the waiting bound at once and serves the ones in line', async () => {
    const hold = gate();
    let acquired!: () => void;
    const holding = new Promise<void>((resolve) => (acquired = resolve));
    const held = database.db.connection().execute(async () => {
      acquired();
      await hold.wait;
    });
    await holding; // the pool's only connection is taken
    const one = () => sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
    const waiting = [one(), one()];
    let third = 'pending';
    one().then(
      () => (third = 'served'),
      (e: { code?: string }) => (third = e.code ?? 'failed'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    // Refused at once while the connection is still held: not a third waiter in line.
    expect(third).toBe('store-busy');
    hold.open();
    await held;
    for (const r of await Promise.all(waiting)) expect(r.rows[0]!.one).toBe(1);
  });

  it('gives the group-commit writer a connection of its own: it commits while every pooled one is held', async () => {
    const hold = gate();
    let acquired!: () => void;
    const holding = new Promise<void>((resolve) => (acquired = resolve));
    const held = database.db.connection().execute(async () => {
      acquired();
      await hold.wait;
    });
    await holding;
    const committed: string[] = [];
    const writer = new BatchWriter<string>(database.writeDb, database.engine, async (_t, d) => {
      committed.push(...d);
    });
    let outcome = 'pending';
    const job = writer
      .submit({
        run: async (trx) => (await sql<{ one: number }>`SELECT 1 AS one`.execute(trx)).rows[0]!.one,
        onSuccess: () => ['audited'],
        onFailure: () => [],
      })
      .then((v) => (outcome = `committed ${v}`));
    // The audit batch does not wait for the requests' connections to come back.
    await Promise.race([job, held]);
    expect(outcome).toBe('committed 1');
    expect(committed).toEqual(['audited']);
    hold.open();
    await held;
    await writer.close();
  });
});
