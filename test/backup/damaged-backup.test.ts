import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupHaven, ownerKeysOf, restoreHaven, verifyBackup } from '../../src/app/index.js';
import { createBackup } from '../../src/backup/index.js';
import { LocalKeyringProvider } from '../../src/crypto/index.js';
import { BackupRepository } from '../../src/store/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { emptyTarget, failureCode, openQuiet, seedPatients, tempFile } from './helpers.js';

/**
 * A damaged backup is refused with a clear error and the target keeps no row of it: a flipped
 * byte, a cut-off file, a keyring that is not the one it was made under, a newer schema, and a
 * target that already holds data.
 */
describe.each(ENGINES)('damaged backups (%s)', (engine) => {
  let t: TestServer;
  let file: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    t = await startTestServer(engine);
    await seedPatients(t, 3);
    file = tempFile('good.hvb');
    await backupHaven(t.haven, file);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    await t.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  /** Restores `f` into a new empty target; returns the error code and whether rows stayed. */
  async function restoreCode(f: string, keyringPath = t.config.keyringPath) {
    const target = await emptyTarget(engine, keyringPath);
    cleanups.push(() => target.target.cleanup());
    const code = await failureCode(restoreHaven(target.config, f));
    // Nothing partly restored: the target is as empty as before (if it exists at all).
    const { openDatabase } = await import('../../src/store/index.js');
    const db = await openDatabase({
      databaseUrl: target.config.databaseUrl,
      schema: target.config.databaseSchema,
      sqlitePath: path.join(target.config.dataDir, 'haven.db'),
    });
    try {
      const repo = new BackupRepository(db.db, db.engine);
      return { code, nonEmpty: await repo.firstNonEmpty(await repo.tables()) };
    } finally {
      await db.close();
    }
  }

  it('a good backup restores; a second restore into the same target is refused', async () => {
    const target = await emptyTarget(engine, t.config.keyringPath);
    cleanups.push(() => target.target.cleanup());
    const s = await restoreHaven(target.config, file);
    expect(s.rows).toBeGreaterThan(0);
    expect(await failureCode(restoreHaven(target.config, file))).toBe('target-not-empty');
  });

  it('a flipped byte anywhere after the header is rejected', async () => {
    const bytes = fs.readFileSync(file);
    for (const at of [0.3, 0.6, 0.95].map((f) => Math.floor(bytes.length * f))) {
      const bad = Buffer.from(bytes);
      bad[at] = bad[at]! ^ 0x40;
      const f = path.join(path.dirname(file), `flipped-${at}.hvb`);
      fs.writeFileSync(f, bad);
      const r = await restoreCode(f);
      expect(['backup-damaged', 'backup-wrong-key', 'backup-truncated']).toContain(r.code);
      expect(r.nonEmpty).toBeUndefined();
    }
  });

  it('a truncated file is rejected, wherever it was cut', async () => {
    const bytes = fs.readFileSync(file);
    for (const keep of [bytes.length - 1, bytes.length - 40, Math.floor(bytes.length / 2)]) {
      const f = path.join(path.dirname(file), `cut-${keep}.hvb`);
      fs.writeFileSync(f, bytes.subarray(0, keep));
      const r = await restoreCode(f);
      expect(['backup-truncated', 'backup-damaged']).toContain(r.code);
      expect(r.nonEmpty).toBeUndefined();
    }
  });

  it('a keyring that is not the one the backup was made under is a wrong-key error', async () => {
    const other = path.join(path.dirname(file), 'other', 'keyring.json');
    fs.mkdirSync(path.dirname(other), { recursive: true });
    await (await LocalKeyringProvider.create(other)).close();
    const r = await restoreCode(file, other);
    expect(r.code).toBe('backup-wrong-key');
    expect(r.nonEmpty).toBeUndefined();
  });

  it('a backup from a newer schema is refused before anything is written', async () => {
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('0999-future', '2099-01-01')`.execute(
      t.haven.database.db,
    );
    const newer = path.join(path.dirname(file), 'newer.hvb');
    // As a newer Haven would write it (this Haven refuses to open a database it cannot migrate).
    await createBackup({
      repo: new BackupRepository(t.haven.database.db, engine),
      engine,
      provider: t.haven.provider,
      ownerKeys: ownerKeysOf(t.config),
      file: newer,
      clock: () => new Date(),
    });
    const r = await restoreCode(newer);
    expect(r.code).toBe('backup-newer-schema');
    expect(r.nonEmpty).toBeUndefined();
  });

  it('verify restores into scratch, decrypts each type, checks the trail, and is audited', async () => {
    const report = await verifyBackup(t.haven, file);
    expect(Object.keys(report.sampled).sort()).toEqual(['Observation', 'Patient']);
    expect(report.auditEntries).toBeGreaterThan(0);
    const bad = Buffer.from(fs.readFileSync(file));
    bad[bad.length - 30] = bad[bad.length - 30]! ^ 1;
    const f = path.join(path.dirname(file), 'bad.hvb');
    fs.writeFileSync(f, bad);
    expect(await failureCode(verifyBackup(t.haven, f))).toBe('backup-damaged');
    const entries = await t.haven.database.db
      .selectFrom('audit_entries')
      .select(['action', 'outcome'])
      .where('action', '=', 'backup-verified')
      .orderBy('seq')
      .execute();
    expect(entries).toEqual([
      { action: 'backup-verified', outcome: 'success' },
      { action: 'backup-verified', outcome: 'failure' },
    ]);
  });

  it('a backup taken while a writer loop runs is one consistent snapshot', async () => {
    let stop = false;
    let written = 0;
    const writer = (async () => {
      while (!stop) {
        const r = await t.request('POST', '/fhir/R4/Patient', {
          body: { resourceType: 'Patient', gender: 'other' },
        });
        expect(r.status).toBe(201);
        written++;
      }
    })();
    try {
      while (written < 3) await new Promise((r) => setImmediate(r));
      const during = path.join(path.dirname(file), 'during.hvb');
      await backupHaven(t.haven, during);
      stop = true;
      await writer;
      // Restored: the trail verifies (head, entries and checkpoints from one instant) and
      // every resource head has its version and its owner's data key.
      const target = await emptyTarget(engine, t.config.keyringPath);
      cleanups.push(() => target.target.cleanup());
      await restoreHaven(target.config, during);
      const copy = await openQuiet(target.config);
      try {
        const db = copy.database.db;
        const heads = await db.selectFrom('resource_heads').selectAll().execute();
        for (const h of heads) {
          const v = await db
            .selectFrom('resource_versions')
            .select('id')
            .where('resource_type', '=', h.resource_type)
            .where('id', '=', h.id)
            .where('version', '=', h.version)
            .executeTakeFirst();
          expect(v).toBeDefined();
          const k = await db
            .selectFrom('data_keys')
            .select('owner')
            .where('owner', '=', h.owner)
            .executeTakeFirst();
          expect(k).toBeDefined();
        }
        const live = await t.haven.database.db.selectFrom('resource_heads').select('id').execute();
        expect(live.length).toBeGreaterThan(heads.length - 1);
      } finally {
        await copy.close();
      }
      expect((await verifyBackup(t.haven, during)).auditEntries).toBeGreaterThan(0);
    } finally {
      stop = true;
      await writer.catch(() => undefined);
    }
  }, 60_000);
});
