import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import { verifyTrail } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import type { AuditRow } from '../../src/store/index.js';
import { makeTarget, TEST_DATABASE_URL, type EngineTarget } from '../support/engines.js';

/**
 * Several server processes writing to one PostgreSQL must produce one consistent, verifiable
 * trail with no lost, duplicated or forked entries.
 *
 * Two real `haven serve` processes (own data dirs and development certificates, one shared
 * keyring and schema) take a few thousand concurrent reads, creates and identifier searches,
 * split across both. Every request that should be audited is counted and its x-request-id kept;
 * afterwards the trail must verify, hold exactly that many entries with contiguous sequence
 * numbers, and carry each request id exactly once with the right action and subject.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'src/cli/main.ts');
const TOTAL_REQUESTS = 3000;
const IN_FLIGHT = 50;
const SEED_PATIENTS = 6;
const MRN = 'urn:example:multi-process-mrn';

interface Child {
  name: string;
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

interface Server {
  child: Child;
  url: string;
  agent: https.Agent;
}

interface Response {
  status: number;
  requestId: string;
  json: Record<string, unknown>;
}

/** What one request must have left in the trail: exactly one entry with these fields. */
interface Expected {
  action: 'read' | 'create' | 'search';
  resourceId: string | null;
  patientId: string | null;
  server: string;
}

const TAIL = 4000;

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    name,
    proc,
    stdout: '',
    stderr: '',
    exited: false,
    exit: undefined as never,
  };
  // Keep only tails: servers may log, and nothing here needs more than the last lines.
  proc.stdout!.on(
    'data',
    (c: Buffer) => (child.stdout = (child.stdout + c.toString('utf8')).slice(-64 * 1024)),
  );
  proc.stderr!.on(
    'data',
    (c: Buffer) => (child.stderr = (child.stderr + c.toString('utf8')).slice(-64 * 1024)),
  );
  child.exit = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      child.exited = true;
      resolve({ code, signal });
    });
    proc.on('error', (e) => {
      child.stderr += `\nspawn error: ${e.message}`;
      child.exited = true;
      resolve({ code: null, signal: null });
    });
  });
  return child;
}

/** The end of each child's stderr and stdout (where its JSON log lines go), for failure messages. */
function tails(children: Child[]): string {
  return children
    .map((c) => {
      const state = c.exited ? `exited ${c.proc.exitCode ?? c.proc.signalCode}` : 'running';
      return `--- ${c.name} (pid ${c.proc.pid}, ${state})\nstderr tail:\n${c.stderr.slice(-TAIL) || '(empty)'}\nstdout tail:\n${c.stdout.slice(-TAIL) || '(empty)'}`;
    })
    .join('\n');
}

