import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertDelivery,
  EmailChannel,
  SyslogChannel,
  WebhookChannel,
  verifyWebhook,
} from '../../src/alerts/index.js';
import type { AlertRow } from '../../src/store/index.js';
import { MINUTE, TestClock } from '../http/auth/sign-in.js';
import { receivers, until, type Receivers } from './sinks.js';

const alert: AlertRow = {
  id: 'a-1',
  rule: 'vip-access',
  severity: 'high',
  userId: 'u-1',
  patientId: 'p-secret-id',
  ref: null,
  firstSeen: '2031-05-06T07:00:00.000Z',
  lastSeen: '2031-05-06T07:00:00.000Z',
  count: 1,
  status: 'open',
  ackBy: null,
  ackAt: null,
  ackComment: null,
};

describe('alert channels', () => {
  let r: Receivers;
  const clock = new TestClock();
  beforeAll(async () => {
    r = await receivers();
  });
  afterAll(async () => {
    await r.close();
  });

  it('webhook: HMAC-SHA256 over timestamp and body, verifiable, refused with another secret or late', async () => {
    const d = new AlertDelivery([new WebhookChannel(r.webhookUrl, 'shared-secret', clock.fn)], {
      clock: clock.fn,
      onFailure: () => undefined,
    });
    d.enqueue(alert);
    await d.flush();
    const [got] = r.webhook.splice(0);
    const headers = {
      timestamp: got!.headers['x-haven-timestamp'] as string,
      signature: got!.headers['x-haven-signature'] as string,
    };
    expect(headers.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    const now = clock.now.getTime();
    expect(verifyWebhook('shared-secret', headers, got!.body, now)).toBe(true);
    expect(verifyWebhook('other-secret', headers, got!.body, now)).toBe(false);
    expect(verifyWebhook('shared-secret', headers, got!.body.replace('u-1', 'u-2'), now)).toBe(
      false,
    );
    expect(verifyWebhook('shared-secret', headers, got!.body, now + 10 * MINUTE)).toBe(false);
    expect(JSON.parse(got!.body)).toMatchObject({ source: 'haven', id: 'a-1', rule: 'vip-access' });
    // The patient id stays in Haven: the receiver gets the alert id to look it up.
    expect(got!.body).not.toContain('p-secret-id');
  });

  it('syslog: one RFC 5424 datagram over UDP, and an octet-counted frame over TCP', async () => {
    const d = new AlertDelivery(
      [
        new SyslogChannel({ host: '127.0.0.1', port: r.udpPort, protocol: 'udp' }, clock.fn),
        new SyslogChannel({ host: '127.0.0.1', port: r.tcpPort, protocol: 'tcp' }, clock.fn),
      ],
      { clock: clock.fn, onFailure: () => undefined },
    );
    d.enqueue(alert);
    await d.flush();
    await until(() => r.udp.length === 1 && r.tcp.length === 1, 'syslog');
    const line = r.udp[0]!;
    // <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG; PRI = 13*8 + 2 (critical).
    expect(line).toMatch(
      /^<106>1 2031-05-06T07:00:00\.000Z \S+ haven \d+ alert \[haven@32473 id="a-1" rule="vip-access" severity="high" count="1" user="u-1"\] Haven security alert a-1/,
    );
    const frame = r.tcp[0]!;
    const space = frame.indexOf(' ');
    expect(Number(frame.slice(0, space))).toBe(Buffer.byteLength(frame.slice(space + 1)));
    expect(frame.slice(space + 1)).toBe(line);
    expect(line).not.toContain('p-secret-id');
  });

  it('email: a fixed PHI-free text through a real SMTP server', async () => {
    const d = new AlertDelivery(
      [new EmailChannel(r.smtpUrl, 'haven@clinic.example', ['privacy@clinic.example'])],
      { clock: clock.fn, onFailure: () => undefined },
    );
    d.enqueue(alert);
    await d.flush();
    await until(() => r.mail.length === 1, 'mail');
    expect(r.mail[0]).toContain('Subject: Haven security alert: vip-access (high)');
    expect(r.mail[0]).toContain('Alert id: a-1');
    expect(r.mail[0]).not.toContain('p-secret-id');
  });

  it('a channel that is down is retried with backoff and gets the alert when it is back', async () => {
    const failures: number[] = [];
    const d = new AlertDelivery([new WebhookChannel(r.webhookUrl, 's', clock.fn)], {
      clock: clock.fn,
      onFailure: (_c, _r, attempts) => failures.push(attempts),
      baseDelayMs: 5_000,
    });
    r.status.code = 503;
    d.enqueue({ ...alert, id: 'a-down' });
    await d.flush();
    expect(failures).toEqual([1]);
    // Not due yet: nothing is attempted before the backoff.
    clock.advance(4_000);
    await d.flush();
    expect(failures).toEqual([1]);
    clock.advance(1_000);
    await d.flush();
    expect(failures).toEqual([1, 2]); // next wait is 10 s
    r.status.code = 204;
    clock.advance(10_000);
    await d.flush();
    expect(d.waiting).toBe(0);
    expect(r.webhook.map((w) => JSON.parse(w.body).id)).toEqual(['a-down']);
    r.webhook.splice(0);
  });
});
