import type { AuditRepository } from '../store/index.js';
import { inclusionProof, verifyInclusion } from './merkle/index.js';
import { openNote, parseCheckpoint, type NoteVerifier } from './checkpoint/index.js';

export interface InclusionProofResult {
  seq: number;
  leafHash: string;
  treeSize: number;
  checkpoint: string;
  proof: string[];
}

/**
 * RFC 6962 inclusion proof of one entry against the newest signed checkpoint that covers it,
 * checked before it is returned. Needs the full trail: entries below an archive mark are gone.
 */
export async function proveEntry(
  repo: AuditRepository,
  seq: number,
  verifiers: NoteVerifier[],
): Promise<InclusionProofResult> {
  if ((await repo.latestArchive())?.upToSeq)
    throw new Error(
      'proofs need the whole trail, and part of it is archived; use the archive export',
    );
  const cp = (await repo.checkpoints()).filter((c) => c.size > seq).at(-1);
  if (!cp)
    throw new Error(
      `no signed checkpoint covers entry ${seq} yet; try again after the next checkpoint`,
    );
  const { rootHash, size } = parseCheckpoint(openNote(cp.note, verifiers).text);
  const leaves = await repo.leafHashes(0, size);
  if (leaves.length !== size)
    throw new Error('the trail is shorter than its checkpoint; run audit verify');
  const proof = inclusionProof(seq, size, (start, end) => leaves.slice(start, end));
  if (!verifyInclusion(seq, size, leaves[seq]!, proof, rootHash))
    throw new Error(`entry ${seq} is not included in the checkpoint; run audit verify`);
  return {
    seq,
    leafHash: leaves[seq]!.toString('hex'),
    treeSize: size,
    checkpoint: cp.note,
    proof: proof.map((p) => p.toString('hex')),
  };
}
