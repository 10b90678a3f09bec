import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  KeyUnavailableError,
  LocalKeyringProvider,
  Pkcs11Provider,
  generateKey,
  type KeyProvider,
} from '../../src/crypto/index.js';
import { createSoftHsmToken, type SoftHsmToken } from '../support/softhsm.js';
import { useTempDir } from './support/temp-dir.js';

/**
 * The KeyProvider contract, once per provider: the local keyring and a PKCS#11 token (a real
 * SoftHSM2 token made for each test). Everything above the provider relies on exactly this.
 */
const dir = useTempDir();
let token: SoftHsmToken | undefined;
const open: KeyProvider[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  token?.cleanup();
  token = undefined;
});

interface Kind {
  name: string;
  /** A provider with its first KEK. */
  create(): Promise<KeyProvider>;
  /** The same KEKs opened again: a second process on the same installation. */
  reopen(): Promise<KeyProvider>;
  first: string;
  second: string;
}

const KINDS: Kind[] = [
  {
    name: 'local keyring',
    create: async () => LocalKeyringProvider.create(join(dir(), 'keyring.json')),
    reopen: async () => LocalKeyringProvider.open(join(dir(), 'keyring.json')),
    first: 'local-1',
    second: 'local-2',
  },
  {
    name: 'PKCS#11 (SoftHSM2)',
    create: async () => {
      token = createSoftHsmToken();
      return Pkcs11Provider.open(token.settings);
    },
    reopen: async () => Pkcs11Provider.open(token!.settings),
    first: 'pkcs11-1',
    second: 'pkcs11-2',
  },
];

describe.each(KINDS)('KeyProvider contract: $name', (kind) => {
  const make = async (again = false) => {
    const p = again ? await kind.reopen() : await kind.create();
    open.push(p);
    return p;
  };

  it('round-trips under the current KEK; the blob does not contain the key', async () => {
    const p = await make();
    const key = generateKey();
    const w = await p.wrapKey(key, 'data-key|Patient/1|1');
    expect(w.kekId).toBe(kind.first);
    expect(w.blob.includes(key)).toBe(false);
    expect((await p.unwrapKey(w, 'data-key|Patient/1|1')).equals(key)).toBe(true);
  });

  it('refuses another context, a relabelled KEK id and any flipped byte', async () => {
    const p = await make();
    const w = await p.wrapKey(generateKey(), 'ctx-a');
    await expect(p.unwrapKey(w, 'ctx-b')).rejects.toBeInstanceOf(KeyUnavailableError);
    await p.rotate();
    await expect(p.unwrapKey({ ...w, kekId: kind.second }, 'ctx-a')).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
    for (const i of [0, 1, 13, w.blob.length - 1]) {
      const blob = Buffer.from(w.blob);
      blob[i]! ^= 0x01;
      await expect(p.unwrapKey({ ...w, blob }, 'ctx-a'), `byte ${i}`).rejects.toBeInstanceOf(
        KeyUnavailableError,
      );
    }
  });

  it('refuses an unknown key version with KeyUnavailableError', async () => {
    const p = await make();
    const w = await p.wrapKey(generateKey(), 'ctx');
    const unknown = kind.first.replace(/\d+$/, '42');
    await expect(p.unwrapKey({ ...w, kekId: unknown }, 'ctx')).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('rotates: new wraps under the new version, old ones still unwrap, then retire', async () => {
    const p = await make();
    const key = generateKey();
    const old = await p.wrapKey(key, 'ctx');
    expect(await p.rotate()).toBe(kind.second);
    expect(p.currentKekId()).toBe(kind.second);
    expect((await p.wrapKey(generateKey(), 'ctx')).kekId).toBe(kind.second);
    expect((await p.unwrapKey(old, 'ctx')).equals(key)).toBe(true);

    await expect(p.retire(kind.second)).rejects.toBeInstanceOf(KeyUnavailableError);
    await p.retire(kind.first);
    expect(p.status()).toMatchObject({ kekIds: [kind.second], retiredKekIds: [kind.first] });
    await expect(p.unwrapKey(old, 'ctx')).rejects.toBeInstanceOf(KeyUnavailableError);
  });

  it('a second process picks up a rotation before its next wrap and unwraps the new version', async () => {
    const a = await make();
    const b = await make(true);
    await a.rotate();
    const fromB = await b.wrapKey(generateKey(), 'ctx');
    expect(fromB.kekId).toBe(kind.second);
    const fromA = await a.wrapKey(Buffer.alloc(32, 7), 'ctx2');
    expect((await b.unwrapKey(fromA, 'ctx2')).equals(Buffer.alloc(32, 7))).toBe(true);
  });
});
