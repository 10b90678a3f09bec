import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { KeyUnavailableError, LocalKeyringProvider, generateKey } from '../../src/crypto/index.js';
import { useTempDir } from './support/temp-dir.js';

const dir = useTempDir();
const ringPath = (): string => join(dir(), 'keyring.json');
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('wrapKey / unwrapKey', () => {
  it('round-trips under the current KEK, binding the context', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    const key = generateKey();
    const wrapped = await provider.wrapKey(key, 'data-key|Patient/1|1');
    expect(wrapped.kekId).toBe('local-1');
    expect(wrapped.blob.includes(key)).toBe(false);
    expect((await provider.unwrapKey(wrapped, 'data-key|Patient/1|1')).equals(key)).toBe(true);
    await expect(provider.unwrapKey(wrapped, 'data-key|Patient/2|1')).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('refuses every single-byte alteration of the wrapped blob', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    const wrapped = await provider.wrapKey(generateKey(), 'ctx');
    for (let i = 0; i < wrapped.blob.length; i++) {
      const blob = Buffer.from(wrapped.blob);
      blob[i]! ^= 0x80;
      await expect(
        provider.unwrapKey({ ...wrapped, blob }, 'ctx'),
        `byte ${i}`,
      ).rejects.toBeInstanceOf(KeyUnavailableError);
    }
    await expect(
      provider.unwrapKey({ ...wrapped, blob: wrapped.blob.subarray(0, 20) }, 'ctx'),
    ).rejects.toBeInstanceOf(KeyUnavailableError);
  });

  it('refuses an unknown KEK id and a key wrapped by another keyring with the same id', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    const other = await LocalKeyringProvider.create(join(dir(), 'other.json'));
    const wrapped = await other.wrapKey(generateKey(), 'ctx');
    expect(wrapped.kekId).toBe('local-1');
    await expect(provider.unwrapKey(wrapped, 'ctx')).rejects.toBeInstanceOf(KeyUnavailableError);
    await expect(
      provider.unwrapKey({ ...wrapped, kekId: 'local-7' }, 'ctx'),
    ).rejects.toBeInstanceOf(KeyUnavailableError);
  });
});

describe('rotate', () => {
  it('adds a current KEK, keeps the old one for unwrapping, and rewrites the file 0600', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    const old = await provider.wrapKey(generateKey(), 'ctx');
    expect(await provider.rotate()).toBe('local-2');
    expect(provider.currentKekId()).toBe('local-2');
    expect((await provider.wrapKey(generateKey(), 'ctx')).kekId).toBe('local-2');
    expect(mode(ringPath())).toBe(0o600);
    expect(readdirSync(dir())).toEqual(['keyring.json']); // no temp file left behind

    const reopened = await LocalKeyringProvider.open(ringPath());
    expect(reopened.status()).toEqual({
      kind: 'local-keyring',
      currentKekId: 'local-2',
      kekIds: ['local-1', 'local-2'],
      retiredKekIds: [],
    });
    expect((await reopened.unwrapKey(old, 'ctx')).length).toBe(32);
  });

  it('serialises concurrent rotations into distinct versions', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    const ids = await Promise.all([provider.rotate(), provider.rotate(), provider.rotate()]);
    expect(ids).toEqual(['local-2', 'local-3', 'local-4']);
    expect((await LocalKeyringProvider.open(ringPath())).status().kekIds).toHaveLength(4);
  });

  it('stamps each KEK with the injected clock, on create and on a rotation after reopening', async () => {
    await LocalKeyringProvider.create(ringPath(), () => new Date('2031-02-03T04:05:06.000Z'));
    const reopened = await LocalKeyringProvider.open(
      ringPath(),
      () => new Date('2032-01-01T00:00:00.000Z'),
    );
    await reopened.rotate();
    const ring = JSON.parse(readFileSync(ringPath(), 'utf8')) as { keys: { created: string }[] };
    expect(ring.keys.map((k) => k.created)).toEqual([
      '2031-02-03T04:05:06.000Z',
      '2032-01-01T00:00:00.000Z',
    ]);
  });

  it('reports status without key material', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    const material = JSON.parse(readFileSync(ringPath(), 'utf8')).keys[0].material as string;
    expect(JSON.stringify(provider.status())).not.toContain(material);
  });
});
