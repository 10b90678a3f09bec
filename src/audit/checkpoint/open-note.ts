import { MalformedNoteError, NoteVerificationError } from './errors.js';
import type { NoteVerifier } from './verifier.js';
import { decodeBase64Strict, isNoteSafe, isValidKeyName } from './syntax.js';

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space

/** More signatures than any honest note carries; C2SP requires accepting at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

export interface OpenedNote {
  /** The signed text, including its final newline. */
  text: string;
  /** Names of the known keys whose signatures verified, in signature order. */
  verifiedBy: string[];
}

/**
 * Parses a c2sp.org/signed-note and checks its signatures against the trusted `verifiers`.
 *
 * Signatures from unknown keys (no verifier with both that name and key ID) are ignored, as the
 * specification requires. A signature from a known key that fails to verify rejects the whole
 * note, and so does a note with no verified signature: either way NoteVerificationError.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  const decoded = typeof note === 'string' ? note : decodeUtf8(note);
  if (decoded === undefined || !isNoteSafe(decoded)) {
    throw new MalformedNoteError(
      'signed notes MUST be valid UTF-8 with no control characters other than newline',
    );
  }
  // "the text is separated from the signatures by the last empty line in the note"
  const split = decoded.lastIndexOf('\n\n');
  const block = split < 0 ? '' : decoded.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw new MalformedNoteError(
      'a note is text, a blank line, then newline-terminated signatures',
    );
  }
  const text = decoded.slice(0, split + 1);
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  }

  const trusted = indexVerifiers(verifiers);
  const message = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const { name, keyHash, signature } = parseSignatureLine(line);
    const id = `${name}+${keyHash.toString('hex')}`;
    const candidates = trusted.get(id);
    if (candidates === undefined || seen.has(id)) continue; // unknown key, or already verified
    if (candidates.length > 1) {
      // Two trusted keys with one name and key ID: the configuration, not the note, is wrong.
      throw new NoteVerificationError(`ambiguous trusted key ${id}`);
    }
    const verifier = candidates[0]!;
    seen.add(id);
    if (!verifier.verify(message, signature)) {
      throw new NoteVerificationError(`invalid signature for known key ${id}`);
    }
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) {
    throw new NoteVerificationError('no signature from a known key: the note MUST be rejected');
  }
  return { text, verifiedBy };
}

function parseSignatureLine(line: string): { name: string; keyHash: Buffer; signature: Buffer } {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new MalformedNoteError('signature lines start with an em dash and a space');
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? '' : rest.slice(0, space);
  const decoded = decodeBase64Strict(space < 0 ? '' : rest.slice(space + 1));
  if (!isValidKeyName(name) || decoded === undefined || decoded.length < 5) {
    throw new MalformedNoteError('malformed signature line');
  }
  return { name, keyHash: decoded.subarray(0, 4), signature: decoded.subarray(4) };
}

function indexVerifiers(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier[]> {
  const byId = new Map<string, NoteVerifier[]>();
  for (const verifier of verifiers) {
    const id = `${verifier.name}+${verifier.keyHash.toString('hex')}`;
    byId.set(id, [...(byId.get(id) ?? []), verifier]);
  }
  return byId;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
