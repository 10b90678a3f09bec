/**
 * Security alerts: events a privacy officer must look at now, not only when reading the trail.
 * An alert carries ids and a rule name, never PHI (no names, no reasons, no record content), so
 * it is safe to send to a chat webhook or a pager. The audit trail (and, for break-glass, the
 * grant with its sealed reason) holds the details.
 */
export interface Alert {
  rule: 'break-glass' | 'privilege-request' | 'privilege-granted';
  severity: 'high' | 'medium' | 'low';
  at: string;
  /** The user or client whose action raised it. */
  actorId: string | null;
  /** An id to look up in Haven (a grant id), never a patient identifier. */
  ref?: string | undefined;
}

export interface AlertSink {
  send(alert: Alert): Promise<void>;
}

/**
 * Fans an alert out to every sink. Alerts follow the durable audit entry that records the same
 * event, so a failing sink never loses the fact; it is reported (without PHI) to `onSinkError`.
 */
export class AlertBus {
  constructor(
    private readonly sinks: readonly AlertSink[],
    private readonly onSinkError: (rule: string, err: unknown) => void = () => undefined,
  ) {}

  async raise(alert: Alert): Promise<void> {
    await Promise.all(
      this.sinks.map((s) => s.send(alert).catch((e: unknown) => this.onSinkError(alert.rule, e))),
    );
  }
}

/** The default sink: one structured warning per alert in the application log. */
export class LogAlertSink implements AlertSink {
  constructor(private readonly warn: (fields: Record<string, unknown>, msg: string) => void) {}

  send(alert: Alert): Promise<void> {
    this.warn({ event: 'security-alert', ...alert }, `security alert: ${alert.rule}`);
    return Promise.resolve();
  }
}

/**
 * POSTs each alert as JSON to an operator's endpoint (a pager, a chat hook, a SIEM relay). The
 * alert holds ids and a rule name only, so the body is safe to leave the installation.
 */
export class WebhookAlertSink implements AlertSink {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(alert: Alert): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'haven', ...alert }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
  }
}

/** Keeps alerts in memory (newest last), for the admin view and for tests of what was raised. */
export class MemoryAlertSink implements AlertSink {
  readonly alerts: Alert[] = [];
  constructor(private readonly limit = 1000) {}

  send(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    if (this.alerts.length > this.limit) this.alerts.shift();
    return Promise.resolve();
  }
}
