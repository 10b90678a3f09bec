import {
  createEd25519Signer,
  ed25519KeyFromSeed,
  type NoteSigner,
} from '../../../src/audit/checkpoint/index.js';

/**
 * Test-only reader for Go's published test signer keys,
 * `PRIVATE+KEY+<name>+<key ID>+base64(0x01 || seed)`: Haven itself never stores keys this way.
 */
export function goSignerKey(skey: string): { name: string; keyHash: string; seed: Buffer } {
  const [p, k, name, keyHash, ...rest] = skey.split('+');
  const key = Buffer.from(rest.join('+'), 'base64');
  if (p !== 'PRIVATE' || k !== 'KEY' || !name || !keyHash || key.length !== 33 || key[0] !== 1) {
    throw new Error(`not a Go Ed25519 signer key: ${skey}`);
  }
  return { name, keyHash, seed: key.subarray(1) };
}

export function signerFromGoKey(skey: string): NoteSigner {
  const { name, seed } = goSignerKey(skey);
  return createEd25519Signer(name, ed25519KeyFromSeed(seed).privateKey);
}
