import type { Checkpoint } from './checkpoint.js';
import { CheckpointOriginMismatchError } from './errors.js';
import { openNote } from './open-note.js';
import { parseCheckpoint } from './parse-checkpoint.js';
import type { NoteVerifier } from './verifier.js';

export interface OpenCheckpointOptions {
  /** The origin line of the log the caller expects this checkpoint from. */
  origin: string;
  /** Trusted keys: the log's key and any witnesses. */
  verifiers: readonly NoteVerifier[];
}

/**
 * A signed checkpoint, verified: openNote, then parseCheckpoint, then the origin check that stops
 * one log's checkpoint from being replayed as another's.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  { origin, verifiers }: OpenCheckpointOptions,
): { checkpoint: Checkpoint; verifiedBy: string[] } {
  const { text, verifiedBy } = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== origin) {
    throw new CheckpointOriginMismatchError('checkpoint origin is not the expected log');
  }
  return { checkpoint, verifiedBy };
}
