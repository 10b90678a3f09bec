/** One version of one owner's data key, as the store keeps it: wrapped, never in the clear. */
export interface DataKeyRecord {
  owner: string;
  version: number;
  kekId: string;
  wrapped: Buffer;
  /** Encryptions reserved so far under this key, across all processes. */
  reserved: number;
  destroyed: boolean;
}

/**
 * Persistence of data keys, implemented by the store module. `insert` and `reserve` must be
 * atomic: they are what keeps two processes from issuing the same version or from jointly
 * exceeding a key's encryption budget.
 */
export interface DataKeyRepository {
  /** The owner's highest version, destroyed or not. */
  findCurrent(owner: string): Promise<DataKeyRecord | undefined>;
  find(owner: string, version: number): Promise<DataKeyRecord | undefined>;
  /** False if (owner, version) already exists: another process won the race. */
  insert(rec: { owner: string; version: number; kekId: string; wrapped: Buffer }): Promise<boolean>;
  /** Atomically adds `count` to `reserved` and returns the new total. */
  reserve(owner: string, version: number, count: number): Promise<number>;
}
