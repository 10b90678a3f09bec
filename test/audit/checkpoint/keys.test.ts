import crypto from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  createEd25519Signer,
  createEd25519Verifier,
  ed25519KeyFromSeed,
  InvalidNoteKeyError,
  verifierKeyString,
} from '../../../src/audit/checkpoint/index.js';
import { FORMATS_KEY_PAIRS, GO_NOTE } from '../../fixtures/signed-note/vectors.js';
import { goSignerKey } from './go-keys.js';

const allPairs = [GO_NOTE.peter, ...FORMATS_KEY_PAIRS];

describe('Ed25519 note keys (golang/mod sumdb/note, transparency-dev/formats vectors)', () => {
  it.each(allPairs)('derives $vkey from its published seed', ({ vkey, skey }) => {
    const { name, keyHash, seed } = goSignerKey(skey);
    const { privateKey, publicKey } = ed25519KeyFromSeed(seed);
    expect(verifierKeyString(name, publicKey)).toBe(vkey);
    expect(verifierKeyString(name, privateKey)).toBe(vkey);
    const signer = createEd25519Signer(name, privateKey);
    expect(signer.name).toBe(name);
    expect(signer.keyHash.toString('hex')).toBe(keyHash);
  });

  it.each(allPairs)('parses $vkey into a verifier for its signer', ({ vkey, skey }) => {
    const { name, keyHash, seed } = goSignerKey(skey);
    const verifier = createEd25519Verifier(vkey);
    expect(verifier.name).toBe(name);
    expect(verifier.keyHash.toString('hex')).toBe(keyHash);
    const signer = createEd25519Signer(name, ed25519KeyFromSeed(seed).privateKey);
    const msg = Buffer.from('hi');
    const signature = signer.sign(msg);
    expect(verifier.verify(msg, signature)).toBe(true);
    signature[0]! ^= 1;
    expect(verifier.verify(msg, signature)).toBe(false);
    signature[0]! ^= 1;
    expect(verifier.verify(Buffer.from('hj'), signature)).toBe(false);
    expect(verifier.verify(msg, signature.subarray(0, 63))).toBe(false);
  });

  it('refuses every proper substring and every one-byte change of a verifier key (TestNewVerifier)', () => {
    const vkey: string = GO_NOTE.peter.vkey;
    for (let i = 0; i <= vkey.length; i++) {
      for (let j = i + 1; j <= vkey.length; j++) {
        if (i === 0 && j === vkey.length) continue;
        expect(() => createEd25519Verifier(vkey.slice(i, j)), vkey.slice(i, j)).toThrow(
          InvalidNoteKeyError,
        );
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const mangled =
        vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      expect(() => createEd25519Verifier(mangled), mangled).toThrow(InvalidNoteKeyError);
    }
  });

  it.each(Object.entries(GO_NOTE.badVkeys))('refuses a verifier key with %s', (_label, vkey) => {
    expect(() => createEd25519Verifier(vkey)).toThrow(InvalidNoteKeyError);
  });

  it('derives the same key pair as Node from the same seed, and is deterministic', () => {
    const seed = crypto.randomBytes(32);
    const a = ed25519KeyFromSeed(seed);
    const b = ed25519KeyFromSeed(seed);
    const jwk = a.privateKey.export({ format: 'jwk' });
    expect(Buffer.from(jwk.d!, 'base64url').equals(seed)).toBe(true);
    expect(a.publicKey.equals(b.publicKey)).toBe(true);
    expect(a.publicKey.equals(crypto.createPublicKey(a.privateKey))).toBe(true);
  });

  it.each([
    ['a 31-byte seed', Buffer.alloc(31)],
    ['a 33-byte seed', Buffer.alloc(33)],
    ['a string', 'x'.repeat(32)],
  ])('ed25519KeyFromSeed refuses %s', (_label, seed) => {
    expect(() => ed25519KeyFromSeed(seed as Buffer)).toThrow(InvalidNoteKeyError);
  });

  it.each(['', 'has space', 'has+plus', 'tab\tname', 'nbsp\u00a0name', 'ctl\u0001name'])(
    'refuses the key name %j',
    (name) => {
      const { privateKey, publicKey } = ed25519KeyFromSeed(Buffer.alloc(32, 7));
      expect(() => createEd25519Signer(name, privateKey)).toThrow(InvalidNoteKeyError);
      expect(() => verifierKeyString(name, publicKey)).toThrow(InvalidNoteKeyError);
    },
  );

  it('refuses keys that are not Ed25519 private keys', () => {
    const { publicKey } = ed25519KeyFromSeed(Buffer.alloc(32, 7));
    const p256 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => createEd25519Signer('log', publicKey)).toThrow(InvalidNoteKeyError);
    expect(() => createEd25519Signer('log', p256.privateKey)).toThrow(InvalidNoteKeyError);
    expect(() => verifierKeyString('log', p256.publicKey)).toThrow(InvalidNoteKeyError);
  });

  it('gives errors a stable code', () => {
    try {
      createEd25519Verifier('nope');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidNoteKeyError);
      expect((error as InvalidNoteKeyError).code).toBe('ERR_NOTE_KEY_INVALID');
      expect(InvalidNoteKeyError.code).toBe('ERR_NOTE_KEY_INVALID');
    }
  });
});

// Found by mutation testing: each refusal says what is wrong, so an operator can fix a key.
describe('verifier key refusals name the problem', () => {
  const vkey: string = GO_NOTE.peter.vkey; // PeterNeumann+c74f20a3+ARpc…
  const [name, id, key] = vkey.split('+') as [string, string, string];
  it.each([
    ['not a string', 42, 'a verifier key is a string'],
    ['no key ID', name, 'malformed verifier key: expected <name>+<key ID>+<key>'],
    [
      'a key ID with a character before it',
      `${name}+z${id}+${key}`,
      'malformed verifier key: expected <name>+<key ID>+<key>',
    ],
    [
      'a key ID with a character after it',
      `${name}+${id}z+${key}`,
      'malformed verifier key: expected <name>+<key ID>+<key>',
    ],
    [
      'a short key',
      `${name}+${id}+${key.slice(0, -4)}`,
      'malformed verifier key: the key must be 33 bytes of base64',
    ],
    [
      'another signature type',
      `${name}+${id}+${Buffer.concat([Buffer.of(2), Buffer.from(key, 'base64').subarray(1)]).toString('base64')}`,
      'unsupported signature type 0x2',
    ],
    [
      'a key ID of another key',
      `${name}+00000000+${key}`,
      'verifier key ID does not match its name and public key',
    ],
  ])('%s', (_label, input, message) => {
    expect(() => createEd25519Verifier(input as string)).toThrow(new InvalidNoteKeyError(message));
    expect(() => createEd25519Verifier(input as string)).toThrow(InvalidNoteKeyError);
  });

  it('refuses to publish a key under an invalid name, saying why', () => {
    const { publicKey } = crypto.generateKeyPairSync('ed25519');
    expect(() => verifierKeyString('two words', publicKey)).toThrow(
      new InvalidNoteKeyError('key names MUST NOT be empty or contain spaces or plus'),
    );
  });
});
