import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyStatus } from '../../src/app/index.js';
import { keysRotate } from '../../src/cli/commands/keys.js';
import { Vault } from '../../src/crypto/index.js';
import { DataKeyRepository, KeyWrapRepository } from '../../src/store/index.js';
import { runHaven } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * Issue 17 part 1: `haven keys rotate` while a server on the same installation keeps serving.
 * The rotation runs through the command's own function (its own Haven, its own provider over the
 * same keyring file and database), exactly as the CLI beside a running server would.
 */
const PATIENTS = 12;

function flagsOf(t: TestServer, batchSize: number, settleMs = 0) {
  return {
    settleMs: String(settleMs),
    data: t.target.dataDir,
    databaseUrl: t.target.databaseUrl,
    databaseSchema: t.target.schema,
    batchSize: String(batchSize),
    json: true,
  };
}

async function quiet<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
}

describe.each(ENGINES)('keys rotate (%s)', (engine) => {
  let t: TestServer;
  const ids: string[] = [];

  beforeEach(async () => {
    t = await startTestServer(engine);
    ids.length = 0;
    for (let i = 0; i < PATIENTS; i++) {
      const res = await t.request('POST', '/fhir/R4/Patient', {
        body: { resourceType: 'Patient', gender: i % 2 === 0 ? 'female' : 'male' },
      });
      expect(res.status).toBe(201);
      ids.push(String(res.json().id));
    }
  });
  afterEach(async () => t.stop());

  /** Wraps per KEK, straight from the database. */
  const uses = () =>
    new KeyWrapRepository(t.haven.database.db, t.haven.database.writeDb, engine).countByKek();

  /**
   * Reads until stopped: every patient over HTTP, and every owner's data key through a vault on
   * the server's provider with a one-entry cache, so each read unwraps from the table as it is
   * at that moment. Returns how many reads were made; any error is collected.
   */
  function readerLoop(errors: unknown[]): { stop: () => Promise<number> } {
    let running = true;
    let reads = 0;
    const vault = new Vault({
      provider: t.haven.provider,
      dataKeys: new DataKeyRepository(t.haven.database.db),
      cacheSize: 1,
    });
    const owners = async () =>
      (await t.haven.database.db.selectFrom('data_keys').select('owner').execute()).map(
        (r) => r.owner,
      );
    const loop = (async () => {
      while (running) {
        for (const id of ids) {
          const res = await t.request('GET', `/fhir/R4/Patient/${id}`);
          if (res.status !== 200) errors.push(new Error(`GET answered ${res.status}`));
          reads++;
        }
        for (const owner of await owners()) {
          vault.forget();
          await vault.ensureOwnerKey(owner).catch((e: unknown) => errors.push(e));
          reads++;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return reads;
      },
    };
  }

  it('re-wraps every key in several batches while reads keep working, then retires the old KEK', async () => {
    const before = await uses();
    const total = before.reduce((n, u) => n + u.dataKeys + u.systemKeys, 0);
    expect(before.map((u) => u.kekId)).toEqual(['local-1']);

    const errors: unknown[] = [];
    const reader = readerLoop(errors);
    const batches: number[] = [];
    await quiet(() =>
      keysRotate(flagsOf(t, 3, 50), { afterBatch: (done) => void batches.push(done) }),
    );
    const reads = await reader.stop();

    expect(errors).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(total / 3));
    const after = await uses();
    expect(after).toEqual([
      expect.objectContaining({
        kekId: 'local-2',
        dataKeys: before[0]!.dataKeys,
        systemKeys: before[0]!.systemKeys,
      }),
    ]);
    // The server, which never restarted, still reads every patient (its keys now under local-2).
    for (const id of ids)
      expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);

    // `haven keys status --json`, as an operator runs it beside the server.
    const cli = await runHaven(
      [
        'keys',
        'status',
        '--json',
        '--data',
        t.target.dataDir,
        ...(t.target.databaseUrl ? ['--database-url', t.target.databaseUrl] : []),
      ],
      t.target.schema ? { HAVEN_DB_SCHEMA: t.target.schema } : {},
    );
    expect(cli.code, cli.stderr).toBe(0);
    const status = JSON.parse(cli.stdout) as Awaited<ReturnType<typeof keyStatus>>;
    expect(status.current).toBe('local-2');
    expect(status.keks).toEqual([
      {
        kekId: 'local-2',
        state: 'current',
        provider: 'local-keyring',
        dataKeys: before[0]!.dataKeys,
        systemKeys: before[0]!.systemKeys,
      },
      { kekId: 'local-1', state: 'retired', provider: 'local-keyring', dataKeys: 0, systemKeys: 0 },
    ]);
    // The rotation and the retirement are audited, with ids only.
    const actions = await t.haven.database.db
      .selectFrom('audit_entries')
      .select(['action', 'detail'])
      .where('action', 'in', ['key-rotate', 'key-retire'])
      .execute();
    expect(actions.map((a) => [a.action, JSON.parse(a.detail!)])).toEqual([
      ['key-rotate', { from: 'local-1', to: 'local-2' }],
      ['key-retire', { kek: 'local-1' }],
    ]);
  });

  it('an interrupted rotation keeps the old KEK, and a re-run finishes it', async () => {
    const interrupted = quiet(() =>
      keysRotate(flagsOf(t, 2), {
        afterBatch: () => {
          throw new Error('interrupted after the first batch');
        },
      }),
    );
    await expect(interrupted).rejects.toThrow('interrupted after the first batch');
    const mid = await uses();
    expect(mid.map((u) => u.kekId)).toEqual(['local-1', 'local-2']);
    expect(mid.find((u) => u.kekId === 'local-2')).toMatchObject({ systemKeys: 2 });
    // Both KEKs still held: every patient still reads.
    for (const id of ids)
      expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);
    const midStatus = await keyStatus(t.haven);
    expect(midStatus.keks.find((k) => k.kekId === 'local-1')?.state).toBe('active');

    await quiet(() => keysRotate(flagsOf(t, 2)));
    const after = await uses();
    // Finished under local-2 (no third version for an unfinished rotation); local-1 retired.
    expect(after.map((u) => u.kekId)).toEqual(['local-2']);
    expect((await keyStatus(t.haven)).keks.map((k) => [k.kekId, k.state])).toEqual([
      ['local-2', 'current'],
      ['local-1', 'retired'],
    ]);
  });
});
