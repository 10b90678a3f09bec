import type { Kysely } from 'kysely';
import type { BatchWriter, HavenDatabase } from '../store/index.js';
import type { AuditDraft } from './entry.js';
import { requestDraft, type RequestAuditFields, type RequestFacts } from './request-draft.js';

/** The transaction a unit of work runs in: the same one its audit entries are appended in. */
export type AuditedTransaction = Kysely<HavenDatabase>;

/**
 * Writes and the entries that record them, committed together. Exactly one of onSuccess and
 * onFailure gives the entries: onSuccess if `run` resolved (its writes are kept), onFailure if it
 * threw (its writes are rolled back, the entries of the failure still commit).
 */
export interface AuditedWork<T> {
  run: (trx: AuditedTransaction) => Promise<T>;
  onSuccess: (result: T) => AuditDraft[];
  onFailure: (error: unknown) => AuditDraft[];
}

/**
 * The one way into the audit trail (the audit port). Every promise settles only once its entries
 * are durable, and rejects (fail closed: nothing served, nothing acknowledged) when they cannot
 * be written; callers await it before they answer. Entries are group-committed with whatever else
 * is in flight, so awaiting costs one shared fsync, not one per entry.
 */
export interface AuditRecorder {
  /** One entry for what a request did: actor, address, user agent and request id from `ctx`. */
  record(ctx: RequestFacts, event: RequestAuditFields): Promise<void>;
  /** Complete entries: an actor that is not a request's principal (anonymous, system, CLI). */
  append(...drafts: AuditDraft[]): Promise<void>;
  /**
   * A unit of work in the audit transaction: its writes and its entries commit together or not
   * at all. Resolves with run's result, or rejects with run's error (its failure entries
   * durable), or with a store error when the transaction could not commit.
   */
  transact<T>(work: AuditedWork<T>): Promise<T>;
}

/** The port over the group-commit writer (the composition root makes one per Haven). */
export function auditRecorder(writer: BatchWriter<AuditDraft>): AuditRecorder {
  const append = (drafts: AuditDraft[]): Promise<void> =>
    writer.submit({ onSuccess: () => drafts, onFailure: () => [] });
  return {
    record: (ctx, event) => append([requestDraft(ctx, event)]),
    append: (...drafts) => append(drafts),
    transact: <T>(work: AuditedWork<T>) =>
      writer.submit<T>({
        run: work.run,
        // run is present, so the writer calls onSuccess with its result.
        onSuccess: (result) => work.onSuccess(result as T),
        onFailure: work.onFailure,
      }),
  };
}
