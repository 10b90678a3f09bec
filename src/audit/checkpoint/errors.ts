/**
 * Typed errors of the checkpoint and signed-note module, each with a stable `code`. Messages
 * quote the C2SP rule that was broken and never echo key material.
 */
export class CheckpointError extends Error {
  static readonly code: string = 'ERR_CHECKPOINT';
  readonly code: string = 'ERR_CHECKPOINT';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The text is not a c2sp.org/tlog-checkpoint body (or the fields to format are invalid). */
export class MalformedCheckpointError extends CheckpointError {
  static override readonly code = 'ERR_CHECKPOINT_MALFORMED';
  override readonly code = 'ERR_CHECKPOINT_MALFORMED';
}

/** The checkpoint is validly signed but names another log than the one expected. */
export class CheckpointOriginMismatchError extends CheckpointError {
  static override readonly code = 'ERR_CHECKPOINT_ORIGIN_MISMATCH';
  override readonly code = 'ERR_CHECKPOINT_ORIGIN_MISMATCH';
}

/** The input is not a c2sp.org/signed-note (or the text to sign could not form one). */
export class MalformedNoteError extends CheckpointError {
  static override readonly code = 'ERR_NOTE_MALFORMED';
  override readonly code = 'ERR_NOTE_MALFORMED';
}

/** No signature from a known key verified, or a known key's signature failed to verify. */
export class NoteVerificationError extends CheckpointError {
  static override readonly code = 'ERR_NOTE_VERIFICATION_FAILED';
  override readonly code = 'ERR_NOTE_VERIFICATION_FAILED';
}

/** A key name, verifier key string, seed or KeyObject cannot be used for note signatures. */
export class InvalidNoteKeyError extends CheckpointError {
  static override readonly code = 'ERR_NOTE_KEY_INVALID';
  override readonly code = 'ERR_NOTE_KEY_INVALID';
}
