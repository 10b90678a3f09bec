import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/** Issue 21 part 4: liveness and readiness probes that say nothing an attacker could use. */
describe.each(ENGINES)('/healthz and /readyz on %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(async () => t.stop());

  it('/healthz answers without credentials, version or host details', async () => {
    const res = await t.request('GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('/readyz is 200 while the database and keyring work, checking both', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.request('GET', '/readyz', { token: null })),
    );
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok', keys: 'ok' } });
      expect(res.text).not.toMatch(/version|haven\.db|keyring\.json|127\.0\.0\.1|postgres/i);
    }
  });

  it('/readyz is 503 with Retry-After when the keyring no longer opens the keys', async () => {
    // The stored key now names a KEK this keyring lacks: the unwrap every read needs fails.
    const db = t.haven.database.db;
    await sql`UPDATE system_keys SET kek_id = 'local-9' WHERE purpose = 'search-cursor'`.execute(
      db,
    );
    try {
      const res = await t.request('GET', '/readyz', { token: null });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ status: 'not-ready', checks: { database: 'ok', keys: 'fail' } });
    } finally {
      await sql`UPDATE system_keys SET kek_id = 'local-1' WHERE purpose = 'search-cursor'`.execute(
        db,
      );
    }
    expect((await t.request('GET', '/readyz', { token: null })).status).toBe(200);
  });
});

/** A Redis of this test's own, so stopping it touches no one else's. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (String(d).includes('Ready to accept connections')) resolve(child);
    });
    child.on('error', reject);
  });
}

describe('/readyz with Redis configured', () => {
  let t: TestServer;
  let redis: ChildProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await startTestServer('sqlite', { env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await t.stop();
    redis.kill('SIGKILL');
  });

  it('checks Redis, fails when it goes away and recovers when it returns', async () => {
    const ok = await t.request('GET', '/readyz', { token: null });
    expect(ok.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', keys: 'ok', redis: 'ok' },
    });

    const gone = new Promise((r) => redis.once('exit', r));
    redis.kill('SIGKILL');
    await gone;
    const down = await t.request('GET', '/readyz', { token: null });
    expect(down.status).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not-ready', checks: { redis: 'fail' } });

    redis = await startRedis(port);
    // ioredis reconnects by itself; readiness follows once it has.
    await vi.waitFor(
      async () => {
        expect((await t.request('GET', '/readyz', { token: null })).status).toBe(200);
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
