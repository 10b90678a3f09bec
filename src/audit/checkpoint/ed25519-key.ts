import crypto, { type KeyObject } from 'node:crypto';

import { InvalidNoteKeyError } from './errors.js';

/** c2sp.org/signed-note signature type identifier of Ed25519. */
export const ED25519_SIGNATURE_TYPE = 0x01;

// RFC 8410 DER prefixes: PKCS#8 PrivateKeyInfo wrapping a 32-byte seed, and SubjectPublicKeyInfo
// wrapping a 32-byte public key, both for id-Ed25519 (1.3.101.112).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The Ed25519 key pair of a 32-byte RFC 8032 seed. The server keeps only the seed (wrapped by its
 * key provider) and derives the signing key at start-up.
 */
export function ed25519KeyFromSeed(seed32: Uint8Array): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) {
    throw new InvalidNoteKeyError('an Ed25519 seed must be exactly 32 bytes (RFC 8032 §5.1.5)');
  }
  const der = Buffer.concat([PKCS8_PREFIX, seed32]);
  const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
}

/** The 32-byte RFC 8032 encoding of an Ed25519 public key (or of a private key's public half). */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  if (!(key instanceof crypto.KeyObject) || key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidNoteKeyError('expected an Ed25519 KeyObject');
  }
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const prefix = spki.subarray(0, SPKI_PREFIX.length);
  if (spki.length !== SPKI_PREFIX.length + 32 || !prefix.equals(SPKI_PREFIX)) {
    throw new InvalidNoteKeyError('unexpected Ed25519 SubjectPublicKeyInfo encoding');
  }
  return Buffer.from(spki.subarray(SPKI_PREFIX.length));
}

/** A public KeyObject from a 32-byte RFC 8032 public key. */
export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new InvalidNoteKeyError('an Ed25519 public key is 32 bytes');
  try {
    return crypto.createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
  } catch {
    throw new InvalidNoteKeyError('not a valid Ed25519 public key');
  }
}

/**
 * c2sp.org/signed-note key ID: SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4].
 */
export function ed25519KeyHash(name: string, rawPublicKey: Uint8Array): Buffer {
  const digest = crypto
    .createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.of(0x0a, ED25519_SIGNATURE_TYPE))
    .update(rawPublicKey)
    .digest();
  return digest.subarray(0, 4);
}
