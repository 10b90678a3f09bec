import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canaryPatient } from '../../support/canary.js';
import { ENGINES } from '../../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../../support/haven-server.js';

/**
 * The in-flight limit (HAVEN_MAX_IN_FLIGHT, here 2): requests past it are refused at once with
 * 503 + Retry-After, before any work, and are not queued; the ones admitted complete; the audit
 * trail holds exactly one entry per served request. Requests are held in flight deterministically
 * by sending their headers and only half of their body.
 */
describe.each(ENGINES)('in-flight limit on %s', (engine) => {
  let t: TestServer;
  let id: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { HAVEN_MAX_IN_FLIGHT: '2' } });
    id = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(51) })).json().id,
    );
  });
  afterAll(async () => t.stop());

  /** A create whose body arrives only when `finish` is called: in flight until then. */
  const heldCreate = (n: number) => {
    const body = Buffer.from(JSON.stringify(canaryPatient(n)));
    let finish!: () => void;
    const done = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(
        new URL('/fhir/R4/Patient', t.server.url),
        {
          method: 'POST',
          ca: t.ca,
          servername: 'localhost',
          headers: {
            authorization: `Bearer ${t.token}`,
            'content-type': 'application/fhir+json',
            'content-length': String(body.length),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (s: string) => (text += s));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      finish = () => req.end(body.subarray(10));
    });
    return { done, finish: () => finish() };
  };

  it('refuses requests past the bound with 503 + Retry-After, queues none, and audits exactly what it served', async () => {
    const auditBefore = await t.haven.auditRepo.countEntries();
    const held = [heldCreate(52), heldCreate(53)];
    await vi.waitFor(() => expect(t.server.app.inFlight()).toBe(2), {
      timeout: 5000,
      interval: 10,
    });

    const refused: TestResponse[] = await Promise.all([
      ...Array.from({ length: 20 }, () => t.request('GET', `/fhir/R4/Patient/${id}`)),
      t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(54) }),
      t.request('GET', '/api/session', { token: null, headers: { accept: 'application/json' } }),
    ]);
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
    }
    expect(refused[0]!.json().resourceType).toBe('OperationOutcome');
    expect((refused.at(-1)!.json() as { error?: { code?: string } }).error?.code).toBe('transient');
    // Nothing was queued behind the bound: only the two held requests are in flight.
    expect(t.server.app.inFlight()).toBe(2);
    expect(await t.haven.auditRepo.countEntries()).toBe(auditBefore);

    for (const h of held) h.finish();
    const created = await Promise.all(held.map((h) => h.done));
    for (const c of created) expect(c.status).toBe(201);
    await vi.waitFor(() => expect(t.server.app.inFlight()).toBe(0), {
      timeout: 5000,
      interval: 10,
    });
    const after = await t.request('GET', `/fhir/R4/Patient/${id}`);
    expect(after.status).toBe(200);
    // One audit entry per served request (two creates, one read); none for the refusals.
    expect(await t.haven.auditRepo.countEntries()).toBe(auditBefore + 3);
    expect(await t.haven.records.resources.countLive()).toBe(3);
  });
});
