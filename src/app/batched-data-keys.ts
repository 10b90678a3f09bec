import type { AuditDraft } from '../audit/index.js';
import { DataKeyRepository, type BatchWriter, type DataKeyRow } from '../store/index.js';

/**
 * The vault's data-key store with its writes joined to the group commit. A new patient's key
 * (insert) and each budget reservation would otherwise be a transaction and an fsync of their
 * own per request; through the batch writer they share one with everything else in flight.
 * Reads go straight to the database.
 */
export class BatchedDataKeys {
  constructor(
    private readonly reads: DataKeyRepository,
    private readonly writer: BatchWriter<AuditDraft>,
    private readonly clock: () => Date,
  ) {}

  findCurrent(owner: string): Promise<DataKeyRow | undefined> {
    return this.reads.findCurrent(owner);
  }

  find(owner: string, version: number): Promise<DataKeyRow | undefined> {
    return this.reads.find(owner, version);
  }

  insert(rec: {
    owner: string;
    version: number;
    kekId: string;
    wrapped: Buffer;
  }): Promise<boolean> {
    return this.writer.submit({
      run: (trx) => new DataKeyRepository(trx, this.clock).insert(rec),
      onSuccess: () => [],
      onFailure: () => [],
    });
  }

  reserve(owner: string, version: number, count: number): Promise<number> {
    return this.writer.submit({
      run: (trx) => new DataKeyRepository(trx, this.clock).reserve(owner, version, count),
      onSuccess: () => [],
      onFailure: () => [],
    });
  }
}
