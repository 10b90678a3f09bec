import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_POLICY } from '../../src/access/index.js';
import { openHaven, type Haven } from '../../src/app/index.js';
import { createApiClient, type RequestContext } from '../../src/auth/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { UserRepository } from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * ADR 0037: the read-path caches (session, account, token, care facts) of `haven serve
 * --workers 2` on each engine. Every step first reads as a physician on several fresh
 * connections — the cluster hands connections to its workers in turn, so both workers serve
 * and cache — then changes access in another process (an API client's request to one worker,
 * or this test's own Haven on the same database), then reads again on fresh connections: every
 * one of those must already see the change, whichever worker it reaches.
 */
describe.each(ENGINES)('read-path caches across worker processes (%s)', (engine) => {
  let target: EngineTarget;
  let proc: ReturnType<typeof spawn>;
  let haven: Haven;
  let url = '';
  let stderr = '';
  let token = '';
  let ca = '';
  let patientId = '';
  let practitionerId = '';
  let careTeamId = '';
  let userId = '';
  let cookie = '';

  /** One request on a new TLS connection (so the cluster picks a worker for it). */
  const call = (
    method: string,
    p: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const payload = body ? Buffer.from(JSON.stringify(body)) : undefined;
      const req = https.request(
        new URL(p, url),
        {
          method,
          agent: false,
          ca,
          servername: 'localhost',
          headers: {
            accept: 'application/fhir+json',
            ...headers,
            ...(payload ? { 'content-type': 'application/fhir+json' } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const asClient = (method: string, p: string, body?: unknown) =>
    call(method, p, { authorization: `Bearer ${token}` }, body);
  /** The physician's read of the patient on `n` fresh connections, in turn: their statuses. */
  const physicianReads = async (n = 6) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++)
      out.push((await call('GET', `/fhir/R4/Patient/${patientId}`, { cookie })).status);
    return out;
  };
  const physicianCtx = (): RequestContext => ({
    principal: {
      kind: 'user',
      id: userId,
      label: 'user',
      roles: ['physician'],
      scopes: [],
      practitionerId,
      mfa: true,
    },
    requestId: 'cache-test',
    ip: '127.0.0.1',
    userAgent: undefined,
    policy: DEFAULT_ACCESS_POLICY,
  });
  const careTeam = async () => {
    const r = await asClient('POST', '/fhir/R4/CareTeam', {
      resourceType: 'CareTeam',
      status: 'active',
      subject: { reference: `Patient/${patientId}` },
      participant: [{ member: { reference: `Practitioner/${practitionerId}` } }],
    });
    expect(r.status).toBe(201);
    return String(r.json.id);
  };

  beforeAll(async () => {
    target = await makeTarget(engine);
    proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        '--data',
        target.dataDir,
        ...(target.databaseUrl ? ['--database-url', target.databaseUrl] : []),
        '--port',
        '0',
        '--workers',
        '2',
        '--json',
      ],
      {
        cwd: REPO,
        env: {
          ...process.env,
          HAVEN_LOG_LEVEL: 'warn',
          ...(target.schema ? { HAVEN_DB_SCHEMA: target.schema } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      proc.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    // Another instance on the same database: what it writes, the workers must see at once.
    const config = resolveConfig(
      { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
      {},
    );
    haven = await openHaven(config, { logger: createLogger('silent') });
    token = (await createApiClient(haven.clients, 'cache-test', 'system/*.cruds')).token;
    ca = fs.readFileSync(path.join(target.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
    const p = await asClient('POST', '/fhir/R4/Patient', {
      resourceType: 'Patient',
      name: [{ family: 'Cacheson' }],
    });
    expect(p.status).toBe(201);
    patientId = String(p.json.id);
    const pr = await asClient('POST', '/fhir/R4/Practitioner', {
      resourceType: 'Practitioner',
      name: [{ family: 'Doctor' }],
    });
    expect(pr.status).toBe(201);
    practitionerId = String(pr.json.id);
    careTeamId = await careTeam();
    await haven.people.users.addUser({
      email: `physician-${engine}@clinic.example`,
      roles: ['physician'],
      practitionerId,
    });
    userId = (await haven.people.users.list()).find((u) => u.roles.includes('physician'))!.id;
    const started = await haven.people.sessions.start({ userId, mfaSatisfied: true });
    cookie = `__Host-haven_session=${started.sessionId}`;
  }, 240_000); // three processes start through tsx: slow on a loaded two-core machine

  afterAll(async () => {
    await haven?.close();
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await target.cleanup();
  });

  it(
    'an ended care relation refuses the next read on every worker',
    { timeout: 60_000 },
    async () => {
      expect(await physicianReads()).toEqual([200, 200, 200, 200, 200, 200]);
      expect((await asClient('DELETE', `/fhir/R4/CareTeam/${careTeamId}`)).status).toBe(204);
      expect(await physicianReads()).toEqual([404, 404, 404, 404, 404, 404]);
      // A new relation counts at once too (a cached "no relation" is dropped as well).
      careTeamId = await careTeam();
      expect(await physicianReads()).toEqual([200, 200, 200, 200, 200, 200]);
    },
  );

  it(
    'an ended break-glass grant refuses the next read on every worker',
    { timeout: 60_000 },
    async () => {
      expect((await asClient('DELETE', `/fhir/R4/CareTeam/${careTeamId}`)).status).toBe(204);
      expect(await physicianReads()).toEqual([404, 404, 404, 404, 404, 404]);
      const grant = await haven.breakGlass.request(
        physicianCtx(),
        patientId,
        'cache test: unconscious patient',
      );
      expect(await physicianReads()).toEqual([200, 200, 200, 200, 200, 200]);
      await haven.breakGlass.end(physicianCtx(), grant.id);
      expect(await physicianReads()).toEqual([404, 404, 404, 404, 404, 404]);
      careTeamId = await careTeam();
    },
  );

  it('a changed role refuses the next read on every worker', { timeout: 60_000 }, async () => {
    expect(await physicianReads()).toEqual([200, 200, 200, 200, 200, 200]);
    // Straight in the table, without ending sessions: only the cached account can be stale.
    const users = new UserRepository(haven.database.db);
    await users.setRoles(userId, ['patient'], new Date().toISOString());
    const after = await physicianReads();
    expect(
      after.every((s) => s === 403 || s === 404),
      String(after),
    ).toBe(true);
    await users.setRoles(userId, ['physician'], new Date().toISOString());
    expect(await physicianReads()).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it(
    'a revoked session refuses the next request on every worker',
    { timeout: 60_000 },
    async () => {
      expect(await physicianReads()).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await haven.people.sessions.endAllForUser(userId)).toBe(1);
      expect(await physicianReads()).toEqual([401, 401, 401, 401, 401, 401]);
    },
  );
});
