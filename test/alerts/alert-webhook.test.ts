import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertBus, MemoryAlertSink, WebhookAlertSink, type Alert } from '../../src/alerts/index.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, TestClock } from '../http/auth/sign-in.js';
import { buildClinic, signInRole, type Clinic } from '../http/access/clinic.js';

/** A real HTTP endpoint stands in for the operator's pager or chat hook. */
function receiver(status: () => number) {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(status()).end();
    });
  });
  return { server, bodies };
}

const listen = async (server: http.Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
};

const alert: Alert = {
  rule: 'break-glass',
  severity: 'high',
  at: '2031-05-06T07:00:00.000Z',
  actorId: 'u1',
  ref: 'g1',
};

describe('alert sinks', () => {
  it('posts an alert as JSON, and a failing sink neither stops the others nor throws', async () => {
    let code = 204;
    const r = receiver(() => code);
    const url = await listen(r.server);
    const memory = new MemoryAlertSink();
    const errors: string[] = [];
    const bus = new AlertBus([new WebhookAlertSink(url), memory], (rule) => errors.push(rule));
    await bus.raise(alert);
    expect(JSON.parse(r.bodies[0]!)).toEqual({ source: 'haven', ...alert });
    code = 500;
    await bus.raise({ ...alert, ref: 'g2' });
    expect(memory.alerts.map((a) => a.ref)).toEqual(['g1', 'g2']);
    expect(errors).toEqual(['break-glass']);
    r.server.close();
  });
});

describe('break-glass alert to a webhook', () => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();
  const r = receiver(() => 204);

  beforeAll(async () => {
    const url = await listen(r.server);
    t = await startTestServer('sqlite', { clock: clock.fn, env: { HAVEN_ALERT_WEBHOOK: url } });
    clinic = await buildClinic(t);
  }, 120_000);
  afterAll(async () => {
    await t.stop();
    r.server.close();
  });

  it('reaches the configured endpoint with ids only', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const reason = 'Synthetic emergency: webhook test reason';
    const res = await api(t, 'POST', '/api/break-glass', {
      jar: doc.jar,
      body: { patient: clinic.patients.none, reason },
    });
    expect(res.status).toBe(201);
    const grant = (res.json() as { grant: { id: string } }).grant;
    // The alert stream stores the alert and delivers it after the response.
    await t.haven.alertStream.engine.idle();
    await t.haven.alertStream.delivery.flush();
    const bodies = r.bodies.filter(
      (b) => (JSON.parse(b) as { rule: string }).rule === 'break-glass',
    );
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({
      source: 'haven',
      rule: 'break-glass',
      userId: doc.user.userId,
      ref: grant.id,
    });
    expect(bodies[0]).not.toContain(clinic.patients.none);
    expect(bodies[0]).not.toContain('webhook test reason');
  });
});
