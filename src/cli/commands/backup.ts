import {
  approveDisposal,
  backupHaven,
  requestDisposal,
  restoreHaven,
  verifyBackup,
} from '../../app/index.js';
import { OVERRIDE_REASONS, parseRetention, type OverrideReason } from '../../backup/index.js';
import { CliFailure, configFrom, print, withHaven, type CommonFlags } from '../common.js';
import { startProgress } from '../progress.js';

/** `haven backup`, `haven backup verify`, `haven restore`, `haven patient dispose` (../tree/backup.ts). */

export type BackupFlags = CommonFlags & { compression?: string };

export async function backupCreate(file: string, flags: BackupFlags): Promise<void> {
  const compression = flags.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'brotli') {
    throw new CliFailure('--compression must be gzip or brotli', 64);
  }
  const bar = await startProgress('backing up', 'rows', flags);
  const s = await withHaven(flags, (haven) =>
    backupHaven(haven, file, { compression, onProgress: (d, t) => bar.update(d, t) }),
  ).finally(() => bar.stop());
  print(
    flags,
    s,
    `backup ${s.backupId}: ${s.rows} rows in ${s.tables} tables, ${s.bytes} bytes → ${s.file}`,
  );
}

export async function backupVerify(file: string, flags: CommonFlags): Promise<void> {
  const bar = await startProgress('verifying', 'bytes', flags);
  const r = await withHaven(flags, (haven) =>
    verifyBackup(haven, file, { onProgress: (d, t) => bar.update(d, t) }),
  ).finally(() => bar.stop());
  const types = Object.entries(r.sampled)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  print(
    flags,
    r,
    `backup ${r.backupId} OK: ${r.rows} rows restored into a scratch database; decrypted ${types || 'no resources'}; audit trail verified (${r.auditEntries} entries, ${r.checkpointsChecked} checkpoints)`,
  );
}

export async function restore(file: string, flags: CommonFlags): Promise<void> {
  const bar = await startProgress('restoring', 'bytes', flags);
  const s = await restoreHaven(configFrom(flags), file, {
    onProgress: (d, t) => bar.update(d, t),
  }).finally(() => bar.stop());
  print(
    flags,
    { ...s, manifest: undefined },
    `restored backup ${s.backupId} (${s.createdAt}, from ${s.sourceEngine}): ${s.rows} rows${s.shreddedKeys > 0 ? `; ${s.shreddedKeys} data keys of disposed patients stay destroyed` : ''}`,
  );
}

export type DisposeFlags = CommonFlags & { as?: string; approve?: string; override?: string };

export async function patientDispose(patientId: string, flags: DisposeFlags): Promise<void> {
  if (!flags.as) throw new CliFailure('--as <admin user id> is required', 64);
  const override = flags.override as OverrideReason | undefined;
  if (override !== undefined && !OVERRIDE_REASONS.includes(override)) {
    throw new CliFailure(`--override must be one of ${OVERRIDE_REASONS.join(', ')}`, 64);
  }
  const retention = parseRetention(process.env.HAVEN_RETENTION);
  const admin = flags.as;
  if (flags.approve) {
    const approvalId = flags.approve;
    const r = await withHaven(flags, (h) =>
      approveDisposal(h, patientId, approvalId, admin, retention),
    );
    print(
      flags,
      r,
      `disposed of ${r.owner}: ${r.resources} resources, ${r.versions} versions, ${r.dataKeys} data keys destroyed (and their backup escrow keys)`,
    );
    return;
  }
  const r = await withHaven(flags, (h) =>
    requestDisposal(h, patientId, admin, { retention, override }),
  );
  print(
    flags,
    r,
    `disposal requested (${r.approvalId}); a second admin runs: haven patient dispose ${patientId} --approve ${r.approvalId} --as <their user id>  (before ${r.expiresAt})`,
  );
}
