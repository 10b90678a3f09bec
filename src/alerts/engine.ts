import type { AlertFilter, AlertRow, NewAlert } from '../store/index.js';
import type { AuditFact } from './facts.js';
import { evaluate, type RuleContext } from './rules.js';

/** Where alerts are kept (AlertRepository): one row per rule, subject and window. */
export interface AlertStore {
  record(a: NewAlert): Promise<{ row: AlertRow; created: boolean }>;
}

/** What the auditor's view needs of the store (AlertRepository): list, find, acknowledge. */
export interface AlertReview {
  list(f: AlertFilter): Promise<AlertRow[]>;
  find(id: string): Promise<AlertRow | undefined>;
  /** False when the alert is unknown or already acknowledged. */
  acknowledge(id: string, by: string, at: string, comment: string): Promise<boolean>;
}

export type { AlertRow };

export interface AlertEngineOptions extends RuleContext {
  store: AlertStore;
  newId: () => string;
  /** A newly stored alert, for the sinks (AlertDelivery.enqueue). */
  deliver: (alert: AlertRow) => void;
  /** A fact the engine could not evaluate or store: a code and the rule, never the fact. */
  onError: (code: string) => void;
  /** Facts waiting beyond this many are dropped (and reported): the requests never wait. */
  maxBacklog?: number;
}

/**
 * The rules engine on the audit stream (ADR 0030). `observe` is called after a batch of entries
 * is durable and returns at once: evaluation, storage and delivery happen afterwards, one fact
 * at a time in commit order, so an alert can never hold up or fail the request that caused it.
 */
export class AlertEngine {
  private tail: Promise<void> = Promise.resolve();
  private backlog = 0;

  constructor(private readonly o: AlertEngineOptions) {}

  observe(facts: readonly AuditFact[]): void {
    if (facts.length === 0) return;
    if (this.backlog + facts.length > (this.o.maxBacklog ?? 50_000)) {
      this.o.onError('alert-backlog-full');
      return;
    }
    this.backlog += facts.length;
    this.tail = this.tail.then(async () => {
      for (const f of facts) {
        this.backlog--;
        await this.process(f).catch((e: unknown) => this.o.onError(codeOf(e)));
      }
    });
  }

  /** Resolves once every fact observed so far is evaluated and stored (tests, shutdown). */
  idle(): Promise<void> {
    return this.tail;
  }

  private async process(f: AuditFact): Promise<void> {
    const dedupMs = this.o.settings.dedupMinutes * 60_000;
    for (const c of await evaluate(f, this.o)) {
      const bucket = Math.floor(Date.parse(c.at) / dedupMs);
      const { row, created } = await this.o.store.record({
        id: this.o.newId(),
        dedupKey: [c.rule, c.userId ?? '', c.patientId ?? '', c.ref ?? '', bucket].join('|'),
        ...c,
      });
      if (created) this.o.deliver(row);
    }
  }
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'alert-evaluation-failed';
}
