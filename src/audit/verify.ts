import type { AuditRepository } from '../store/index.js';
import { openNote, parseCheckpoint, type NoteVerifier } from './checkpoint/index.js';
import { encodeLeaf } from './entry.js';
import { leafHash, MerkleFrontier } from './merkle/index.js';
import { fromRow } from './rows.js';

export type ProblemKind =
  | 'missing-entry'
  | 'modified-entry'
  | 'checkpoint-mismatch'
  | 'bad-checkpoint'
  | 'truncated'
  | 'head-mismatch';

export interface VerifyProblem {
  kind: ProblemKind;
  /** First sequence number known to be bad; for a checkpoint mismatch, the first of the range. */
  seq: number;
  /** Last sequence number of the suspect range (equal to seq when one entry is pinpointed). */
  toSeq: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpointsChecked: number;
  problem?: VerifyProblem;
}

interface Anchor {
  size: number;
  root: Buffer;
  source: string;
}

const PAGE = 5000;

export interface VerifyOptions {
  /** Signed checkpoints kept outside the database (exported files, a witness's copy). */
  externalCheckpoints?: string[];
  onProgress?: (done: number, total: number) => void;
}

/**
 * Walks the whole trail: contiguous sequence numbers, each leaf recomputed from its fields,
 * and the recomputed tree checked against every signed checkpoint (those in the database and
 * an optional one kept outside it). Stops at the first problem and names its position.
 */
export async function verifyTrail(
  live: AuditRepository,
  verifiers: NoteVerifier[],
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  return live.withSnapshot((repo) => verifySnapshot(repo, verifiers, opts));
}