/** Waits for the one JSON line a `--json` command prints on stdout, or fails with its stderr. */
async function jsonLine<T>(child: Child, key: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of child.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (key in parsed) return parsed as T;
      } catch {
        // a partial line: wait for the rest
      }
    }
    if (child.exited)
      throw new Error(`${child.name} exited before printing its JSON line\n${tails([child])}`);
    if (Date.now() > deadline)
      throw new Error(
        `${child.name} printed no JSON line within ${timeoutMs} ms\n${tails([child])}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

function request(
  server: Server,
  method: 'GET' | 'POST',
  urlPath: string,
  token: string,
  body?: unknown,
  retried = false,
): Promise<Response> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(urlPath, server.url),
      {
        method,
        agent: server.agent,
        headers: {
          accept: 'application/fhir+json',
          authorization: `Bearer ${token}`,
          ...(payload
            ? { 'content-type': 'application/fhir+json', 'content-length': String(payload.length) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            json = { unparsable: text.slice(0, 200) };
          }
          resolve({
            status: res.statusCode ?? 0,
            requestId: String(res.headers['x-request-id'] ?? ''),
            json,
          });
        });
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed after its 5 s idle limit, just as the agent
      // reused it: the request never reached the server (nothing served, nothing audited), so
      // it is sent again on a fresh socket, as Node's documentation advises (reusedSocket).
      if (req.reusedSocket && e.code === 'ECONNRESET' && !retried)
        resolve(request(server, method, urlPath, token, body, true));
      else reject(e);
    });
    if (payload) req.write(payload);
    req.end();
  });
}

function syntheticPatient(n: number): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    identifier: [{ system: MRN, value: `MP-${n}` }],
    name: [{ family: `Multiprocson${n}`, given: ['Testy'] }],
    gender: 'unknown',
    birthDate: '1980-02-02',
  };
}

describe('audit trail with two server processes on one PostgreSQL schema', () => {
  let target: EngineTarget;
  const children: Child[] = [];
  const servers: Server[] = [];
  let keyring: string;
  let env: NodeJS.ProcessEnv;
  let token: string;
  let clientId: string;
  let verifier: Haven | undefined;

  beforeAll(async () => {
    target = await makeTarget('postgres');
    keyring = path.join(target.dataDir, 'shared-keyring.json');
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('HAVEN_') && k !== 'DATABASE_URL'),
    );
    env = {
      ...inherited,
      DATABASE_URL: TEST_DATABASE_URL,
      HAVEN_DB_SCHEMA: target.schema,
      HAVEN_LOG_LEVEL: 'warn',
      // Small enough that both processes sign several checkpoints during the run.
      HAVEN_CHECKPOINT_ENTRIES: '250',
    };
    for (const name of ['server-a', 'server-b']) {
      // The first one creates the keyring, the schema and the system keys; then the second starts.
      const dataDir = path.join(target.dataDir, name);
      const child = startChild(
        name,
        ['serve', '--json', '--port', '0', '--data', dataDir, '--keyring', keyring],
        env,
      );
      children.push(child);
      const { url } = await jsonLine<{ url: string }>(child, 'url', 20_000);
      const ca = fs.readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8');
      servers.push({
        child,
        url,
        agent: new https.Agent({ keepAlive: true, ca, maxSockets: IN_FLIGHT }),
      });
    }
    const cli = startChild(
      'client-add',
      [
        'client',
        'add',
        '--name',
        't',
        '--scopes',
        'system/*.cruds',
        '--json',
        '--data',
        path.join(target.dataDir, 'cli'),
        '--keyring',
        keyring,
      ],
      env,
    );
    children.push(cli);
    const created = await jsonLine<{ id: string; token: string }>(cli, 'token', 20_000);
    const { code } = await cli.exit;
    if (code !== 0) throw new Error(`client add exited with ${code}\n${tails([cli])}`);
    token = created.token;
    clientId = created.id;
  }, 50_000);

  afterAll(async () => {
    for (const s of servers) s.agent.destroy();
    for (const c of children) if (!c.exited) c.proc.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exit));
    await verifier?.close();
    await target?.cleanup();
  });

  it('keeps one contiguous, verifiable trail with exactly one entry per audited request', async () => {
    const diag = () => tails(children);
    const expected = new Map<string, Expected>();
    const unexpected: string[] = [];
    const known: { id: string; mrn: string }[] = [];
    let nextMrn = 0;
    let absent = 0;

    /** Sends one request and records what it must have left in the trail. */
    const audited = async (i: number, op?: 'create') => {
      const server = servers[i % servers.length]!;
      const kind = i % 8;
      const name = server.child.name;
      if (op === 'create' || known.length === 0 || kind === 2 || kind === 5) {
        const n = nextMrn++;
        const res = await request(server, 'POST', '/fhir/R4/Patient', token, syntheticPatient(n));
        if (res.status !== 201)
          return void unexpected.push(
            `${name} create -> ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`,
          );
        const id = String(res.json.id);
        known.push({ id, mrn: `MP-${n}` });
        expected.set(res.requestId, {
          action: 'create',
          resourceId: id,
          patientId: id,
          server: name,
        });
      } else if (kind === 3 || kind === 6) {
        // An identifier search: at most one patient matches, so exactly one entry.
        const miss = kind === 6 && i % 3 === 0;
        const hit = miss ? undefined : known[i % known.length]!;
        const value = hit ? hit.mrn : `MP-ABSENT-${absent++}`;
        const res = await request(
          server,
          'GET',
          `/fhir/R4/Patient?identifier=${encodeURIComponent(`${MRN}|${value}`)}`,
          token,
        );
        const ids = ((res.json.entry ?? []) as { resource: { id: string } }[]).map(
          (e) => e.resource.id,
        );
        if (res.status !== 200 || ids.length !== (hit ? 1 : 0) || (hit && ids[0] !== hit.id)) {
          return void unexpected.push(`${name} search -> ${res.status} returned ${ids.length}`);
        }
        expected.set(res.requestId, {
          action: 'search',
          resourceId: null,
          patientId: hit?.id ?? null,
          server: name,
        });
      } else {
        // A read, often of a patient the other process created.
        const { id } = known[(i * 7919) % known.length]!;
        const res = await request(server, 'GET', `/fhir/R4/Patient/${id}`, token);
        if (res.status !== 200 || res.json.id !== id)
          return void unexpected.push(`${name} read -> ${res.status}`);
        expected.set(res.requestId, {
          action: 'read',
          resourceId: id,
          patientId: id,
          server: name,
        });
      }
    };

    const started = Date.now();
    for (let i = 0; i < SEED_PATIENTS; i++) await audited(i, 'create'); // alternating servers
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < TOTAL_REQUESTS) {
          const i = next++;
          try {
            await audited(i);
          } catch (e) {
            unexpected.push(`request ${i}: ${(e as Error).message}`);
          }
        }
      }),
    );
    const loadMs = Date.now() - started;
    const sent = SEED_PATIENTS + TOTAL_REQUESTS;
    expect(
      unexpected,
      `requests that did not succeed:\n${unexpected.slice(0, 20).join('\n')}\n${diag()}`,
    ).toEqual([]);
    expect(expected.size, `every response carries a distinct x-request-id\n${diag()}`).toBe(sent);
    const perServer = [...expected.values()].reduce<Record<string, number>>(
      (acc, e) => ((acc[e.server] = (acc[e.server] ?? 0) + 1), acc),
      {},
    );
    expect(
      Math.min(...Object.values(perServer)),
      `both servers took traffic: ${JSON.stringify(perServer)}`,
    ).toBeGreaterThan(sent / 3);

    // Stop both servers the way an operator would; each must drain and exit cleanly.
    for (const s of servers) s.agent.destroy();
    for (const s of servers) s.child.proc.kill('SIGTERM');
    const exits = await Promise.race([
      Promise.all(servers.map((s) => s.child.exit)),
      new Promise<null>((r) => setTimeout(() => r(null), 15_000)),
    ]);
    expect(exits, `servers did not exit within 15 s of SIGTERM\n${diag()}`).not.toBeNull();
    expect(
      exits!.map((e) => e.code),
      `servers exit cleanly on SIGTERM\n${diag()}`,
    ).toEqual([0, 0]);

    // Open the same schema in-process with the same keyring and check the whole trail.
    const config = resolveConfig(
      {
        data: path.join(target.dataDir, 'verifier'),
        databaseUrl: TEST_DATABASE_URL,
        databaseSchema: target.schema,
        keyring,
      },
      {},
    );
    verifier = await openHaven(config, { logger: createLogger('silent') });
    const haven = verifier;
    const report = await verifyTrail(haven.auditRepo, [haven.auditKey.verifier]);
    expect(report, `verifyTrail\n${diag()}`).toMatchObject({ ok: true });
    expect(
      report.checkpointsChecked,
      'signed checkpoints were written during the run',
    ).toBeGreaterThanOrEqual(5);

    const entries: AuditRow[] = [];
    for (;;) {
      const page = await haven.auditRepo.entries(entries.length, 5000);
      entries.push(...page);
      if (page.length < 5000) break;
    }
    // One operator entry (the CLI's client-create) plus one per audited request.
    const expectedCount = 1 + expected.size;
    expect(
      entries.length,
      `entry count (sent ${sent} audited requests in ${loadMs} ms)\n${diag()}`,
    ).toBe(expectedCount);
    expect(report.entries).toBe(expectedCount);
    expect(await haven.auditRepo.countEntries()).toBe(expectedCount);
    expect((await haven.auditRepo.head()).size).toBe(expectedCount);
    const gaps = entries.map((e, i) => [i, e.seq]).filter(([i, seq]) => i !== seq);
    expect(gaps, 'sequence numbers are exactly 0..n-1').toEqual([]);

    const operator = entries.filter((e) => e.request_id === null);
    expect(
      operator.map((e) => [e.action, e.actor_type]),
      'the only entry without a request id is the CLI client-create',
    ).toEqual([['client-create', 'system']]);

    const seen = new Map<string, number>();
    const mismatched: string[] = [];
    for (const e of entries) {
      if (e.request_id === null) continue;
      seen.set(e.request_id, (seen.get(e.request_id) ?? 0) + 1);
      const want = expected.get(e.request_id);
      if (!want) {
        mismatched.push(`seq ${e.seq}: unknown request id ${e.request_id} (${e.action})`);
        continue;
      }
      if (
        e.action !== want.action ||
        e.outcome !== 'success' ||
        e.actor_id !== clientId ||
        e.patient_id !== want.patientId ||
        (want.resourceId !== null && e.resource_id !== want.resourceId)
      ) {
        mismatched.push(
          `seq ${e.seq}: ${e.action}/${e.outcome}/${e.patient_id} but expected ${want.action}/success/${want.patientId} (${want.server})`,
        );
      }
    }
    const duplicated = [...seen].filter(([, n]) => n > 1);
    const lost = [...expected.keys()].filter((id) => !seen.has(id));
    expect(duplicated, 'no request id appears in more than one entry').toEqual([]);
    expect(lost, 'no audited request is missing from the trail').toEqual([]);
    expect(
      mismatched.slice(0, 20),
      'each entry records the right action, actor and subject',
    ).toEqual([]);

    // Every checkpoint either process exported outside the database is a view of this one trail.
    for (const s of servers) {
      const dir = path.join(target.dataDir, s.child.name, 'audit-checkpoints');
      const notes = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
      expect(notes.length, `${s.child.name} signed and exported checkpoints`).toBeGreaterThan(0);
      for (const note of notes) {
        const check = await verifyTrail(haven.auditRepo, [haven.auditKey.verifier], {
          externalCheckpoints: [fs.readFileSync(path.join(dir, note), 'utf8')],
        });
        expect(check, `${s.child.name} ${note}`).toMatchObject({ ok: true });
      }
    }

    const creates = [...expected.values()].filter((e) => e.action === 'create').length;
    expect(await haven.records.resources.countLive(), 'one stored Patient per 201').toBe(creates);
    console.log(
      `multi-process audit: ${sent} audited requests (${JSON.stringify(perServer)}) in ${loadMs} ms; ` +
        `${entries.length} entries, ${report.checkpointsChecked} checkpoints verified`,
    );
  }, 60_000);
});
