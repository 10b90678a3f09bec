import crypto from 'node:crypto';
import https from 'node:https';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * Per-address request limits (issue 14 part 4, ADR 0020): past HAVEN_RATE_LIMIT requests in a
 * window, an address gets 429 with Retry-After, audited; another address is not affected, and
 * the health probes never are. Counted in memory, or in Redis when REDIS_URL is set (under a
 * key prefix of this run's own, so parallel runs sharing the Redis do not count each other).
 * The window is an hour, so it cannot roll over while the test runs.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 5;

const cases = [
  ['sqlite', 'memory'],
  ['postgres', 'memory'],
  ['sqlite', 'redis'],
] as const;

describe.each(cases)('per-address limits on %s, counted in %s', (engine, store) => {
  let t: TestServer;
  const prefix = `haven-test-${crypto.randomUUID()}:`;

  beforeAll(async () => {
    t = await startTestServer(engine, {
      env: {
        HAVEN_RATE_LIMIT: String(LIMIT),
        HAVEN_RATE_LIMIT_WINDOW_SECONDS: '3600',
        HAVEN_REDIS_PREFIX: prefix,
        ...(store === 'redis' && { REDIS_URL }),
      },
    });
  }, 120_000);
  afterAll(async () => {
    if (store === 'redis') {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await t?.stop();
  });

  /** A request from a loopback address of our choice (Linux routes all of 127/8 to lo). */
  const from = (address: string, path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; json: () => unknown }>(
      (resolve, reject) => {
        const req = https.request(
          new URL(path, t.server.url),
          { localAddress: address, ca: t.ca, servername: 'localhost', agent: false },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                json: () => JSON.parse(Buffer.concat(chunks).toString('utf8')),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      },
    );

  it('answers a burst from one address with 429 and Retry-After past the limit, and audits it', async () => {
    const burst = [];
    for (let i = 0; i < LIMIT + 2; i++) burst.push(await from('127.0.0.1', '/api/openapi.json'));
    expect(burst.map((r) => r.status)).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    const refused = burst[LIMIT]!;
    const wait = Number(refused.headers['retry-after']);
    expect(Number.isInteger(wait) && wait > 0 && wait <= 3600).toBe(true);
    expect(refused.json()).toMatchObject({
      error: { code: 'rate-limited', requestId: refused.headers['x-request-id'] },
    });
    // The FHIR API refuses alike, in its own shape.
    const fhir = await from('127.0.0.1', '/fhir/R4/metadata');
    expect(fhir.status).toBe(429);
    expect(fhir.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    // Every refusal is audited.
    const rows = (await t.haven.auditRepo.entries(0, 1_000_000)).filter(
      (r) => r.request_id === refused.headers['x-request-id'],
    );
    expect(rows.map((r) => [r.action, r.outcome, r.reason])).toEqual([
      ['request-refused', 'denied', 'rate-limited'],
    ]);
  });

  it('leaves another address and the health probes alone', async () => {
    expect((await from('127.0.0.1', '/api/openapi.json')).status).toBe(429);
    expect((await from('127.0.0.2', '/api/openapi.json')).status).toBe(200);
    for (const probe of ['/healthz', '/readyz', '/api/health'])
      expect([probe, (await from('127.0.0.1', probe)).status]).toEqual([probe, 200]);
  });

  it('lets no more than the limit through when a burst arrives all at once', async () => {
    // In parallel, from an address of its own: the count must be taken atomically, or a burst
    // outruns it (as parallel guesses once outran the sign-in throttle).
    const statuses = (
      await Promise.all(Array.from({ length: 30 }, () => from('127.0.0.3', '/api/openapi.json')))
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - LIMIT);
  });

  // Where the counts live: under this installation's prefix in Redis, or nowhere in Redis.
  it(`counts in ${store === 'redis' ? 'Redis, under its own key prefix' : 'memory only'}`, async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    try {
      if (store === 'redis') {
        const counted = Number(await redis.get(`${prefix}rate:127.0.0.1`));
        expect(counted).toBeGreaterThan(LIMIT);
        expect(Number(await redis.get(`${prefix}rate:127.0.0.2`))).toBe(1);
      } else {
        expect(await redis.keys(`${prefix}*`)).toEqual([]);
      }
    } finally {
      await redis.quit();
    }
  });
});
