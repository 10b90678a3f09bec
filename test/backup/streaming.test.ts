import fs from 'node:fs';
import path from 'node:path';
import {
  InsertQueryNode,
  SelectQueryNode,
  ValuesNode,
  type QueryId,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupHaven, ownerKeysOf, verifyBackup } from '../../src/app/index.js';
import { createBackup, restoreBackup } from '../../src/backup/index.js';
import { BackupRepository, openDatabase } from '../../src/store/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { emptyTarget, seedPatients, tempFile } from './helpers.js';

/**
 * Backup and restore stream (issue 17: memory stays flat as the data grows). What either side
 * holds at once is bounded by a batch size, not by a table: every read of the backup is one
 * keyset page of at most `pageSize` rows, and every insert of the restore at most `batchSize`
 * rows. Observed on the SQL itself (a Kysely plugin on the connection), so a backup that read a
 * whole table, or a restore that gathered a table before inserting it, fails here. The bench
 * (`npm run bench:backup`) shows the same as peak RSS at 10,000 and 100,000 patients.
 */
class RowCounter implements KyselyPlugin {
  /** Table reads built by the query builder (the catalog reads are raw SQL, not counted). */
  readonly #selects = new WeakSet<QueryId>();
  maxRead = 0;
  reads = 0;
  maxInsert = 0;
  inserted = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const n = args.node;
    if (SelectQueryNode.is(n)) this.#selects.add(args.queryId);
    if (InsertQueryNode.is(n) && n.values && ValuesNode.is(n.values)) {
      this.maxInsert = Math.max(this.maxInsert, n.values.values.length);
      this.inserted += n.values.values.length;
    }
    return n;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.#selects.has(args.queryId)) return Promise.resolve(args.result);
    this.maxRead = Math.max(this.maxRead, args.result.rows.length);
    this.reads += args.result.rows.length;
    return Promise.resolve(args.result);
  }
}

describe.each(ENGINES)('backup and restore stream (%s)', (engine) => {
  let t: TestServer;
  let dir: string;
  beforeEach(async () => {
    t = await startTestServer(engine);
    await seedPatients(t, 4);
    dir = path.dirname(tempFile('x'));
  });
  afterEach(async () => {
    await t.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads pages of at most pageSize rows and inserts batches of at most batchSize', async () => {
    const file = path.join(dir, 'paged.hvb');
    const read = new RowCounter();
    const summary = await createBackup({
      repo: new BackupRepository(t.haven.database.db.withPlugin(read), engine),
      engine,
      provider: t.haven.provider,
      ownerKeys: ownerKeysOf(t.config),
      file,
      clock: () => new Date(),
      pageSize: 5,
    });
    // Many more rows than one page went through, never more than a page at once.
    expect(summary.rows).toBeGreaterThan(20 * 5);
    expect(read.reads).toBeGreaterThanOrEqual(summary.rows);
    expect(read.maxRead).toBeLessThanOrEqual(5);

    const target = await emptyTarget(engine, t.config.keyringPath);
    const database = await openDatabase({
      databaseUrl: target.config.databaseUrl,
      schema: target.config.databaseSchema,
      sqlitePath: path.join(target.config.dataDir, 'haven.db'),
      create: true,
    });
    const write = new RowCounter();
    try {
      const restored = await restoreBackup({
        file,
        repo: new BackupRepository(database.db.withPlugin(write), database.engine),
        provider: t.haven.provider,
        ownerKeys: ownerKeysOf(t.config),
        batchSize: 7,
      });
      expect(restored.rows).toBe(summary.rows);
      expect(write.inserted).toBe(summary.rows);
      expect(write.maxInsert).toBeLessThanOrEqual(7);
    } finally {
      await database.close();
      await target.target.cleanup();
    }
  });

  it('backup and verify report progress up to their totals', async () => {
    const file = path.join(dir, 'progress.hvb');
    const backedUp: [number, number][] = [];
    const s = await backupHaven(t.haven, file, { onProgress: (d, n) => backedUp.push([d, n]) });
    expect(backedUp.at(-1)).toEqual([s.rows, s.rows]);
    const verified: [number, number][] = [];
    await verifyBackup(t.haven, file, { onProgress: (d, n) => verified.push([d, n]) });
    const size = fs.statSync(file).size;
    expect(verified.length).toBeGreaterThan(0);
    expect(verified.at(-1)).toEqual([size, size]);
    for (let i = 1; i < verified.length; i++)
      expect(verified[i]![0]).toBeGreaterThanOrEqual(verified[i - 1]![0]);
  });
});
