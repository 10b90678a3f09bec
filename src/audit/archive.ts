import type { AuditRepository } from '../store/index.js';
import { formatCheckpoint, signNote, type NoteSigner } from './checkpoint/index.js';
import { MerkleFrontier } from './merkle/index.js';

/** HIPAA §164.316(b)(2)(i): documentation is retained six years; Haven keeps the trail at least that. */
export const RETENTION_YEARS = 6;

export class RetentionError extends Error {
  readonly code = 'retention';
}

export interface ArchivePlan {
  /** Entries with seq below this are old enough to archive. */
  upToSeq: number;
  fromSeq: number;
}

export function retentionCutoff(now: Date): Date {
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - RETENTION_YEARS);
  return cutoff;
}

/**
 * The only removal path: it refuses a cut-off inside the retention period, and refuses any
 * range containing an entry younger than six years (even with clock skew between writers).
 */
export async function planArchive(
  repo: AuditRepository,
  before: Date,
  now: Date,
): Promise<ArchivePlan> {
  const cutoff = retentionCutoff(now);
  if (before.getTime() > cutoff.getTime()) {
    throw new RetentionError(
      `audit entries are kept at least ${RETENTION_YEARS} years: --before must be on or before ${cutoff.toISOString().slice(0, 10)}`,
    );
  }
  const head = await repo.head();
  const archive = await repo.latestArchive();
  const fromSeq = archive?.upToSeq ?? 0;
  const upToSeq = (await repo.firstSeqAtOrAfter(before.toISOString())) ?? head.size;
  if (upToSeq <= fromSeq)
    throw new RetentionError('no entries older than the cut-off remain to archive');
  const newest = await repo.newestBelow(upToSeq);
  if (newest !== undefined && Date.parse(newest) > cutoff.getTime()) {
    throw new RetentionError(
      'the range holds entries younger than the retention period; nothing was archived',
    );
  }
  return { upToSeq, fromSeq };
}

/**
 * Records the signed archive mark (a checkpoint at upToSeq with the frontier to resume from) and
 * removes the archived entries. The caller must have written and verified the export first.
 */
export async function commitArchive(
  repo: AuditRepository,
  plan: ArchivePlan,
  opts: { origin: string; signer: NoteSigner; now: Date },
): Promise<{ removed: number; note: string }> {
  const archive = await repo.latestArchive();
  const frontier = archive ? MerkleFrontier.deserialize(archive.frontier) : MerkleFrontier.empty();
  const PAGE = 10_000;
  while (frontier.size < plan.upToSeq) {
    const hashes = await repo.leafHashes(
      frontier.size,
      Math.min(PAGE, plan.upToSeq - frontier.size),
    );
    if (hashes.length === 0)
      throw new RetentionError('the trail has a gap below the archive mark; run audit verify');
    for (const h of hashes) frontier.append(h);
  }
  const note = signNote(
    formatCheckpoint({
      origin: opts.origin,
      size: plan.upToSeq,
      rootHash: frontier.root(),
      extensions: ['haven-archive-mark'],
    }),
    [opts.signer],
  );
  const removed = await repo.archive({
    upToSeq: plan.upToSeq,
    frontier: frontier.serialize(),
    note,
    createdAt: opts.now.toISOString(),
  });
  return { removed, note };
}
