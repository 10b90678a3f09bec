import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openHaven } from '../../../src/app/index.js';
import { resolveConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/logging/index.js';
import { canaryPatient } from '../../support/canary.js';
import { makeTarget } from '../../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../../support/haven-server.js';
import { freePort, ownRedis, type OwnRedis } from '../../support/redis-server.js';
import { api, createUser, signIn, TestClock, type Jar, type TestUser } from '../auth/sign-in.js';

/**
 * Redis (sessions, passkey challenges) going away, on a redis-server started for this test:
 * stopped, frozen, and started again on the same port. While it is away, requests that need it
 * complete with 503 + Retry-After (they do not hang, and they are not 500s); requests that do not
 * need it (API clients) are served; when it returns, the same session works again by itself.
 */
function expectUnavailable(res: TestResponse, fhir: boolean): void {
  expect(res.status, res.text.slice(0, 200)).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  if (fhir) expect(res.json().resourceType).toBe('OperationOutcome');
  else expect((res.json() as { error?: { code?: string } }).error?.code).toBe('transient');
}

describe('Redis unreachable at start', () => {
  it('refuses to start, naming REDIS_URL and the address (never a password)', async () => {
    const target = await makeTarget('sqlite');
    const port = await freePort();
    const config = resolveConfig(
      { data: target.dataDir, port: 0 },
      { REDIS_URL: `redis://:hunter2secret@127.0.0.1:${port}` },
    );
    try {
      const opened = openHaven(config, { logger: createLogger('silent') });
      await expect(opened).rejects.toMatchObject({ code: 'redis-unreachable' });
      const message = await opened.then(
        () => '',
        (e: Error) => e.message,
      );
      expect(message).toContain(`127.0.0.1:${port}`);
      expect(message).toContain('REDIS_URL');
      expect(message).not.toContain('hunter2secret');
    } finally {
      await target.cleanup();
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('Redis going away on %s', (engine) => {
  let redis: OwnRedis;
  let t: TestServer;
  const clock = new TestClock();
  let jar: Jar;
  let user: TestUser;
  let patientId: string;
  beforeAll(async () => {
    redis = await ownRedis();
    t = await startTestServer(engine, {
      clock: clock.fn,
      env: { REDIS_URL: redis.url, HAVEN_REDIS_TIMEOUT_MS: '200' },
    });
    user = await createUser(t, clock, { totp: true });
    jar = await signIn(t, clock, user);
    patientId = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(41) })).json().id,
    );
  });
  afterAll(async () => {
    await redis.start().catch(() => undefined);
    await t.stop();
    await redis.cleanup();
  });

  const session = () => api(t, 'GET', '/api/session', { jar });
  const fhirWithSession = () =>
    t.request('GET', `/fhir/R4/Patient/${patientId}`, {
      token: null,
      headers: { cookie: `__Host-haven_session=${jar.session}` },
    });

  it('fails closed with 503 while Redis is stopped, serves API clients, and resumes when it returns', async () => {
    expect((await session()).status).toBe(200);

    await redis.stop();
    expectUnavailable(await session(), false);
    expectUnavailable(await fhirWithSession(), true);
    // Signing in needs a new session in Redis: refused, and no cookie is handed out.
    const login = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: user.password },
      jar: {},
      csrf: false,
    });
    expectUnavailable(login, false);
    expect(login.headers['set-cookie']).toBeUndefined();
    // Bearer-token clients do not use Redis: still served (and audited).
    expect((await t.request('GET', `/fhir/R4/Patient/${patientId}`)).status).toBe(200);

    await redis.start();
    await vi.waitFor(async () => expect((await session()).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    });
    expect(t.logs.some((l) => l.includes('"redis-unavailable"'))).toBe(true);
  });

  it('fails closed with 503 when Redis stops answering (frozen), and resumes when it answers again', async () => {
    redis.freeze();
    try {
      // The command times out (HAVEN_REDIS_TIMEOUT_MS): the request completes, with a 503.
      expectUnavailable(await session(), false);
    } finally {
      redis.thaw();
    }
    await vi.waitFor(async () => expect((await session()).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    });
  });
});
