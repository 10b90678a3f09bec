import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  KeyUnavailableError,
  LocalKeyringProvider,
  loadOrCreateSystemKey,
} from '../../src/crypto/index.js';
import { MemorySystemKeys } from './support/memory-system-keys.js';
import { useTempDir } from './support/temp-dir.js';

const dir = useTempDir();
const keyring = (): Promise<LocalKeyringProvider> =>
  LocalKeyringProvider.create(join(dir(), 'keyring.json'));

describe('loadOrCreateSystemKey', () => {
  it('creates a 32-byte key once, stores it wrapped, and returns the same key afterwards', async () => {
    const provider = await keyring();
    const repo = new MemorySystemKeys();
    const first = await loadOrCreateSystemKey('blind-index', provider, repo);
    expect(first).toHaveLength(32);
    const stored = repo.rows.get('blind-index');
    expect(stored?.kekId).toBe('local-1');
    expect(stored?.blob.includes(first)).toBe(false);

    const again = await loadOrCreateSystemKey('blind-index', provider, repo);
    expect(again.equals(first)).toBe(true);
    expect(repo.calls.insert).toBe(1);

    // A restarted process (keyring re-read from disk) gets the same key.
    const reopened = await LocalKeyringProvider.open(join(dir(), 'keyring.json'));
    expect((await loadOrCreateSystemKey('blind-index', reopened, repo)).equals(first)).toBe(true);
  });

  it('gives each purpose its own key', async () => {
    const provider = await keyring();
    const repo = new MemorySystemKeys();
    const a = await loadOrCreateSystemKey('blind-index', provider, repo);
    const b = await loadOrCreateSystemKey('cursor', provider, repo);
    expect(a.equals(b)).toBe(false);
  });

  it('is race-safe: concurrent first calls all return the one key that was stored', async () => {
    const provider = await keyring();
    const repo = new MemorySystemKeys();
    const keys = await Promise.all(
      Array.from({ length: 5 }, () => loadOrCreateSystemKey('audit-signing', provider, repo)),
    );
    expect(repo.calls.insert).toBe(5); // all five saw nothing and tried
    expect(repo.calls.insertRejected).toBe(4);
    const stored = await loadOrCreateSystemKey('audit-signing', provider, repo);
    for (const key of keys) expect(key.equals(stored)).toBe(true);
  });

  it('binds the purpose: a key stored under one purpose cannot be read as another', async () => {
    const provider = await keyring();
    const repo = new MemorySystemKeys();
    await loadOrCreateSystemKey('cursor', provider, repo);
    repo.rows.set('blind-index', repo.rows.get('cursor')!);
    await expect(loadOrCreateSystemKey('blind-index', provider, repo)).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });
});
