import type { AlertFilter, AlertRow, NewAlert } from '../store/index.js';
import type { AuditFact } from './facts.js';
import { evaluate, recount, type AlertCandidate, type RuleContext } from './rules.js';

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
  /**
   * Facts waiting beyond this many are refused (the requests never wait): each refusal is
   * counted (`dropped`), reported through `onDrop` and raises one `alerts-dropped` alert per
   * de-duplication window, so a loss is never silent.
   */
  maxBacklog?: number;
  /** Facts refused because the backlog was full (how many in this batch). */
  onDrop?: (facts: number) => void;
  /** The time an `alerts-dropped` alert carries (the application clock). */
  clock?: () => Date;
  /**
   * How the evaluation is put off the request's path: by default to the event loop's next
   * check phase (setImmediate), so the responses of the committed batch leave first.
   */
  defer?: (run: () => void) => void;
}

/** Sightings folded before they are stored even while the stream keeps coming. */
const FOLD_LIMIT = 256;

/**
 * Once an alert is stored, its further sightings (a count and a last time, nothing an auditor
 * acts on that the stored row does not already say) are stored at most this often: a physician
 * reading after hours raises the same alert on every read, and each store is a write in the
 * audit trail's commit. `idle()` (shutdown, tests) stores whatever is held at once.
 */
export const STORE_SIGHTINGS_EVERY_MS = 5_000;

/** Sightings of one alert (rule, subject, de-duplication window) not yet stored. */
interface Folded {
  candidate: AlertCandidate;
  sightings: number;
  lastAt: string;
}

/**
 * The rules engine on the audit stream (ADR 0030). `observe` is called after a batch of entries
 * is durable and returns at once: evaluation, storage and delivery happen afterwards, in commit
 * order, batch by batch. A fact whose counters and subject facts are at hand is evaluated without
 * a promise; the engine waits only on what is not (a lookup, Redis, storing an alert).
 */
export class AlertEngine {
  private queue: AuditFact[][] = [];
  private folded = new Map<string, Folded>();
  private foldedSightings = 0;
  /** When each stored alert was last written (application clock, ms), for the hold above. */
  private storedAt = new Map<string, number>();
  /** The next drain stores every held sighting (idle(), or the hold's timer). */
  private storeAll = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private backlog = 0;
  private scheduled = false;
  private waiters: (() => void)[] = [];
  private droppedFacts = 0;
  private overflowInFlight = false;
  private gate: Promise<void> | undefined;

  constructor(private readonly o: AlertEngineOptions) {}

  observe(facts: readonly AuditFact[]): void {
    if (facts.length === 0) return;
    if (this.backlog + facts.length > (this.o.maxBacklog ?? 50_000)) {
      this.drop(facts);
      return;
    }
    this.backlog += facts.length;
    this.queue.push(facts as AuditFact[]);
    this.schedule();
  }

  /**
   * Feeds entries written before this engine started (the last window of the trail) into the
   * window counters, raising nothing: after a restart a threshold counts what came before it.
   */
  rebuild(load: () => Promise<Iterable<AuditFact>>): Promise<number> {
    const done = (async () => {
      let n = 0;
      for (const f of await load()) {
        const r = recount(f, this.o);
        if (r instanceof Promise) await r;
        n++;
      }
      return n;
    })();
    // New facts wait for the old ones to be counted, so no threshold is judged on half a window.
    const gate = done.then(
      () => undefined,
      (e: unknown) => this.o.onError(codeOf(e)),
    );
    this.gate = gate;
    void gate.then(() => {
      if (this.gate === gate) this.gate = undefined;
    });
    return done;
  }

  /** Facts refused since start because the backlog was full. */
  get dropped(): number {
    return this.droppedFacts;
  }

  /** Sightings evaluated and not yet stored (held for STORE_SIGHTINGS_EVERY_MS, or folding). */
  get held(): number {
    return this.foldedSightings;
  }

  /** Facts observed and not yet evaluated. */
  get waiting(): number {
    return this.backlog;
  }

