import crypto, { type KeyObject } from 'node:crypto';

import { ed25519KeyHash, rawEd25519PublicKey } from './ed25519-key.js';
import { InvalidNoteKeyError } from './errors.js';
import { isValidKeyName } from './syntax.js';

/** Something that signs note text under a c2sp.org/signed-note key name and 4-byte key ID. */
export interface NoteSigner {
  readonly name: string;
  /** The 4-byte key ID that prefixes every signature. */
  readonly keyHash: Buffer;
  sign(msg: Buffer): Buffer;
}

/** An Ed25519 (signature type 0x01) note signer; Ed25519 is deterministic, so is the note. */
export function createEd25519Signer(name: string, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) {
    throw new InvalidNoteKeyError(
      'key names MUST be non-empty and MUST NOT contain Unicode spaces or plus (c2sp.org/signed-note)',
    );
  }
  if (!(privateKey instanceof crypto.KeyObject) || privateKey.type !== 'private') {
    throw new InvalidNoteKeyError('expected an Ed25519 private KeyObject');
  }
  const keyHash = ed25519KeyHash(name, rawEd25519PublicKey(privateKey));
  return Object.freeze({
    name,
    get keyHash() {
      return Buffer.from(keyHash);
    },
    sign: (msg: Buffer) => crypto.sign(null, msg, privateKey),
  });
}
