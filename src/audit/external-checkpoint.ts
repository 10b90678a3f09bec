import { parseCheckpoint, type NoteVerifier } from './checkpoint/index.js';

export type ExternalCheckpointProblem =
  | { kind: 'not-a-checkpoint'; message: string }
  | { kind: 'other-origin'; message: string }
  | { kind: 'other-key'; message: string };

const SIGNATURE_PREFIX = '\u2014 ';

/**
 * Says whether a checkpoint file handed to `audit verify --from-checkpoint` is one of this log's
 * checkpoints at all, before it is used as an anchor. A file that is not a checkpoint, names
 * another log, or carries no signature by this log's key is a wrong file, not evidence of
 * tampering; only a checkpoint that claims this log's key and fails to verify (or disagrees
 * with the trail) is. Nothing here is trusted: the verifier still checks the signature.
 */
export function checkExternalCheckpoint(
  note: string,
  origin: string,
  verifier: NoteVerifier,
): ExternalCheckpointProblem | undefined {
  const split = note.lastIndexOf('\n\n');
  let checkpointOrigin: string;
  try {
    if (split < 0) throw new Error('no signature block');
    checkpointOrigin = parseCheckpoint(note.slice(0, split + 1)).origin;
  } catch {
    return {
      kind: 'not-a-checkpoint',
      message:
        'is not a signed checkpoint (expected an origin line, a tree size, a root hash, a blank line and signatures)',
    };
  }
  if (checkpointOrigin !== origin) {
    return {
      kind: 'other-origin',
      message: `is a checkpoint of another log ("${printable(checkpointOrigin)}"), not of this installation's "${origin}"`,
    };
  }
  const ourId = verifier.keyHash.toString('base64');
  const signedByUs = note
    .slice(split + 2)
    .split('\n')
    .some((line) => {
      if (!line.startsWith(SIGNATURE_PREFIX)) return false;
      const [name, sig] = line.slice(SIGNATURE_PREFIX.length).split(' ');
      if (name !== verifier.name || sig === undefined) return false;
      // The signature is base64(key hash ‖ signature); compare the 4-byte key hash.
      const raw = Buffer.from(sig, 'base64');
      return raw.length > 4 && raw.subarray(0, 4).toString('base64') === ourId;
    });
  if (!signedByUs) {
    return {
      kind: 'other-key',
      message:
        "carries no signature by this installation's audit key (is it another installation's checkpoint?)",
    };
  }
  return undefined;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}
