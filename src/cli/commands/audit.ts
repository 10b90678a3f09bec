import fs from 'node:fs';
import path from 'node:path';
import { checkExternalCheckpoint, verifyTrail } from '../../audit/index.js';
import { CliFailure, print, withAuditCore, type CommonFlags } from '../common.js';
import { startProgress } from '../progress.js';

export type VerifyFlags = CommonFlags & { fromCheckpoint?: string };

/** `haven audit verify` (declared in ../tree/audit.ts). */
export async function auditVerify(flags: VerifyFlags): Promise<void> {
  const external = flags.fromCheckpoint ? readExternal(flags.fromCheckpoint) : undefined;
  const report = await withAuditCore(flags, async (haven) => {
    if (external !== undefined) {
      // A wrong file is a wrong file, not evidence of tampering: say which it is.
      const problem = checkExternalCheckpoint(
        external,
        haven.config.auditOrigin,
        haven.auditKey.verifier,
      );
      if (problem) throw new CliFailure(`${flags.fromCheckpoint} ${problem.message}`);
    }
    const progress = await startProgress('verifying', 'entries', flags);
    try {
      return await verifyTrail(haven.auditRepo, [haven.auditKey.verifier], {
        // The newest checkpoint exported out of the database is an anchor too, so deleting
        // checkpoints from the database cannot hide a rewritten trail.
        externalCheckpoints: [
          ...(external !== undefined ? [external] : []),
          ...newestExported(haven.config.dataDir),
        ],
        onProgress: (done, total) => progress.update(done, total),
      });
    } finally {
      progress.stop();
    }
  });
  if (!report.ok) {
    if (flags.json) print(flags, report, '');
    throw new CliFailure(
      `audit trail verification FAILED at entry ${report.problem!.seq}: ${report.problem!.message}`,
      2,
    );
  }
  print(
    flags,
    report,
    `audit trail OK: ${report.entries} entries, ${report.checkpointsChecked} signed checkpoints verified`,
  );
}

function newestExported(dataDir: string): string[] {
  const dir = path.join(dataDir, 'audit-checkpoints');
  if (!fs.existsSync(dir)) return [];
  const newest = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.note'))
    .sort()
    .at(-1);
  return newest ? [fs.readFileSync(path.join(dir, newest), 'utf8')] : [];
}

function readExternal(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliFailure(`cannot read checkpoint file ${file}`);
  }
}
