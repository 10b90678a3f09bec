/**
 * The servers under test: Haven on each engine — in this process, or as `haven serve --workers N`
 * child processes from the compiled CLI — and a bare node:https server.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/store/index.js';
import { onCleanup } from './cleanup.js';
import { childrenOf, sampleCpu } from './cpu.js';
import { app, auth, CLI, config, http, logging, ROOT, store, tls } from './haven.js';

export type Engine = 'sqlite' | 'postgres';

export interface HavenTarget {
  engine: Engine;
  /** 1: Haven in this process; N > 1: `haven serve --workers N` in child processes. */
  workers: number;
  url: string;
  ca: string;
  token: string;
  tls: { certPem: string; keyPem: string };
  /** Server-side request counts (in-process only). */
  requests?: RequestCounter;
  /** The cluster's primary process (workers > 1). */
  primaryPid?: number;
  /** The audit trail's entry count, read from the database in this process. */
  countAudit(): Promise<number>;
  /**
   * Refreshes the planner's statistics after seeding (PostgreSQL; nothing on SQLite). A
   * production PostgreSQL analyzes a freshly loaded table within a minute (autovacuum, on by
   * default); this machine's runs with autovacuum off, and a search planned on the empty
   * tables' statistics scans every resource head — a figure no installation would see for
   * longer than that minute.
   */
  analyze(): Promise<void>;
  /**
   * Adds a person, as `haven user add` does, and returns the one-time enrollment token (the
   * fragment of the link the command prints).
   */
  addUser(u: NewPerson): Promise<string>;
  /** Where the data lives, for the report (temp dir or schema name). */
  location: string;
  stop(): Promise<void>;
}

export interface NewPerson {
  email: string;
  role: string;
  practitionerId: string;
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
    let finished = false;
    res.on('finish', () => {
      finished = true;
      c.finished++;
      c.byStatus.set(res.statusCode, (c.byStatus.get(res.statusCode) ?? 0) + 1);
    });
    // Not `res.writableFinished`: an answer ended while the client closed its socket reads as
    // writable-finished on 'close' but never emits 'finish', and was counted as neither (the
    // "requests still unanswered" of the SQLite overload runs).
    res.on('close', () => {
      if (!finished) c.aborted++;
    });
  });
  return c;
}

async function analyzeTables(database: Database): Promise<void> {
  if (database.engine === 'postgres') await sql`ANALYZE`.execute(database.db);
}

