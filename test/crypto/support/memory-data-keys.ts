import type { DataKeyRecord, DataKeyRepository } from '../../../src/crypto/index.js';

/** Yields to the event loop, as a real database round trip would. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * In-memory DataKeyRepository with the store's contract (atomic insert-if-absent and reserve)
 * and call counters, so tests can see exactly how much I/O the vault did.
 */
export class MemoryDataKeys implements DataKeyRepository {
  readonly rows = new Map<string, DataKeyRecord>();
  readonly calls = { findCurrent: 0, find: 0, insert: 0, insertRejected: 0, reserve: 0 };

  async findCurrent(owner: string): Promise<DataKeyRecord | undefined> {
    this.calls.findCurrent += 1;
    await tick();
    let best: DataKeyRecord | undefined;
    for (const row of this.rows.values()) {
      if (row.owner === owner && (best === undefined || row.version > best.version)) best = row;
    }
    return best && { ...best, wrapped: Buffer.from(best.wrapped) };
  }

  async find(owner: string, version: number): Promise<DataKeyRecord | undefined> {
    this.calls.find += 1;
    await tick();
    const row = this.rows.get(`${owner}\0${version}`);
    return row && { ...row, wrapped: Buffer.from(row.wrapped) };
  }

  async insert(rec: {
    owner: string;
    version: number;
    kekId: string;
    wrapped: Buffer;
  }): Promise<boolean> {
    this.calls.insert += 1;
    await tick();
    const key = `${rec.owner}\0${rec.version}`;
    if (this.rows.has(key)) {
      this.calls.insertRejected += 1;
      return false;
    }
    this.rows.set(key, {
      ...rec,
      wrapped: Buffer.from(rec.wrapped),
      reserved: 0,
      destroyed: false,
    });
    return true;
  }

  async reserve(owner: string, version: number, count: number): Promise<number> {
    this.calls.reserve += 1;
    await tick();
    const row = this.rows.get(`${owner}\0${version}`);
    if (row === undefined) throw new Error('reserve on a missing data key');
    row.reserved += count;
    return row.reserved;
  }

  row(owner: string, version: number): DataKeyRecord {
    const row = this.rows.get(`${owner}\0${version}`);
    if (row === undefined) throw new Error(`no data key ${owner} v${version}`);
    return row;
  }

  totalInserted(): number {
    return this.calls.insert - this.calls.insertRejected;
  }
}
