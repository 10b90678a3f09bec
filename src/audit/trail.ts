import type { Kysely } from 'kysely';
import type { AuditRepository, HavenDatabase } from '../store/index.js';
import { formatCheckpoint, signNote, type NoteSigner } from './checkpoint/index.js';
import { encodeLeaf, entryFromDraft, type AuditDraft } from './entry.js';
import { leafHash, MerkleFrontier } from './merkle/index.js';
import { toRow } from './rows.js';

export interface AuditTrailOptions {
  repo: AuditRepository;
  signer: NoteSigner;
  /** Checkpoint origin line: names this installation's log. */
  origin: string;
  clock: () => Date;
  checkpointEveryEntries: number;
  checkpointEveryMs: number;
  /** Called after a batch that signed a checkpoint has committed (export outside the database). */
  onCheckpoint?: (note: string, size: number) => void;
}

/**
 * Appends a batch of audit drafts inside the batch transaction: contiguous sequence numbers
 * from the locked head, RFC 6962 leaves, the Merkle frontier advanced once per batch, and a
 * signed checkpoint when N entries or T milliseconds have passed since the last one.
 */
export class AuditTrail {
  private pendingExports: { note: string; size: number }[] = [];
  /** Set by signNow: the next batch signs whatever is not yet covered, due or not. */
  private signRequested = false;
  /** Whether the batch in flight took the request (given back if that batch rolls back). */
  private forcedInBatch = false;

  constructor(private readonly opts: AuditTrailOptions) {}

  readonly finalize = async (trx: Kysely<HavenDatabase>, drafts: AuditDraft[]): Promise<void> => {
    const { repo, clock } = this.opts;
    const head = await repo.lockHead(trx);
    // An empty batch is the idle timer: it only signs a checkpoint over entries not yet covered,
    // so the unsigned tail of a quiet server does not stay open to rewriting.
    const forced = this.signRequested;
    this.signRequested = false;
    this.forcedInBatch ||= forced;
    if (
      drafts.length === 0 &&
      !(head.size > head.checkpointSize && (forced || this.timeDue(head.checkpointAt)))
    )
      return;
    const frontier =
      head.frontier.length === 0
        ? MerkleFrontier.empty()
        : MerkleFrontier.deserialize(head.frontier);
    if (frontier.size !== head.size)
      throw new Error('audit head is inconsistent with its frontier');
    const now = clock();
    const at = now.toISOString();
    const rows = drafts.map((d, i) => {
      const entry = entryFromDraft(head.size + i, at, d);
      const leaf = leafHash(encodeLeaf(entry));
      frontier.append(leaf);
      return toRow(entry, leaf);
    });
    const size = head.size + rows.length;
    let checkpointSize = head.checkpointSize;
    let checkpointAt = head.checkpointAt;
    const due =
      (forced && size > head.checkpointSize) ||
      size - head.checkpointSize >= this.opts.checkpointEveryEntries ||
      this.timeDue(head.checkpointAt);
    if (due) {
      const rootHash = frontier.root();
      const note = signNote(formatCheckpoint({ origin: this.opts.origin, size, rootHash }), [
        this.opts.signer,
      ]);
      await repo.insertCheckpoint(trx, { size, rootHash, note, createdAt: at });
      checkpointSize = size;
      checkpointAt = at;
      this.pendingExports.push({ note, size });
    }
    await repo.append(trx, rows, {
      size,
      frontier: frontier.serialize(),
      checkpointSize,
      checkpointAt,
    });
  };

  /**
   * Asks the next batch to sign a checkpoint over every entry not yet covered (shutdown, and
   * before an export), so the newest entries are not left out of what an export can prove.
   * Submit a batch (an empty one will do) after calling it.
   */
  signNow(): void {
    this.signRequested = true;
  }

  private timeDue(checkpointAt: string): boolean {
    return this.opts.clock().getTime() - Date.parse(checkpointAt) >= this.opts.checkpointEveryMs;
  }

  /** Runs after the batch commits; a rolled-back batch's checkpoint is dropped, never exported. */
  readonly afterCommit = (committed: boolean): void => {
    const exports = this.pendingExports;
    this.pendingExports = [];
    if (!committed && this.forcedInBatch) this.signRequested = true;
    this.forcedInBatch = false;
    if (!committed || !this.opts.onCheckpoint) return;
    for (const e of exports) {
      try {
        this.opts.onCheckpoint(e.note, e.size);
      } catch {
        // The checkpoint is durable in the database; a failed export is not retried, and the next
        // checkpoint (which covers everything before it) is exported as usual.
      }
    }
  };
}
