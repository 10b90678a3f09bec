import { hash as argon2Hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';

import {
  CURRENT_ARGON2_PARAMS,
  MalformedPasswordHashError,
  PasswordInputTooLongError,
  dummyVerify,
  hashPassword,
  needsRehash,
  parsePasswordHash,
  verifyPassword,
} from '../../../src/auth/password/index.js';
import { DUMMY_PASSWORD_HASH } from '../../../src/auth/password/dummy-verify.js';

const PASSWORD = 'velvet anchor thistle comet rhubarb';

/** A hash made directly with the library, with chosen (possibly weak) parameters. */
function legacyHash(
  password: string,
  options: { algorithm: 0 | 1 | 2; memoryCost: number; timeCost: number },
): Promise<string> {
  return argon2Hash(password, { ...options, parallelism: 1 });
}

describe('hashPassword / verifyPassword', () => {
  it('round-trips, as an argon2id PHC string carrying the current parameters', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(
      /^\$argon2id\$v=19\$m=65536,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(hash, PASSWORD)).toEqual({ ok: true, needsRehash: false });
  });

  it('salts: two hashes of one password differ and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(a).not.toBe(b);
    expect((await verifyPassword(b, PASSWORD)).ok).toBe(true);
  });

  it('refuses a wrong password, including one differing only in case or a space', async () => {
    const hash = await hashPassword(PASSWORD);
    for (const wrong of ['velvet anchor thistle comet rhubarB', `${PASSWORD} `, '', 'x']) {
      expect(await verifyPassword(hash, wrong)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('normalizes with NFKC, so composed and decomposed accents verify alike', async () => {
    const hash = await hashPassword('caf\u00e9 au lait s\u2019il vous pla\u00eet');
    const decomposed = 'cafe\u0301 au lait s\u2019il vous plai\u0302t';
    expect((await verifyPassword(hash, decomposed)).ok).toBe(true);
  });

  it('refuses an over-long candidate without throwing', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(await verifyPassword(hash, 'a'.repeat(100_000))).toEqual({
      ok: false,
      needsRehash: false,
    });
  });

  it('hashPassword refuses input far beyond any valid password', async () => {
    await expect(hashPassword('a'.repeat(100_000))).rejects.toBeInstanceOf(
      PasswordInputTooLongError,
    );
  });

  it.each([
    '',
    'not-a-hash',
    '$2b$10$abcdefghijklmnopqrstuuJ5Q9m3oTBJ3bN0Hc9hXOnF0Ca7Fq9G6',
    '$argon2id$garbage',
  ])('throws MalformedPasswordHashError for the stored hash %j', async (stored) => {
    const failure = verifyPassword(stored, PASSWORD);
    await expect(failure).rejects.toBeInstanceOf(MalformedPasswordHashError);
    await expect(failure).rejects.toMatchObject({ code: 'password-hash-malformed' });
  });
});

describe('needsRehash', () => {
  it('verifyPassword reports it for a hash made with weaker parameters (OWASP minimum)', async () => {
    const weak = await legacyHash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2 });
    expect(await verifyPassword(weak, PASSWORD)).toEqual({ ok: true, needsRehash: true });
  });

  it('is false when the password is wrong: there is nothing to re-hash', async () => {
    const weak = await legacyHash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2 });
    expect(await verifyPassword(weak, 'wrong')).toEqual({ ok: false, needsRehash: false });
  });

  it('reports it for argon2i even at the same cost', async () => {
    const argon2i = await legacyHash(PASSWORD, { algorithm: 1, memoryCost: 65536, timeCost: 3 });
    expect(await verifyPassword(argon2i, PASSWORD)).toEqual({ ok: true, needsRehash: true });
  });

  // Parameter parsing needs a well-formed PHC string, not a real hash: rewrite a real one's
  // parameters to test the decision without running argon2 at every cost.
  const SALT_AND_HASH = DUMMY_PASSWORD_HASH.split('$').slice(4).join('$');
  const phc = (alg: string, v: number, m: number, t: number, p = 1) =>
    `$${alg}$v=${v}$m=${m},t=${t},p=${p}$${SALT_AND_HASH}`;

  it.each([
    ['current parameters', phc('argon2id', 19, 65536, 3), false],
    ['more passes', phc('argon2id', 19, 65536, 4), false],
    ['more memory and fewer passes, more total work', phc('argon2id', 19, 131072, 2), false],
    ['more lanes', phc('argon2id', 19, 65536, 3, 4), false],
    ['less memory', phc('argon2id', 19, 32768, 8), true],
    ['fewer passes', phc('argon2id', 19, 65536, 2), true],
    ['OWASP minimum', phc('argon2id', 19, 19456, 2), true],
    ['argon2d', phc('argon2d', 19, 65536, 3), true],
    ['argon2 version 1.0', phc('argon2id', 16, 65536, 3), true],
  ])('%s → %s', (_name, hash, expected) => {
    expect(needsRehash(hash)).toBe(expected);
  });

  it('reads the parameters out of the PHC string', () => {
    expect(parsePasswordHash(phc('argon2id', 19, 19456, 2))).toMatchObject({
      algorithm: 2,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      outputLen: 32,
      saltLen: 16,
    });
  });
});

describe('dummyVerify', () => {
  it('always refuses, whatever the password', async () => {
    expect(await dummyVerify(PASSWORD)).toEqual({ ok: false, needsRehash: false });
    expect(await dummyVerify('')).toEqual({ ok: false, needsRehash: false });
  });

  it('runs argon2 with exactly the current parameters, so it costs what a real verify costs', () => {
    expect(parsePasswordHash(DUMMY_PASSWORD_HASH)).toEqual({
      algorithm: 2,
      version: 1,
      ...CURRENT_ARGON2_PARAMS,
      saltLen: 16,
    });
  });
});
