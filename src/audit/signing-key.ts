import {
  createEd25519Signer,
  createEd25519Verifier,
  ed25519KeyFromSeed,
  verifierKeyString,
  type NoteSigner,
  type NoteVerifier,
} from './checkpoint/index.js';

export interface AuditSigningKey {
  signer: NoteSigner;
  verifier: NoteVerifier;
  /** Published verifier key (`name+hash+base64key`): an auditor needs only this to check exports. */
  verifierKey: string;
}

/**
 * The checkpoint signing key is derived from a 32-byte seed that the key provider keeps wrapped,
 * separate from every data key, so rotating or shredding patient keys never touches it.
 */
export function auditSigningKey(seed: Buffer, name: string): AuditSigningKey {
  const { privateKey, publicKey } = ed25519KeyFromSeed(seed);
  const verifierKey = verifierKeyString(name, publicKey);
  return {
    signer: createEd25519Signer(name, privateKey),
    verifier: createEd25519Verifier(verifierKey),
    verifierKey,
  };
}
