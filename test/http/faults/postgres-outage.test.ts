import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationName } from '../../../src/store/index.js';
import { canaryPatient } from '../../support/canary.js';
import { TEST_DATABASE_URL } from '../../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../../support/haven-server.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

/**
 * PostgreSQL going away: its backends terminated under load, and the network path to it cut and
 * restored. The server must not crash (a pg 'error' without a listener ends the process, and here
 * the process is the test's own), must answer 503 with Retry-After while PostgreSQL is away,
 * serve nothing without its audit entry, lose no acknowledged write and resume by itself.
 * Only this server's own connections are touched (by application_name, or behind its own proxy):
 * the shared PostgreSQL serves everyone else's tests meanwhile.
 */

/** Every answer is a success or a 503 that says when to come back; never a 500. */
function expectServedOrUnavailable(res: TestResponse, what: string): void {
  expect([200, 201, 503], `${what}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
  if (res.status === 503) {
    expect(res.headers['retry-after'], what).toBe('1');
    expect(res.json().resourceType).toBe('OperationOutcome');
  }
}

/** Every 2xx answer has its audit entry (by request id): nothing was served unaudited. */
async function expectAudited(t: TestServer, responses: TestResponse[]): Promise<void> {
  const audited = new Set((await t.haven.auditRepo.entries(0, 1_000_000)).map((r) => r.request_id));
  const served = responses.filter((r) => r.status < 300);
  expect(served.length).toBeGreaterThan(0);
  for (const r of served) expect(audited.has(String(r.headers['x-request-id']))).toBe(true);
}

describe('PostgreSQL backends terminated while requests run', () => {
  let t: TestServer;
  let admin: pg.Client;
  let ids: string[];
  beforeAll(async () => {
    t = await startTestServer('postgres');
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    ids = [];
    for (let n = 0; n < 3; n++) {
      ids.push(
        String((await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(n) })).json().id),
      );
    }
  });
  afterAll(async () => {
    await admin.end();
    await t.stop();
  });

  /** Terminates this test server's backends only (its application_name names its schema). */
  const terminateOwnBackends = async (): Promise<number> => {
    const r = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [applicationName(t.target.schema)],
    );
    return r.rows[0]!.n;
  };

  it('never crashes, answers only 2xx or 503 + Retry-After, and recovers by itself', async () => {
    const responses: TestResponse[] = [];
    const created: string[] = [];
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      const wave = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(100 + round * 12 + i) })
          : t.request('GET', `/fhir/R4/Patient/${ids[i % ids.length]}`),
      );
      // Ends the connections while this wave's queries and group commits are on them.
      terminated += await terminateOwnBackends();
      for (const res of await Promise.all(wave)) {
        expectServedOrUnavailable(res, `round ${round}`);
        responses.push(res);
        if (res.status === 201) created.push(String(res.json().id));
      }
    }
    expect(terminated).toBeGreaterThan(0);
    // Recovered: the pool opened new connections; reads and writes work without a restart.
    const read = await t.request('GET', `/fhir/R4/Patient/${ids[0]}`);
    expect(read.status).toBe(200);
    const write = await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(99) });
    expect(write.status).toBe(201);
    responses.push(read, write);
    // No acknowledged write was lost; nothing was served without its audit entry.
    for (const id of created)
      expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);
    await expectAudited(t, responses);
    expect(t.logs.some((l) => l.includes('"database-connection-lost"'))).toBe(true);
  });
});

describe('PostgreSQL unreachable (network path cut, then restored)', () => {
  let t: TestServer;
  let proxy: TcpProxy;
  let id: string;
  beforeAll(async () => {
    const pgUrl = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    t = await startTestServer('postgres', { databaseUrl: pgUrl.toString() });
    id = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(7) })).json().id,
    );
  });
  afterAll(async () => {
    proxy.restore();
    await t.stop();
    await proxy.close();
  });

  it('answers 503 with Retry-After on /fhir and /api while cut, then resumes without a restart', async () => {
    const before = await t.request('GET', `/fhir/R4/Patient/${id}`);
    expect(before.status).toBe(200);
    const auditBefore = await t.haven.auditRepo.countEntries();

    proxy.cut();
    const during = await Promise.all([
      t.request('GET', `/fhir/R4/Patient/${id}`),
      t.request('GET', '/fhir/R4/Patient?family=canarywing7'),
      t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(8) }),
    ]);
    for (const res of during) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json().resourceType).toBe('OperationOutcome');
      expect(res.text).not.toMatch(/Canarywing|ECONN|terminated|at .*\.js/);
    }
    const login = await t.request('POST', '/api/login', {
      token: null,
      headers: { 'content-type': 'application/json' },
      raw: JSON.stringify({
        email: 'nobody@clinic.example',
        password: 'violet harbour lantern 42',
      }),
    });
    expect(login.status).toBe(503);
    expect(login.headers['retry-after']).toBe('1');
    expect((login.json() as { error?: { code?: string } }).error?.code).toBe('transient');

    proxy.restore();
    const after = await t.request('GET', `/fhir/R4/Patient/${id}`);
    expect(after.status).toBe(200);
    const write = await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(9) });
    expect(write.status).toBe(201);
    // Only the two served requests after the outage were audited (the 503s served nothing, and
    // the write refused during the outage was not written).
    expect(await t.haven.auditRepo.countEntries()).toBe(auditBefore + 2);
    await expectAudited(t, [after, write]);
    expect((await t.request('GET', '/fhir/R4/Patient?family=canarywing8')).json().total).toBe(0);
  });
});
