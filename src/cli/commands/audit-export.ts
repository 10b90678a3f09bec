import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import {
  commitArchive,
  exportTrail,
  planArchive,
  proveEntry,
  verifyExport,
} from '../../audit/index.js';
import type { AuditCore } from '../../app/index.js';
import { CliFailure, print, withAuditCore, type CommonFlags } from '../common.js';
import { startProgress } from '../progress.js';

/** `haven audit prove` (declared in ../tree/audit.ts). */
export async function auditProve(flags: ProveFlags): Promise<void> {
  const seq = Number(flags.seq);
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new CliFailure('--seq must be a non-negative integer', 64);
  const proof = await withAuditCore(flags, (haven) =>
    proveEntry(haven.auditRepo, seq, [haven.auditKey.verifier]),
  );
  print(flags, proof, JSON.stringify(proof, null, 2));
}

/** `haven audit export`: entries and their signed checkpoints, to a new file. */
export async function auditExport(flags: ExportFlags): Promise<void> {
  if (flags.format !== 'jsonl' && flags.format !== 'fhir')
    throw new CliFailure('--format must be jsonl or fhir', 64);
  const since = flags.since ? Date.parse(flags.since) : 0;
  if (Number.isNaN(since)) throw new CliFailure('--since must be an ISO date', 64);
  // The file is created only once the installation has opened: a command pointed at the
  // wrong place leaves nothing behind.
  let out: FileHandle | undefined;
  const result = await withAuditCore(flags, async (haven) => {
    const unsigned = await signFirst(haven, flags.sign);
    out = await openExclusive(flags.out);
    const file = out;
    const sinceSeq = flags.since
      ? ((await haven.auditRepo.firstSeqAtOrAfter(new Date(since).toISOString())) ??
        (await haven.auditRepo.head()).size)
      : 0;
    const progress = await startProgress('exporting', 'entries', flags);
    try {
      const exported = await exportTrail(haven.auditRepo, {
        sinceSeq,
        origin: haven.config.auditOrigin,
        verifierKey: haven.auditKey.verifierKey,
        format: flags.format as 'jsonl' | 'fhir',
        // A page at a time, each written before the next is read (backpressure).
        write: (chunk) => file.write(chunk),
        now: new Date(),
        onProgress: (done, total) => progress.update(done, total),
      });
      return { ...exported, ...(exported.leftOut > 0 && { leftOutReason: unsigned }) };
    } finally {
      progress.stop();
    }
  }).finally(() => out?.close());
  const text = `exported ${result.entries} entries and ${result.checkpoints} signed checkpoints to ${flags.out}`;
  print(
    flags,
    { ...result, out: flags.out },
    result.leftOut > 0
      ? `${text}\nLEFT OUT: the ${result.leftOut} newest entries, because ${result.leftOutReason ?? 'they were written after the export began'}; they are exported once a signed checkpoint covers them (run the export again${flags.sign ? '' : ' without --no-sign'})`
      : text,
  );
  if (result.leftOut > 0 && !flags.json) {
    process.stderr.write(
      `haven: ${result.leftOut} audit entries were left out of the export (see above)\n`,
    );
  }
}

/** `haven audit archive`: export, verify, then remove entries past the retention. */
export async function auditArchive(flags: ArchiveFlags): Promise<void> {
  const before = new Date(flags.before);
  if (Number.isNaN(before.getTime())) throw new CliFailure('--before must be an ISO date', 64);
  const result = await withAuditCore(flags, async (haven) => {
    const now = new Date();
    const plan = await planArchive(haven.auditRepo, before, now);
    // Written to the file as it is read, then checked from the file: entries are removed only
    // once what was written verifies, and a failed archive leaves no file behind.
    const out = await openExclusive(flags.out);
    try {
      await writeArchive(haven, plan.fromSeq, now, out, flags);
    } catch (e) {
      await fs.promises.unlink(flags.out);
      throw e;
    }
    return commitArchive(haven.auditRepo, plan, {
      origin: haven.config.auditOrigin,
      signer: haven.auditKey.signer,
      now,
    });
  });
  print(
    flags,
    { removed: result.removed, out: flags.out },
    `archived and removed ${result.removed} entries; signed archive mark recorded`,
  );
}

async function writeArchive(
  haven: AuditCore,
  fromSeq: number,
  now: Date,
  out: FileHandle,
  flags: ArchiveFlags,
): Promise<void> {
  const progress = await startProgress('archiving', 'entries', flags);
  try {
    await exportTrail(haven.auditRepo, {
      sinceSeq: fromSeq,
      origin: haven.config.auditOrigin,
      verifierKey: haven.auditKey.verifierKey,
      format: 'jsonl',
      write: (chunk) => out.write(chunk),
      now,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.stop();
    await out.close();
  }
  const check = verifyExport(
    await fs.promises.readFile(flags.out, 'utf8'),
    haven.auditKey.verifierKey,
  );
  if (!check.ok)
    throw new CliFailure(`the archive did not verify (${check.problem}); nothing was removed`, 2);
}

export type ProveFlags = CommonFlags & { seq: string };
export type ArchiveFlags = CommonFlags & { before: string; out: string };

export interface ExportFlags extends CommonFlags {
  since?: string;
  format: string;
  out: string;
  /** False with --no-sign. */
  sign: boolean;
}

/**
 * An export covers entries up to the newest signed checkpoint (what the verifier key can prove).
 * Signing one first brings the newest entries in; without it, or if it fails, the reason why
 * they are left out is returned for the report.
 */
async function signFirst(haven: AuditCore, sign: boolean): Promise<string> {
  if (!sign) return 'no signed checkpoint covers them yet (--no-sign was given)';
  try {
    await haven.signCheckpoint();
    return 'they were written after the export signed its checkpoint';
  } catch {
    return 'no signed checkpoint covers them yet and this export could not sign one (the audit store refused the write)';
  }
}

async function openExclusive(file: string): Promise<FileHandle> {
  try {
    return await fs.promises.open(file, 'wx', 0o600);
  } catch {
    throw new CliFailure(`cannot create ${file} (it must not exist yet)`);
  }
}
