import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_PATTERN } from '../support/canary.js';
import { TEST_DATABASE_URL } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TestClock } from '../http/auth/sign-in.js';
import { messagingApi, messagingClinic, type MessagingClinic } from './messaging-fixture.js';

const BODY = 'Canary outage message: canary-symptom-71, glitterberries';

/**
 * PostgreSQL taken away behind a proxy (the shared server keeps serving everyone else): sending
 * and reading messages answer 503 with Retry-After and no content, nothing half-written is left,
 * and messaging resumes by itself once the database is back.
 */
describe('secure messaging while PostgreSQL is unreachable', () => {
  let proxy: TcpProxy;
  let t: TestServer;
  let clinic: MessagingClinic;
  let m: ReturnType<typeof messagingApi>;
  const clock = new TestClock();

  beforeAll(async () => {
    const pgUrl = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    t = await startTestServer('postgres', { clock: clock.fn, databaseUrl: pgUrl.toString() });
    clinic = await messagingClinic(t, clock, 71);
    m = messagingApi(t);
  }, 120_000);
  afterAll(async () => {
    proxy.restore();
    await t.stop();
    await proxy.close();
  });

  it('fails closed with 503 while cut, and resumes without a restart', async () => {
    const p = clinic.people;
    const started = await m.start(p.patient, { subject: 'Synthetic outage', text: 'before' });
    expect(started.status).toBe(201);
    const threadId = String(started.json().threadId);

    proxy.cut();
    const answers = [
      await m.reply(p.patient, threadId, { text: BODY }),
      await m.thread(p.doc, threadId),
      await m.start(p.patient, { subject: 'Synthetic', text: BODY }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.text).not.toMatch(CANARY_PATTERN);
      expect(res.text).not.toContain('before');
    }
    proxy.restore();

    let thread = await m.thread(p.doc, threadId);
    for (let i = 0; i < 20 && thread.status !== 200; i++) thread = await m.thread(p.doc, threadId);
    expect(thread.status).toBe(200);
    const texts = (thread.json() as unknown as { messages: { text: string }[] }).messages.map(
      (x) => x.text,
    );
    expect(texts).toEqual(['before']);
    expect((await m.reply(p.patient, threadId, { text: 'after' })).status).toBe(201);
    for (const line of t.logs) expect(line).not.toMatch(CANARY_PATTERN);
  });
});
