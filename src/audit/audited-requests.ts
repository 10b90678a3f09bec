import type { AuditDraft } from './entry.js';

/**
 * The request ids that already have a durable audit entry, so the HTTP layer's refusal hook
 * (src/http/refusal-audit.ts) writes one for a refused request only when the capability that
 * refused it did not. Fed by the group commit after each committed batch, drained when the
 * response has gone out. Bounded: if responses never arrive (aborted sockets that escaped the
 * hooks), the oldest ids are dropped, which can only cause an extra entry, never a missing one.
 */
export class AuditedRequests {
  readonly #ids = new Set<string>();

  constructor(private readonly max = 50_000) {}

  /** Called after a batch committed, with every draft it appended. */
  markDurable(drafts: readonly AuditDraft[]): void {
    for (const d of drafts) {
      if (d.requestId === undefined) continue;
      this.#ids.add(d.requestId);
      if (this.#ids.size > this.max) this.#ids.delete(this.#ids.values().next().value!);
    }
  }

  has(requestId: string): boolean {
    return this.#ids.has(requestId);
  }

  /** Forgets a request (its response has been sent or aborted). */
  forget(requestId: string): void {
    this.#ids.delete(requestId);
  }
}
