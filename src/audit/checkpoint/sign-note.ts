import { MalformedNoteError } from './errors.js';
import type { NoteSigner } from './signer.js';
import { isNoteSafe, isValidKeyName } from './syntax.js';

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space

/**
 * Signs `text` as a c2sp.org/signed-note: the text, a blank line, then one line
 * `— <key name> <base64(key ID || signature)>` per signer, each signature over the text
 * including its final newline.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (typeof text !== 'string' || !text.endsWith('\n')) {
    throw new MalformedNoteError('note text MUST end in a newline (c2sp.org/signed-note)');
  }
  if (!isNoteSafe(text)) {
    throw new MalformedNoteError(
      'signed notes MUST be valid UTF-8 with no control characters other than newline',
    );
  }
  if (signers.length === 0) {
    throw new MalformedNoteError('a signed note has one or more signature lines');
  }
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    const keyHash = signer.keyHash;
    if (!isValidKeyName(signer.name) || keyHash.length !== 4) {
      throw new MalformedNoteError('signer has an invalid key name or key ID');
    }
    const signature = signer.sign(message);
    if (signature.length === 0) throw new MalformedNoteError('signer returned an empty signature');
    const encoded = Buffer.concat([keyHash, signature]).toString('base64');
    return `${SIGNATURE_PREFIX}${signer.name} ${encoded}\n`;
  });
  return `${text}\n${lines.join('')}`;
}
