import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { openHaven, type Haven } from '../../src/app/index.js';
import { createApiClient } from '../../src/auth/index.js';
import { resolveConfig, type HavenConfig } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { CANARY_PATTERN } from './canary.js';
import { makeTarget, type EngineTarget } from './engines.js';

export interface TestServer {
  target: EngineTarget;
  haven: Haven;
  server: RunningServer;
  config: HavenConfig;
  /** Everything the server logged, for the no-PHI-in-logs checks. */
  logs: string[];
  ca: string;
  token: string;
  request(method: string, urlPath: string, opts?: RequestOptions): Promise<TestResponse>;
  newToken(scopes: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | null;
  raw?: Buffer | string;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Buffer;
  json(): Record<string, unknown> & {
    resourceType?: string;
    issue?: { code: string; diagnostics: string }[];
  };
}

export async function startTestServer(
  engine: 'sqlite' | 'postgres',
  opts: {
    scopes?: string;
    clock?: () => Date;
    env?: Record<string, string>;
    /** Receives what the server prints on its terminal (enrollment links without SMTP). */
    terminal?: { write(text: string): unknown };
    /** PostgreSQL reached another way (a proxy the test can cut); same database and schema. */
    databaseUrl?: string;
  } = {},
): Promise<TestServer> {
  const target = await makeTarget(engine);
  // Test servers sharing one Redis (parallel files, parallel runs) each get their own keys, so a
  // sign-in throttle counted by one test never locks out another.
  const redisPrefix =
    opts.env?.REDIS_URL && !opts.env.HAVEN_REDIS_PREFIX
      ? `haven-test-${crypto.randomBytes(6).toString('hex')}:`
      : undefined;
  const env = redisPrefix ? { ...opts.env, HAVEN_REDIS_PREFIX: redisPrefix } : (opts.env ?? {});
  const config = resolveConfig(
    {
      data: target.dataDir,
      databaseUrl: target.databaseUrl && (opts.databaseUrl ?? target.databaseUrl),
      databaseSchema: target.schema,
      port: 0,
      logLevel: 'info',
    },
    // Tests send thousands of requests from 127.0.0.1; the limit's own test sets a small one.
    { HAVEN_RATE_LIMIT: '1000000', ...env },
  );
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const haven = await openHaven(config, {
    logger: createLogger('info', sink),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.terminal ? { terminal: opts.terminal } : {}),
  });
  const server = await startServer(haven, {
    software: { name: 'Haven', version: 'test' },
    benchBaseline: true,
  });
  const ca = fs.readFileSync(path.join(target.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  const newToken = async (scopes: string) =>
    (await createApiClient(haven.clients, 'test', scopes)).token;
  const token = await newToken(opts.scopes ?? 'system/*.cruds');
  const request = (method: string, urlPath: string, ro: RequestOptions = {}) =>
    send(server.url, ca, method, urlPath, ro.token === undefined ? token : ro.token, ro);
  return {
    target,
    haven,
    server,
    config,
    logs,
    ca,
    token,
    request,
    newToken,
    stop: async () => {
      await server.close();
      await haven.close();
      await target.cleanup();
      if (redisPrefix && config.redisUrl) await deleteRedisKeys(config.redisUrl, redisPrefix);
      const leaked = logs.find((line) => CANARY_PATTERN.test(line));
      if (leaked) throw new Error('canary PHI appeared in the server log');
    },
  };
}

/** Lifts what a test server left in a shared Redis (best effort: Redis may be the thing stopped). */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // The fault tests stop their own Redis; nothing is left there to lift.
  } finally {
    redis.disconnect();
  }
}

export function send(
  base: string,
  ca: string,
  method: string,
  urlPath: string,
  token: string | null,
  ro: RequestOptions,
): Promise<TestResponse> {
  const url = new URL(urlPath, base);
  const payload =
    ro.raw !== undefined
      ? Buffer.from(ro.raw)
      : ro.body !== undefined
        ? Buffer.from(JSON.stringify(ro.body))
        : undefined;
  const headers: Record<string, string> = {
    accept: 'application/fhir+json',
    ...(payload
      ? { 'content-type': 'application/fhir+json', 'content-length': String(payload.length) }
      : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...ro.headers,
  };
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          body,
          json: () => JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
