import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  KeyringExistsError,
  KeyringMissingError,
  KeyringUnreadableError,
  LocalKeyringProvider,
  generateKey,
} from '../../src/crypto/index.js';
import { useTempDir } from './support/temp-dir.js';

const dir = useTempDir();
const ringPath = (): string => join(dir(), 'keyring.json');
const mode = (path: string): number => statSync(path).mode & 0o777;

function writeRing(contents: string, fileMode = 0o600): string {
  const path = ringPath();
  writeFileSync(path, contents, { mode: fileMode });
  chmodSync(path, fileMode); // the umask may have narrowed it
  return path;
}

const validRing = (): Record<string, unknown> => ({
  format: 'haven-keyring/1',
  current: 'local-1',
  keys: [
    {
      id: 'local-1',
      created: new Date().toISOString(),
      material: generateKey().toString('base64'),
    },
  ],
});

describe('LocalKeyringProvider.create', () => {
  it('writes a keyring of the documented shape with mode 0600', async () => {
    const provider = await LocalKeyringProvider.create(ringPath());
    expect(mode(ringPath())).toBe(0o600);
    const doc = JSON.parse(readFileSync(ringPath(), 'utf8'));
    expect(doc.format).toBe('haven-keyring/1');
    expect(doc.current).toBe('local-1');
    expect(doc.keys).toHaveLength(1);
    expect(Buffer.from(doc.keys[0].material, 'base64')).toHaveLength(32);
    expect(Number.isNaN(Date.parse(doc.keys[0].created))).toBe(false);
    expect(provider.kind).toBe('local-keyring');
    expect(provider.currentKekId()).toBe('local-1');
  });

  it('refuses to overwrite an existing keyring and leaves it untouched', async () => {
    await LocalKeyringProvider.create(ringPath());
    const before = readFileSync(ringPath(), 'utf8');
    await expect(LocalKeyringProvider.create(ringPath())).rejects.toBeInstanceOf(
      KeyringExistsError,
    );
    expect(readFileSync(ringPath(), 'utf8')).toBe(before);
  });
});

describe('LocalKeyringProvider.open', () => {
  it('opens what create wrote, with the same keys', async () => {
    const created = await LocalKeyringProvider.create(ringPath());
    const wrapped = await created.wrapKey(generateKey(), 'ctx');
    const opened = await LocalKeyringProvider.open(ringPath());
    expect((await opened.unwrapKey(wrapped, 'ctx')).length).toBe(32);
  });

  it('refuses a missing file with KeyringMissingError', async () => {
    const error = await LocalKeyringProvider.open(ringPath()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringMissingError);
    expect((error as KeyringMissingError).code).toBe('keyring-missing');
  });

  it('refuses a group- or world-readable file and says how to fix it', async () => {
    for (const fileMode of [0o644, 0o640, 0o604, 0o660]) {
      const path = writeRing(JSON.stringify(validRing()), fileMode);
      const error = await LocalKeyringProvider.open(path).catch((e: unknown) => e);
      expect(error, fileMode.toString(8)).toBeInstanceOf(KeyringUnreadableError);
      expect((error as Error).message).toContain('chmod 600');
    }
  });

  it('accepts owner-only modes 0600 and 0400', async () => {
    for (const fileMode of [0o600, 0o400]) {
      const path = writeRing(JSON.stringify(validRing()), fileMode);
      await expect(LocalKeyringProvider.open(path)).resolves.toBeInstanceOf(LocalKeyringProvider);
      chmodSync(path, 0o600);
    }
  });

  const malformed: [string, string][] = [
    ['not JSON', '{"format":'],
    ['a JSON array', '[]'],
    ['another format', JSON.stringify({ ...validRing(), format: 'haven-keyring/2' })],
    ['no keys', JSON.stringify({ ...validRing(), keys: [] })],
    ['a current that names no key', JSON.stringify({ ...validRing(), current: 'local-9' })],
    [
      'a 16-byte key',
      JSON.stringify({
        ...validRing(),
        keys: [
          { id: 'local-1', created: '2024-01-01T00:00:00Z', material: 'AAAAAAAAAAAAAAAAAAAAAA==' },
        ],
      }),
    ],
    [
      'material that is not base64',
      JSON.stringify({
        ...validRing(),
        keys: [{ id: 'local-1', created: '2024-01-01T00:00:00Z', material: '!'.repeat(44) }],
      }),
    ],
    [
      'duplicate ids',
      (() => {
        const ring = validRing();
        const keys = ring.keys as unknown[];
        return JSON.stringify({ ...ring, keys: [keys[0], keys[0]] });
      })(),
    ],
  ];
  for (const [what, contents] of malformed) {
    it(`refuses ${what} with KeyringUnreadableError`, async () => {
      const error = await LocalKeyringProvider.open(writeRing(contents)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyringUnreadableError);
      expect((error as KeyringUnreadableError).code).toBe('keyring-unreadable');
    });
  }

  it('never puts key material in an error message', async () => {
    const ring = validRing();
    const material = (ring.keys as { material: string }[])[0]!.material;
    const error = await LocalKeyringProvider.open(writeRing(JSON.stringify(ring), 0o644)).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).not.toContain(material);
  });
});
