import crypto from 'node:crypto';
import {
  createEd25519Signer,
  signNote,
  type NoteSigner,
} from '../../src/audit/checkpoint/index.js';

/**
 * Well-formed signed notes that must not verify: each keeps the signed text byte for byte, so a
 * verifier that read the body without checking the signature would accept it.
 */

const PREFIX = '\u2014 ';

/** The signed text of a note (everything before the blank line, with its final newline). */
export function noteText(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1);
}

/** The note with one bit of the last signature flipped (the 4-byte key ID is left alone). */
export function flipSignatureBit(note: string, bit = 0): string {
  const lines = note.slice(0, -1).split('\n');
  const last = lines.at(-1)!;
  const space = last.indexOf(' ', PREFIX.length);
  const raw = Buffer.from(last.slice(space + 1), 'base64');
  const byte = 4 + Math.floor(bit / 8);
  raw[byte] = raw[byte]! ^ (1 << (bit % 8));
  lines[lines.length - 1] = `${last.slice(0, space + 1)}${raw.toString('base64')}`;
  return `${lines.join('\n')}\n`;
}

/** A fresh Ed25519 key that is not the audit key, under the audit key's name. */
export function foreignSigner(name: string): NoteSigner {
  return createEd25519Signer(name, crypto.generateKeyPairSync('ed25519').privateKey);
}

/** The same text, validly signed by `signer` alone. */
export function resign(note: string, signer: NoteSigner): string {
  return signNote(noteText(note), [signer]);
}

/**
 * The same text with a valid signature by `signer` presented under another key's ID, as a forger
 * who knows the published key ID but not its private key would do.
 */
export function impersonate(note: string, signer: NoteSigner, keyHash: Buffer): string {
  const signature = signer.sign(Buffer.from(noteText(note), 'utf8'));
  return `${noteText(note)}\n${PREFIX}${signer.name} ${Buffer.concat([keyHash, signature]).toString('base64')}\n`;
}
