import type { SystemKeyRepository, WrappedKey } from '../../../src/crypto/index.js';
import { tick } from './memory-data-keys.js';

export class MemorySystemKeys implements SystemKeyRepository {
  readonly rows = new Map<string, WrappedKey>();
  readonly calls = { get: 0, insert: 0, insertRejected: 0 };

  async get(purpose: string): Promise<WrappedKey | undefined> {
    this.calls.get += 1;
    await tick();
    const row = this.rows.get(purpose);
    return row && { kekId: row.kekId, blob: Buffer.from(row.blob) };
  }

  async insert(purpose: string, w: WrappedKey): Promise<boolean> {
    this.calls.insert += 1;
    await tick();
    if (this.rows.has(purpose)) {
      this.calls.insertRejected += 1;
      return false;
    }
    this.rows.set(purpose, { kekId: w.kekId, blob: Buffer.from(w.blob) });
    return true;
  }
}
