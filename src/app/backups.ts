import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyTrail } from '../audit/index.js';
import {
  BackupError,
  createBackup,
  restoreBackup,
  type BackupSummary,
  type RestoreSummary,
} from '../backup/index.js';
import type { HavenConfig } from '../config/index.js';
import { KeyDestroyedError } from '../crypto/index.js';
import { createLogger } from '../logging/index.js';
import { BackupRepository, type Database } from '../store/index.js';
import { openKeyProvider } from './key-setup.js';
import type { Haven } from './open-haven.js';
import { openHaven } from './open-haven.js';
import { openInstallation } from './open-installation.js';
import { ownerKeysOf } from './owner-keys.js';

type Progress = (done: number, total: number) => void;

/**
 * `haven backup FILE`: over its own database connection (on SQLite a read transaction on the
 * shared handle would hold the server's reads), so a server in this process keeps serving.
 * Writes `backup-created` (counts and ids of the backup only) once the file is complete.
 */
export async function backupHaven(
  haven: Haven,
  file: string,
  opts: { compression?: 'gzip' | 'brotli'; onProgress?: Progress } = {},
): Promise<BackupSummary> {
  const own = await openInstallation(haven.config, false);
  let summary: BackupSummary;
  try {
    summary = await createBackup({
      repo: new BackupRepository(own.db, own.engine),
      engine: own.engine,
      provider: haven.provider,
      ownerKeys: ownerKeysOf(haven.config),
      file,
      clock: haven.clock,
      ...(opts.compression && { compression: opts.compression }),
      ...(opts.onProgress && { onProgress: opts.onProgress }),
    });
  } finally {
    await own.close();
  }
  await audit(haven, 'backup-created', {
    backup: summary.backupId,
    rows: String(summary.rows),
    bytes: String(summary.bytes),
    auditSize: String(summary.auditSize),
    file: path.basename(file),
  });
  return summary;
}

/**
 * `haven restore FILE` into the installation `target` names (a new data directory or an empty
 * database/schema). Its keyring (or token) must be the one the backup was made under. The
 * database is created if needed; a target holding any row is refused. Afterwards the restored
 * installation's own trail records `backup-restored`.
 */
export async function restoreHaven(
  target: HavenConfig,
  file: string,
  opts: { onProgress?: Progress; clock?: () => Date } = {},
): Promise<RestoreSummary> {
  const clock = opts.clock ?? (() => new Date());
  if (!target.databaseUrl) fs.mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
  const database = await openInstallation(target, true);
  let summary: RestoreSummary;
  try {
    summary = await restoreInto(database, target, file, clock, opts.onProgress);
  } finally {
    await database.close();
  }
  const haven = await openHaven(target, { clock, logger: createLogger('warn', undefined) });
  try {
    await audit(haven, 'backup-restored', {
      backup: summary.backupId,
      rows: String(summary.rows),
      from: summary.sourceEngine,
      shreddedKeys: String(summary.shreddedKeys),
    });
  } finally {
    await haven.close();
  }
  return summary;
}

async function restoreInto(
  database: Database,
  target: HavenConfig,
  file: string,
  clock: () => Date,
  onProgress: Progress | undefined,
): Promise<RestoreSummary> {
  if (!fs.existsSync(target.keyringPath) && target.pkcs11 === undefined) {
    throw new BackupError(
      'backup-wrong-key',
      `no keyring at ${target.keyringPath}: restore needs the keyring (or token) the backup was made under (--keyring)`,
    );
  }
  const { provider } = await openKeyProvider(target, true, false, clock);
  try {
    return await restoreBackup({
      file,
      repo: new BackupRepository(database.db, database.engine),
      provider,
      ownerKeys: ownerKeysOf(target),
      ...(onProgress && { onProgress }),
    });
  } finally {
    await provider.close();
  }
}

export interface VerifyBackupReport {
  ok: true;
  backupId: string;
  createdAt: string;
  rows: number;
  tables: number;
  /** Resources decrypted, per type; `disposed` counts samples whose owner was disposed of. */
  sampled: Record<string, number>;
  disposed: number;
  auditEntries: number;
  checkpointsChecked: number;
}

