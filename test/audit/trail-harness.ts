import { sql } from 'kysely';
import { openHaven, type Haven } from '../../src/app/index.js';
import { verifyTrail, type AuditDraft } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { makeTarget, type EngineTarget } from '../support/engines.js';

const open: { haven: Haven; target: EngineTarget }[] = [];

/**
 * For afterEach: closes every installation trailWith opened and removes its data (kept with
 * keepData, for a test that reopens the installation in another process; it removes it itself).
 */
export async function closeTrails(opts: { keepData?: boolean } = {}): Promise<void> {
  for (const o of open.splice(0)) {
    await o.haven.close();
    if (!opts.keepData) await o.target.cleanup();
  }
}

/** Has closeTrails close an installation a test opened itself. */
export function keepOpen(haven: Haven, target: EngineTarget): void {
  open.push({ haven, target });
}

/** A fresh installation with `n` audit entries written in batches of 7, checkpoint every 10. */
export async function trailWith(engine: 'sqlite' | 'postgres', n: number) {
  const target = await makeTarget(engine);
  const config = resolveConfig(
    { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
    { HAVEN_CHECKPOINT_ENTRIES: '10' },
  );
  const haven = await openHaven(config, { logger: createLogger('silent') });
  open.push({ haven, target });
  for (let i = 0; i < n; i += 7) {
    const batch = Array.from({ length: Math.min(7, n - i) }, (_, k) => draft(i + k));
    await Promise.all(
      batch.map((d) => haven.writer.submit({ onSuccess: () => [d], onFailure: () => [] })),
    );
  }
  const verify = (external?: string) =>
    verifyTrail(
      haven.auditRepo,
      [haven.auditKey.verifier],
      external ? { externalCheckpoints: [external] } : {},
    );
  return { haven, target, verify, config };
}

export function draft(i: number): AuditDraft {
  return {
    action: 'read',
    outcome: 'success',
    actorType: 'client',
    actorId: 'c1',
    resourceType: 'Patient',
    resourceId: `p${i}`,
    patientId: `p${i}`,
    requestId: `r${i}`,
  };
}

/** Runs statements with the append-only triggers out of the way, as an attacker with DB rights. */
export async function asAttacker(haven: Haven, ...statements: string[]): Promise<void> {
  const db = haven.database.db;
  if (haven.database.engine === 'sqlite') {
    await sql.raw('DROP TRIGGER IF EXISTS audit_entries_no_update').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS audit_entries_no_delete').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS audit_checkpoints_no_update').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS audit_checkpoints_no_delete').execute(db);
  } else {
    await sql.raw('ALTER TABLE audit_entries DISABLE TRIGGER USER').execute(db);
    await sql.raw('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER').execute(db);
  }
  for (const s of statements) await sql.raw(s).execute(db);
}