  /** Resolves once every fact observed so far is evaluated and stored (tests, shutdown). */
  idle(): Promise<void> {
    if (this.folded.size > 0) {
      this.storeAll = true;
      this.schedule();
    }
    if (!this.scheduled && this.backlog === 0 && !this.overflowInFlight) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    (this.o.defer ?? setImmediate)(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      if (this.gate) await this.gate;
      for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) {
        for (const f of batch) {
          this.backlog--;
          try {
            const found = evaluate(f, this.o);
            const candidates = found instanceof Promise ? await found : found;
            for (const c of candidates) this.fold(c);
          } catch (e) {
            this.o.onError(codeOf(e));
          }
        }
        // One write per alert for what the stream raised so far: once it has caught up, or
        // every FOLD_LIMIT sightings while it keeps coming. A physician reading after hours
        // raises the same alert on every read; stored one by one, each read cost a write.
        if (this.queue.length === 0 || this.foldedSightings >= FOLD_LIMIT) await this.flush();
      }
      if (this.storeAll) await this.flush();
    } finally {
      this.scheduled = false;
      if (this.queue.length > 0) this.schedule();
      else this.settle();
    }
  }

  private settle(): void {
    if (this.scheduled || this.backlog > 0 || this.overflowInFlight) return;
    if (this.folded.size > 0 && this.waiters.length > 0) {
      // Someone waits for everything to be stored: held sightings go now.
      this.storeAll = true;
      this.schedule();
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The alert's key: rule, subject and de-duplication window (unique in the store). */
  private dedupKey(c: AlertCandidate): string {
    const bucket = Math.floor(Date.parse(c.at) / (this.o.settings.dedupMinutes * 60_000));
    return [c.rule, c.userId ?? '', c.patientId ?? '', c.ref ?? '', bucket].join('|');
  }

  private fold(c: AlertCandidate): void {
    const key = this.dedupKey(c);
    const f = this.folded.get(key);
    if (f) {
      f.sightings++;
      if (c.at > f.lastAt) f.lastAt = c.at;
    } else this.folded.set(key, { candidate: c, sightings: 1, lastAt: c.at });
    this.foldedSightings++;
  }

  /**
   * Stores the folded sightings, one record per alert; a failure is reported, not thrown. A new
   * alert is stored at once; more sightings of a stored one wait for STORE_SIGHTINGS_EVERY_MS or
   * FOLD_LIMIT, unless everything must go now.
   */
  private async flush(): Promise<void> {
    const all = this.storeAll;
    this.storeAll = false;
    const now = (this.o.clock?.() ?? new Date()).getTime();
    const due = [...this.folded].filter(([key, f]) => {
      const last = this.storedAt.get(key);
      return (
        all ||
        last === undefined ||
        now - last >= STORE_SIGHTINGS_EVERY_MS ||
        f.sightings >= FOLD_LIMIT
      );
    });
    for (const [key, f] of due) {
      this.folded.delete(key);
      this.foldedSightings -= f.sightings;
    }
    for (const [key, f] of due) {
      try {
        await this.record(key, f.candidate, f.sightings, f.lastAt);
        this.storedAt.set(key, now);
      } catch (e) {
        this.o.onError(codeOf(e));
      }
    }
    this.forgetOldKeys(now);
    if (this.folded.size > 0 && !this.holdTimer) {
      // Held sightings are stored even if the stream stops here.
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        this.storeAll = true;
        this.schedule();
      }, STORE_SIGHTINGS_EVERY_MS);
      this.holdTimer.unref();
    }
  }

  /** A key's window has passed: its next sighting is a new alert (a new key) anyway. */
  private forgetOldKeys(now: number): void {
    if (this.storedAt.size < 1024) return;
    const windowMs = this.o.settings.dedupMinutes * 60_000;
    for (const [key, at] of this.storedAt) if (now - at > windowMs) this.storedAt.delete(key);
  }

  private async record(key: string, c: AlertCandidate, sightings: number, lastAt: string) {
    const { row, created } = await this.o.store.record({
      id: this.o.newId(),
      dedupKey: key,
      ...c,
      sightings,
      lastAt,
    });
    if (created) this.o.deliver(row);
  }

  /**
   * The backlog is full: the batch is refused, counted and reported, and an `alerts-dropped`
   * alert is stored (one per de-duplication window; later refusals raise its count). One store
   * at a time, so an overflow does not become a flood of writes.
   */
  private drop(facts: readonly AuditFact[]): void {
    this.droppedFacts += facts.length;
    this.o.onError('alert-backlog-full');
    this.o.onDrop?.(facts.length);
    if (this.overflowInFlight) return;
    this.overflowInFlight = true;
    const at = (
      this.o.clock?.() ?? new Date(Date.parse(facts[facts.length - 1]!.at))
    ).toISOString();
    const c: AlertCandidate = {
      rule: 'alerts-dropped',
      severity: 'high',
      at,
      userId: null,
      patientId: null,
      ref: null,
    };
    this.record(this.dedupKey(c), c, 1, at)
      .catch((e: unknown) => this.o.onError(codeOf(e)))
      .finally(() => {
        this.overflowInFlight = false;
        this.settle();
      });
  }
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'alert-evaluation-failed';
}