/**
 * `haven backup verify FILE`: restores into a scratch SQLite database (deleted afterwards),
 * compares every table's count with the manifest, decrypts a sample of every resource type,
 * and verifies the restored audit trail. Records `backup-verified` in the live trail; a
 * failure is recorded too, then thrown.
 */
export async function verifyBackup(
  haven: Haven,
  file: string,
  opts: { onProgress?: Progress; samplesPerType?: number } = {},
): Promise<VerifyBackupReport> {
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-verify-'));
  const scratch: HavenConfig = {
    ...haven.config,
    dataDir: scratchDir,
    databaseUrl: undefined,
    databaseSchema: undefined,
    redisUrl: undefined,
    smtpUrl: undefined,
  };
  try {
    const report = await verifyInScratch(haven, scratch, file, opts);
    await audit(haven, 'backup-verified', {
      backup: report.backupId,
      rows: String(report.rows),
      sampled: String(Object.values(report.sampled).reduce((a, b) => a + b, 0)),
      auditEntries: String(report.auditEntries),
    });
    return report;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    await audit(
      haven,
      'backup-verified',
      { file: path.basename(file), error: typeof code === 'string' ? code : 'verify-failed' },
      'failure',
    );
    throw e;
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}

async function verifyInScratch(
  haven: Haven,
  scratch: HavenConfig,
  file: string,
  opts: { onProgress?: Progress; samplesPerType?: number },
): Promise<VerifyBackupReport> {
  const database = await openInstallation(scratch, true);
  let summary: RestoreSummary;
  try {
    summary = await restoreInto(database, scratch, file, haven.clock, opts.onProgress);
    const repo = new BackupRepository(database.db, database.engine);
    const counts = await repo.counts(await repo.tables());
    for (const [name, t] of Object.entries(summary.manifest.tables)) {
      if (counts[name] !== t.rows) {
        throw new BackupError(
          'backup-damaged',
          `${file}: table ${name} restored ${counts[name]} rows, the manifest says ${t.rows}`,
        );
      }
    }
  } finally {
    await database.close();
  }
  const restored = await openHaven(scratch, {
    clock: haven.clock,
    logger: createLogger('silent', undefined),
  });
  try {
    const repo = new BackupRepository(restored.database.db, restored.database.engine);
    const sampled: Record<string, number> = {};
    let disposed = 0;
    for (const v of await repo.resourceSamples(opts.samplesPerType ?? 3)) {
      try {
        JSON.parse((await restored.records.sealed.open(v)).toString('utf8'));
        sampled[v.resourceType] = (sampled[v.resourceType] ?? 0) + 1;
      } catch (e) {
        // A patient disposed of after this backup: their keys are gone by design.
        if (e instanceof KeyDestroyedError) disposed++;
        else
          throw new BackupError('backup-damaged', `${file}: a ${v.resourceType} does not decrypt`);
      }
    }
    const trail = await verifyTrail(restored.auditRepo, [restored.auditKey.verifier]);
    if (!trail.ok) {
      throw new BackupError(
        'backup-damaged',
        `${file}: the restored audit trail does not verify (${trail.problem?.message ?? ''})`,
      );
    }
    return {
      ok: true,
      backupId: summary.backupId,
      createdAt: summary.createdAt,
      rows: summary.rows,
      tables: summary.tables,
      sampled,
      disposed,
      auditEntries: trail.entries,
      checkpointsChecked: trail.checkpointsChecked,
    };
  } finally {
    await restored.close();
  }
}

async function audit(
  haven: Haven,
  action: 'backup-created' | 'backup-verified' | 'backup-restored',
  detail: Record<string, string>,
  outcome: 'success' | 'failure' = 'success',
): Promise<void> {
  await haven.writer.submit({
    onSuccess: () => [
      { action, outcome, actorType: 'system', actorId: `cli:${os.userInfo().username}`, detail },
    ],
    onFailure: () => [],
  });
}