async function verifySnapshot(
  repo: AuditRepository,
  verifiers: NoteVerifier[],
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const head = await repo.head();
  const anchors: Anchor[] = [];
  let checked = 0;
  for (const cp of await repo.checkpoints()) {
    const parsed = readCheckpoint(cp.note, verifiers);
    if (!parsed || parsed.size !== cp.size || !parsed.root.equals(cp.rootHash)) {
      return fail(checked, 0, {
        kind: 'bad-checkpoint',
        seq: cp.size,
        toSeq: cp.size,
        message: `checkpoint at size ${cp.size} has an invalid signature or body`,
      });
    }
    anchors.push({ size: cp.size, root: parsed.root, source: `checkpoint at size ${cp.size}` });
  }
  const newestStored = anchors.at(-1)?.size ?? 0;
  for (const note of opts.externalCheckpoints ?? []) {
    const ext = readCheckpoint(note, verifiers);
    if (!ext) {
      return fail(0, 0, {
        kind: 'bad-checkpoint',
        seq: 0,
        toSeq: 0,
        message: 'an external checkpoint does not verify with the audit public key',
      });
    }
    anchors.push({
      size: ext.size,
      root: ext.root,
      source: `external checkpoint at size ${ext.size}`,
    });
  }
  // Entries below the newest signed archive mark were exported and removed under the retention
  // rules; verification resumes from the archived frontier, whose root that mark signs.
  let frontier = MerkleFrontier.empty();
  const archive = await repo.latestArchive();
  if (archive) {
    const mark = readCheckpoint(archive.note, verifiers);
    const restored = restoreFrontier(archive.frontier);
    if (
      !mark ||
      !restored ||
      mark.size !== archive.upToSeq ||
      restored.size !== mark.size ||
      !restored.root().equals(mark.root)
    ) {
      return fail(0, 0, {
        kind: 'bad-checkpoint',
        seq: archive.upToSeq,
        toSeq: archive.upToSeq,
        message: `the archive mark at ${archive.upToSeq} has an invalid signature or frontier`,
      });
    }
    frontier = restored;
  }
  const start = frontier.size;
  anchors.splice(
    0,
    anchors.length,
    ...anchors.filter((a) => a.size >= start).sort((a, b) => a.size - b.size),
  );

  let anchorIdx = 0;
  let lastGood = start;
  const total = Math.max(head.size, anchors.at(-1)?.size ?? 0);
  const checkAnchors = (): VerifyProblem | undefined => {
    while (anchorIdx < anchors.length && anchors[anchorIdx]!.size === frontier.size) {
      const a = anchors[anchorIdx]!;
      if (!frontier.root().equals(a.root)) {
        return {
          kind: 'checkpoint-mismatch',
          seq: lastGood,
          toSeq: a.size - 1,
          message: `entries ${lastGood}..${a.size - 1} do not match the ${a.source}: altered, inserted, deleted or reordered`,
        };
      }
      lastGood = a.size;
      anchorIdx++;
      checked++;
    }
    return undefined;
  };
  const early = checkAnchors();
  if (early) return fail(checked, 0, early);

  for (;;) {
    const rows = await repo.entries(frontier.size, PAGE);
    for (const row of rows) {
      const expected = frontier.size;
      if (row.seq !== expected) {
        return fail(checked, expected, {
          kind: 'missing-entry',
          seq: expected,
          toSeq: row.seq - 1,
          message: `entry ${expected} is missing (next present entry is ${row.seq})`,
        });
      }
      const leaf = leafHash(encodeLeaf(fromRow(row)));
      if (!leaf.equals(row.leaf_hash)) {
        return fail(checked, expected, {
          kind: 'modified-entry',
          seq: expected,
          toSeq: expected,
          message: `entry ${expected} was modified after it was written`,
        });
      }
      frontier.append(leaf);
      const problem = checkAnchors();
      if (problem) return fail(checked, frontier.size, problem);
    }
    opts.onProgress?.(frontier.size, total);
    if (rows.length < PAGE) break;
  }
  if (anchorIdx < anchors.length) {
    const a = anchors[anchorIdx]!;
    return fail(checked, frontier.size, {
      kind: 'truncated',
      seq: frontier.size,
      toSeq: a.size - 1,
      message: `the trail ends at ${frontier.size} entries but the ${a.source} covers ${a.size}: entries from ${frontier.size} were removed`,
    });
  }
  if (head.size !== frontier.size) {
    return fail(checked, frontier.size, {
      kind: 'head-mismatch',
      seq: Math.min(head.size, frontier.size),
      toSeq: Math.max(head.size, frontier.size) - 1,
      message: `the trail holds ${frontier.size} entries but its head records ${head.size}`,
    });
  }
  if (!head.frontier.equals(frontier.serialize()) && head.size > 0) {
    return fail(checked, frontier.size, {
      kind: 'head-mismatch',
      seq: lastGood,
      toSeq: head.size - 1,
      message: `the stored tree head does not match entries ${lastGood}..${head.size - 1}`,
    });
  }
  if (head.checkpointSize !== newestStored) {
    return fail(checked, frontier.size, {
      kind: 'bad-checkpoint',
      seq: Math.min(head.checkpointSize, newestStored),
      toSeq: Math.max(head.checkpointSize, newestStored),
      message: `the trail head records a checkpoint at ${head.checkpointSize} but the newest stored checkpoint is at ${newestStored}: checkpoints were removed or the head was altered`,
    });
  }
  return { ok: true, entries: frontier.size, checkpointsChecked: checked };
}

function restoreFrontier(blob: Buffer): MerkleFrontier | undefined {
  try {
    return MerkleFrontier.deserialize(blob);
  } catch {
    return undefined;
  }
}

function readCheckpoint(
  note: string,
  verifiers: NoteVerifier[],
): { size: number; root: Buffer } | undefined {
  try {
    const { text } = openNote(note, verifiers);
    const cp = parseCheckpoint(text);
    return { size: cp.size, root: cp.rootHash };
  } catch {
    return undefined;
  }
}

function fail(checked: number, entries: number, problem: VerifyProblem): VerifyReport {
  return { ok: false, entries, checkpointsChecked: checked, problem };
}
