/** The servers under test: Haven on each engine (in this process) and a bare node:https server. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { onCleanup } from './cleanup.js';
import { app, auth, config, http, logging, tls, type Haven, type RunningServer } from './haven.js';

export type Engine = 'sqlite' | 'postgres';

export interface HavenTarget {
  engine: Engine;
  haven: Haven;
  server: RunningServer;
  url: string;
  ca: string;
  token: string;
  tls: { certPem: string; keyPem: string };
  requests: RequestCounter;
  /** Where the data lives, for the report (temp dir or schema name). */
  location: string;
  stop(): Promise<void>;
}

/** Counts requests as the server sees them (including ones the load generator abandons at the end). */
export interface RequestCounter {
  received: number;
  finished: number;
  aborted: number;
  byStatus: Map<number, number>;
}

function countRequests(server: https.Server): RequestCounter {
  const c: RequestCounter = { received: 0, finished: 0, aborted: 0, byStatus: new Map() };
  server.on('request', (_req, res: import('node:http').ServerResponse) => {
    c.received++;
    res.on('finish', () => {
      c.finished++;
      c.byStatus.set(res.statusCode, (c.byStatus.get(res.statusCode) ?? 0) + 1);
    });
    res.on('close', () => {
      if (!res.writableFinished) c.aborted++;
    });
  });
  return c;
}

export async function startHaven(engine: Engine, databaseUrl: string): Promise<HavenTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-'));
  const schema =
    engine === 'postgres' ? `haven_bench_${crypto.randomBytes(6).toString('hex')}` : undefined;
  const cleanup = onCleanup(async () => {
    if (schema) await dropSchema(databaseUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    const cfg = config.resolveConfig(
      {
        data: dataDir,
        databaseUrl: engine === 'postgres' ? databaseUrl : undefined,
        databaseSchema: schema,
        port: 0,
        host: '127.0.0.1',
        logLevel: 'warn',
      },
      {},
    );
    const haven = await app.openHaven(cfg, { logger: logging.createLogger('silent') });
    const server = await http.startServer(haven, {
      software: { name: 'Haven', version: 'bench' },
      benchBaseline: true,
    });
    const certPem = fs.readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8');
    const keyPem = fs.readFileSync(path.join(dataDir, 'tls', 'dev-key.pem'), 'utf8');
    const { token } = await auth.createApiClient(haven.clients, 'bench', 'system/*.cruds');
    const requests = countRequests(server.app.server as unknown as https.Server);
    return {
      engine,
      haven,
      server,
      url: server.url,
      ca: certPem,
      token,
      tls: { certPem, keyPem },
      requests,
      location: schema ? `schema ${schema}` : dataDir,
      stop: async () => {
        try {
          await server.close();
          await haven.close();
        } finally {
          await cleanup();
        }
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface BareServer {
  url: string;
  requests: RequestCounter;
  close(): Promise<void>;
}

/**
 * The absolute baseline: node:https with Haven's TLS options, answering GET /fhir/R4/Patient/{id}
 * with the exact bytes Haven returned for that patient, from memory. No fastify, no auth, no
 * database, no crypto beyond TLS.
 */
export async function startBareServer(
  certs: { certPem: string; keyPem: string },
  bodies: Map<string, Buffer>,
): Promise<BareServer> {
  const server = https.createServer(tls.tlsServerOptions(certs), (req, res) => {
    const body = bodies.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': 'application/fhir+json; charset=utf-8',
        'content-length': body.length,
      })
      .end(body);
  });
  server.keepAliveTimeout = 72_000;
  const requests = countRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
