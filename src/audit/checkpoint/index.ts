/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and transparency-log checkpoints
 * (c2sp.org/tlog-checkpoint) for Haven's audit log. Pure functions; keys come from the caller.
 */
export type { Checkpoint, CheckpointFields } from './checkpoint.js';
export { formatCheckpoint } from './format-checkpoint.js';
export { parseCheckpoint } from './parse-checkpoint.js';
export { openCheckpoint, type OpenCheckpointOptions } from './open-checkpoint.js';
export { signNote } from './sign-note.js';
export { openNote, MAX_NOTE_SIGNATURES, type OpenedNote } from './open-note.js';
export { createEd25519Signer, type NoteSigner } from './signer.js';
export { createEd25519Verifier, verifierKeyString, type NoteVerifier } from './verifier.js';
export { ed25519KeyFromSeed } from './ed25519-key.js';
export {
  CheckpointError,
  MalformedCheckpointError,
  CheckpointOriginMismatchError,
  MalformedNoteError,
  NoteVerificationError,
  InvalidNoteKeyError,
} from './errors.js';
