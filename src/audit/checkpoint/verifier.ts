import crypto, { type KeyObject } from 'node:crypto';

import {
  ED25519_SIGNATURE_TYPE,
  ed25519KeyHash,
  ed25519PublicKeyFromRaw,
  rawEd25519PublicKey,
} from './ed25519-key.js';
import { InvalidNoteKeyError } from './errors.js';
import { decodeBase64Strict, isValidKeyName } from './syntax.js';

/** A trusted key that checks note signatures carrying its name and 4-byte key ID. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: Buffer;
  verify(msg: Buffer, signature: Buffer): boolean;
}

const ED25519_SIGNATURE_SIZE = 64;

/**
 * Parses a verifier key string `<name>+<8 hex digit key ID>+<base64(0x01 || public key)>`
 * (golang.org/x/mod/sumdb/note vkey) into an Ed25519 verifier. The key ID must match the key.
 */
export function createEd25519Verifier(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string') throw new InvalidNoteKeyError('a verifier key is a string');
  const [name, hashHex, ...rest] = vkey.split('+');
  const keyB64 = rest.join('+'); // base64 may itself contain '+'; names and key IDs cannot
  if (!isValidKeyName(name) || hashHex === undefined || !/^[0-9a-fA-F]{8}$/.test(hashHex)) {
    throw new InvalidNoteKeyError('malformed verifier key: expected <name>+<key ID>+<key>');
  }
  const encoded = decodeBase64Strict(keyB64);
  if (encoded === undefined || encoded.length !== 33) {
    throw new InvalidNoteKeyError('malformed verifier key: the key must be 33 bytes of base64');
  }
  if (encoded[0] !== ED25519_SIGNATURE_TYPE) {
    throw new InvalidNoteKeyError(`unsupported signature type 0x${encoded[0]!.toString(16)}`);
  }
  const rawKey = encoded.subarray(1);
  const keyHash = ed25519KeyHash(name, rawKey);
  if (!keyHash.equals(Buffer.from(hashHex, 'hex'))) {
    throw new InvalidNoteKeyError('verifier key ID does not match its name and public key');
  }
  const publicKey = ed25519PublicKeyFromRaw(rawKey);
  return Object.freeze({
    name,
    get keyHash() {
      return Buffer.from(keyHash);
    },
    verify(msg: Buffer, signature: Buffer): boolean {
      if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
      try {
        return crypto.verify(null, msg, publicKey, signature);
      } catch {
        return false;
      }
    },
  });
}

/** The verifier key string that createEd25519Verifier accepts, for publishing the log's key. */
export function verifierKeyString(name: string, publicKey: KeyObject): string {
  if (!isValidKeyName(name)) {
    throw new InvalidNoteKeyError('key names MUST NOT be empty or contain spaces or plus');
  }
  const rawKey = rawEd25519PublicKey(publicKey);
  const keyHash = ed25519KeyHash(name, rawKey);
  const encoded = Buffer.concat([Buffer.of(ED25519_SIGNATURE_TYPE), rawKey]).toString('base64');
  return `${name}+${keyHash.toString('hex')}+${encoded}`;
}
