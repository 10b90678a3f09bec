import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import nodemailer, { type Transporter } from 'nodemailer';
import { alertText, type AlertChannel, type AlertMessage } from './delivery.js';

/**
 * The webhook signature (docs/alerts.md, "Verifying a webhook"): HMAC-SHA256 with the shared
 * secret over `${timestamp}.${body}`, hex, sent as `X-Haven-Signature: v1=<hex>` next to
 * `X-Haven-Timestamp: <unix seconds>`. The receiver recomputes it, compares in constant time
 * and refuses timestamps more than five minutes old (replays).
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly clock: () => Date,
    private readonly timeoutMs = 5000,
  ) {}

  async send(m: AlertMessage): Promise<void> {
    const body = JSON.stringify({ source: 'haven', ...m });
    const ts = Math.floor(this.clock().getTime() / 1000);
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.secret && {
          'x-haven-timestamp': String(ts),
          'x-haven-signature': signWebhook(this.secret, ts, body),
        }),
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
  }
}

export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
}

// RFC 5424 severities: critical, warning, notice. Facility 13 is "log audit".
const SYSLOG_SEVERITY: Record<string, number> = { high: 2, medium: 4, low: 5 };
const FACILITY = 13;

/** One RFC 5424 line with the alert's ids as structured data (private enterprise id 32473). */
export function syslogLine(m: AlertMessage, at: Date, hostname = os.hostname()): string {
  const pri = FACILITY * 8 + (SYSLOG_SEVERITY[m.severity] ?? 5);
  const sd = (v: string) => v.replace(/["\\\]]/g, (c) => `\\${c}`);
  const params = [
    `id="${sd(m.id)}"`,
    `rule="${sd(m.rule)}"`,
    `severity="${sd(m.severity)}"`,
    `count="${m.count}"`,
    ...(m.userId ? [`user="${sd(m.userId)}"`] : []),
    ...(m.ref ? [`ref="${sd(m.ref)}"`] : []),
  ].join(' ');
  const host = hostname.replace(/[^\x21-\x7e]/g, '').slice(0, 255) || '-';
  return `<${pri}>1 ${at.toISOString()} ${host} haven ${process.pid} alert [haven@32473 ${params}] ${alertText(m)}`;
}

/** RFC 5424 over UDP (one datagram per alert) or TCP (octet-counted frames, RFC 6587). */
export class SyslogChannel implements AlertChannel {
  readonly name = 'syslog';
  constructor(
    private readonly target: SyslogTarget,
    private readonly clock: () => Date,
    private readonly timeoutMs = 5000,
  ) {}

  send(m: AlertMessage): Promise<void> {
    const line = syslogLine(m, this.clock());
    return this.target.protocol === 'udp' ? this.udp(line) : this.tcp(line);
  }

  private udp(line: string): Promise<void> {
    const socket = dgram.createSocket(net.isIPv6(this.target.host) ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) =>
      socket.send(Buffer.from(line), this.target.port, this.target.host, (err) => {
        socket.close();
        if (err) reject(err);
        else resolve();
      }),
    );
  }

  private tcp(line: string): Promise<void> {
    const frame = `${Buffer.byteLength(line)} ${line}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.target.host, port: this.target.port });
      socket.setTimeout(this.timeoutMs, () => socket.destroy(new Error('syslog timeout')));
      socket.once('error', reject);
      socket.once('connect', () => socket.end(frame, () => resolve()));
    });
  }
}

/** A fixed, PHI-free email to the privacy officers: rule and ids, and where to look. */
export class EmailChannel implements AlertChannel {
  readonly name = 'email';
  private readonly transport: Transporter;
  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly to: readonly string[],
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(m: AlertMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: [...this.to],
      subject: `Haven security alert: ${m.rule} (${m.severity})`,
      text: `${alertText(m)}\n\nAlert id: ${m.id}\nFirst seen: ${m.firstSeen}\nLast seen: ${m.lastSeen}\nCount: ${m.count}\n`,
    });
  }
}
