import type { AlertRow } from '../store/index.js';

/**
 * What leaves the installation about one alert: its id, rule, severity, times, count, the
 * person's id and the Haven reference. No patient id (an auditor opens the alert in Haven to see
 * which record) and nothing from a record.
 */
export interface AlertMessage {
  id: string;
  rule: string;
  severity: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  userId: string | null;
  ref: string | null;
}

export function alertMessage(a: AlertRow): AlertMessage {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    firstSeen: a.firstSeen,
    lastSeen: a.lastSeen,
    count: a.count,
    userId: a.userId,
    ref: a.ref,
  };
}

/** The one fixed sentence every sink uses: rule and ids, nothing else. */
export function alertText(m: AlertMessage): string {
  return (
    `Haven security alert ${m.id}: rule ${m.rule}, severity ${m.severity}` +
    (m.userId ? `, user ${m.userId}` : '') +
    (m.ref ? `, ref ${m.ref}` : '') +
    `. Open the Alerts screen in Haven to review it.`
  );
}

/** A destination for stored alerts (webhook, syslog, email). */
export interface AlertChannel {
  readonly name: string;
  send(m: AlertMessage): Promise<void>;
}

interface Pending {
  channel: AlertChannel;
  message: AlertMessage;
  attempts: number;
  dueMs: number;
}

export interface DeliveryOptions {
  clock: () => Date;
  /** A channel failed (code only); it is retried with backoff. */
  onFailure: (channel: string, rule: string, attempts: number) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
}

/**
 * Sends stored alerts to every channel, retrying a failing channel with exponential backoff.
 * The alert is already in the database before it gets here, so a channel that is down loses
 * nothing: the auditor still sees it in Haven, and the channel gets it when it returns.
 */
export class AlertDelivery {
  private pending: Pending[] = [];
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channels: readonly AlertChannel[],
    private readonly o: DeliveryOptions,
  ) {}

  enqueue(alert: AlertRow): void {
    const now = this.o.clock().getTime();
    const message = alertMessage(alert);
    for (const channel of this.channels)
      this.pending.push({ channel, message, attempts: 0, dueMs: now });
    void this.flush();
  }

  /** Attempts every delivery that is due now; resolves when they have settled. */
  flush(): Promise<void> {
    this.running ??= this.attemptDue().finally(() => (this.running = undefined));
    return this.running;
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** Retries on a timer (the server); tests call flush() after moving their clock. */
  start(everyMs = 1000): void {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async attemptDue(): Promise<void> {
    // Loops so deliveries enqueued while a round ran are not left for the timer.
    for (;;) {
      const now = this.o.clock().getTime();
      const due = this.pending.filter((p) => p.dueMs <= now);
      if (due.length === 0) return;
      this.pending = this.pending.filter((p) => p.dueMs > now);
      await this.attempt(due);
    }
  }

  private async attempt(due: Pending[]): Promise<void> {
    const base = this.o.baseDelayMs ?? 5_000;
    const max = this.o.maxDelayMs ?? 15 * 60_000;
    await Promise.all(
      due.map(async (p) => {
        try {
          await p.channel.send(p.message);
        } catch {
          p.attempts++;
          this.o.onFailure(p.channel.name, p.message.rule, p.attempts);
          if (p.attempts < (this.o.maxAttempts ?? 20)) {
            p.dueMs = this.o.clock().getTime() + Math.min(max, base * 2 ** (p.attempts - 1));
            this.pending.push(p);
          }
        }
      }),
    );
  }
}