/** A fresh data directory, and for PostgreSQL a fresh schema; both removed by `cleanup`. */
function freshLocation(engine: Engine, databaseUrl: string, beforeCleanup?: () => Promise<void>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-'));
  const schema =
    engine === 'postgres' ? `haven_bench_${crypto.randomBytes(6).toString('hex')}` : undefined;
  const cleanup = onCleanup(async () => {
    try {
      await beforeCleanup?.();
    } finally {
      if (schema) await dropSchema(databaseUrl, schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
  return { dataDir, schema, cleanup, location: schema ? `schema ${schema}` : dataDir };
}

function readCerts(dataDir: string) {
  return {
    certPem: fs.readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8'),
    keyPem: fs.readFileSync(path.join(dataDir, 'tls', 'dev-key.pem'), 'utf8'),
  };
}

export function startHaven(
  engine: Engine,
  databaseUrl: string,
  workers: number,
  log: (s: string) => void,
): Promise<HavenTarget> {
  return workers === 1
    ? startInProcess(engine, databaseUrl)
    : startCluster(engine, databaseUrl, workers, log);
}

async function startInProcess(engine: Engine, databaseUrl: string): Promise<HavenTarget> {
  const { dataDir, schema, cleanup, location } = freshLocation(engine, databaseUrl);
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
      // The in-flight limit may be varied for the overload scenario; nothing else from the shell.
      // The load comes from one address: no per-address limit.
      {
        HAVEN_RATE_LIMIT: '0',
        ...(process.env.HAVEN_MAX_IN_FLIGHT && {
          HAVEN_MAX_IN_FLIGHT: process.env.HAVEN_MAX_IN_FLIGHT,
        }),
      },
    );
    const haven = await app.openHaven(cfg, { logger: logging.createLogger('silent') });
    const server = await http.startServer(haven, {
      software: { name: 'Haven', version: 'bench' },
      benchBaseline: true,
    });
    const certs = readCerts(dataDir);
    const { token } = await auth.createApiClient(haven.clients, 'bench', 'system/*.cruds');
    const requests = countRequests(server.app.server as unknown as https.Server);
    return {
      engine,
      workers: 1,
      url: server.url,
      ca: certs.certPem,
      token,
      tls: certs,
      requests,
      countAudit: () => haven.auditRepo.countEntries(),
      analyze: () => analyzeTables(haven.database),
      addUser: async (u) =>
        (
          await haven.people.users.addUser({
            email: u.email,
            roles: [u.role],
            practitionerId: u.practitionerId,
          })
        ).enrollmentToken,
      location,
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

const STARTUP_MS = 60_000;
const STOP_MS = 15_000;

/**
 * `node dist/cli/main.js serve --workers N --json` in a fresh location. The API client is created
 * and the audit trail counted through a plain database handle in this process (store only: no
 * audit writer of its own, whose idle checkpoints would add writes to the trail under test).
 */
async function startCluster(
  engine: Engine,
  databaseUrl: string,
  workers: number,
  log: (s: string) => void,
): Promise<HavenTarget> {
  const name = `haven ×${workers}`;
  let child: ReturnType<typeof spawn> | undefined;
  let database: Awaited<ReturnType<typeof store.openDatabase>> | undefined;
  const onExit = () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  const stopChild = async () => {
    process.off('exit', onExit);
    if (child && child.exitCode === null && child.signalCode === null) {
      const c = child;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => {
        // The primary stops its workers on SIGTERM; if it hangs, end it and them.
        log(`[${name}] did not stop within ${STOP_MS / 1000}s of SIGTERM: killing it`);
        for (const pid of childrenOf(sampleCpu(), c.pid!)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        c.kill('SIGKILL');
      }, STOP_MS);
      await exited;
      clearTimeout(timer);
    }
    await database?.close();
    database = undefined;
  };
  const { dataDir, schema, cleanup, location } = freshLocation(engine, databaseUrl, stopChild);
  try {
    const env = childEnv(schema);
    const where = [
      '--data',
      dataDir,
      ...(engine === 'postgres' ? ['--database-url', databaseUrl] : []),
    ];
    const args = [
      CLI,
      'serve',
      ...where,
      '--port',
      '0',
      '--workers',
      String(workers),
      '--bench-baseline',
      '--json',
    ];
    const c = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    process.on('exit', onExit);
    const url = await new Promise<string>((resolve, reject) => {
      let tail = '';
      let announced = false;
      const timer = setTimeout(() => {
        reject(new Error(`${name} did not listen within ${STARTUP_MS / 1000}s: ${tail}`));
      }, STARTUP_MS);
      const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
        let buf = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          buf += chunk;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            onLine(buf.slice(0, i));
            buf = buf.slice(i + 1);
          }
        });
      };
      // Log lines (pino JSON on stdout at warn and above) and stderr are passed on, so a
      // worker's complaint during a measurement is visible in the bench's output.
      const passOn = (line: string) => {
        if (!line.trim()) return;
        tail = `${tail}\n${line}`.slice(-4000);
        log(`    [${name}] ${line}`);
      };
      lines(c.stdout!, (line) => {
        if (!announced) {
          try {
            const m = JSON.parse(line) as { url?: unknown; level?: unknown };
            if (typeof m.url === 'string' && m.level === undefined) {
              announced = true;
              clearTimeout(timer);
              resolve(m.url);
              return;
            }
          } catch {
            // not the announcement
          }
        }
        passOn(line);
      });
      lines(c.stderr!, passOn);
      c.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!announced)
          reject(new Error(`${name} exited (${signal ?? code}) before listening: ${tail}`));
        else if (code !== 0) log(`[${name}] exited with ${signal ?? code}`);
      });
      c.once('error', reject);
    });
    const db = await store.openDatabase({
      databaseUrl: engine === 'postgres' ? databaseUrl : undefined,
      schema,
      sqlitePath: path.join(dataDir, 'haven.db'),
      poolSize: 2,
    });
    database = db;
    const auditRepo = new store.AuditRepository(db.db, db.engine);
    const { token } = await auth.createApiClient(
      new store.ClientRepository(db.db, () => new Date()),
      'bench',
      'system/*.cruds',
    );
    // Every worker forked (they listen moments later; seeding and warm-up come first anyway).
    const deadline = Date.now() + STARTUP_MS;
    while (childrenOf(sampleCpu(), c.pid!).length < workers) {
      if (Date.now() > deadline) throw new Error(`${name}: fewer than ${workers} worker processes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const certs = readCerts(dataDir);
    return {
      engine,
      workers,
      url,
      ca: certs.certPem,
      token,
      tls: certs,
      primaryPid: c.pid!,
      countAudit: () => auditRepo.countEntries(),
      analyze: () => analyzeTables(db),
      addUser: (u) => cliAddUser(where, env, u),
      location,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** The CLI's settings come from its flags and these variables only, not the bench's shell. */
function childEnv(schema: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('HAVEN_') && k !== 'DATABASE_URL') env[k] = v;
  env.HAVEN_LOG_LEVEL = 'warn';
  env.HAVEN_RATE_LIMIT = '0'; // the load comes from one address
  if (schema) env.HAVEN_DB_SCHEMA = schema;
  return env;
}

/** `haven user add --json` against the cluster's data: its `{ userId, enrollmentToken }` line. */
async function cliAddUser(where: string[], env: NodeJS.ProcessEnv, u: NewPerson): Promise<string> {
  const args = [
    CLI,
    'user',
    'add',
    ...where,
    '--email',
    u.email,
    '--role',
    u.role,
    '--practitioner',
    u.practitionerId,
    '--json',
  ];
  const c = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  c.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve, reject) => {
    c.once('error', reject);
    // 'close', not 'exit': its output has been read to the end.
    c.once('close', resolve);
  });
  for (const line of out.split('\n')) {
    try {
      const m = JSON.parse(line) as { enrollmentToken?: unknown };
      if (code === 0 && typeof m.enrollmentToken === 'string') return m.enrollmentToken;
    } catch {
      // a log line
    }
  }
  throw new Error(`haven user add exited with ${code}: ${out.slice(-2000)}`);
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
