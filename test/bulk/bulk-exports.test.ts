import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/auth/index.js';
import { parseScopes } from '../../src/auth/index.js';
import { BulkExports, exportDir, type BulkExportOptions } from '../../src/bulk/index.js';
import { FhirError } from '../../src/records/index.js';
import { BulkExportRepository } from '../../src/store/index.js';
import { canaryPatient } from '../support/canary.js';
import { ENGINES, TEST_DATABASE_URL } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TestClock } from '../http/auth/sign-in.js';

/**
 * The export jobs themselves, on a real Haven (both engines), with a gate that holds a job at its
 * progress write so a test can act while it runs: the per-caller limit against parallel
 * kick-offs, a job whose server went away, and the database going away mid-export.
 */
const caller = (id: string): RequestContext => ({
  principal: {
    kind: 'client',
    id,
    label: 'synthetic bulk client',
    roles: [],
    scopes: parseScopes('system/*.rs'),
  },
  requestId: crypto.randomUUID(),
  ip: '127.0.0.1',
  userAgent: 'bulk-test',
});

/** A gate each job waits at (before each progress write) until the test opens it. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (reached = r));
  let count = 0;
  return {
    pace: async () => {
      count += 1;
      reached();
      await opened;
    },
    open,
    arrived,
    get count() {
      return count;
    },
  };
}

function exportsOn(
  t: TestServer,
  clock: TestClock,
  dir: string,
  extra: Partial<BulkExportOptions> = {},
): BulkExports {
  return new BulkExports({
    records: t.haven.records,
    repo: new BulkExportRepository(t.haven.database.db),
    provider: t.haven.provider,
    audit: t.haven.audit,
    dir,
    clock: clock.fn,
    newId: () => crypto.randomUUID(),
    ...extra,
  });
}

const KICK = {
  level: 'system' as const,
  types: undefined,
  since: undefined,
  request: 'x',
  base: 'https://h/fhir/R4',
};

describe.each(ENGINES)('export jobs on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  let dir: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    dir = path.join(t.config.dataDir, 'test-exports');
    for (let n = 0; n < 3; n++)
      await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(300 + n) });
  }, 120_000);
  afterAll(async () => t.stop());

  it('lets one caller have 3 unfinished exports: of 5 parallel kick-offs, 2 get 429', async () => {
    const g = gate();
    const bulk = exportsOn(t, clock, dir, { pace: g.pace, concurrency: 5 });
    const ctx = caller(crypto.randomUUID());
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map(() => bulk.kickOff(ctx, KICK)));
    const ok = settled.filter((s) => s.status === 'fulfilled');
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(ok.length).toBe(3);
    expect(refused.map((r) => ((r as PromiseRejectedResult).reason as FhirError).status)).toEqual([
      429, 429,
    ]);
    // Another caller is not held back by this one's limit.
    const other = await bulk.kickOff(caller(crypto.randomUUID()), KICK);
    await g.arrived;
    for (const s of ok)
      expect((await bulk.status(ctx, (s as PromiseFulfilledResult<string>).value)).status).toBe(
        'in-progress',
      );
    g.open();
    await bulk.drain();
    for (const s of ok)
      expect((await bulk.status(ctx, (s as PromiseFulfilledResult<string>).value)).status).toBe(
        'complete',
      );
    expect(other).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails clearly a job whose server stopped mid-export (no manifest, files gone)', async () => {
    const g = gate();
    const first = exportsOn(t, clock, dir, { pace: g.pace });
    const ctx = caller(crypto.randomUUID());
    const id = await first.kickOff(ctx, KICK);
    await g.arrived;
    expect(fs.readdirSync(exportDir(dir, id)).length).toBeGreaterThan(0);
    // Another server (or this one restarted) sees a job nobody has touched for two minutes.
    const second = exportsOn(t, clock, dir);
    expect((await second.status(ctx, id)).status).toBe('in-progress');
    clock.advance(2 * 60_000);
    expect(await second.status(ctx, id)).toEqual({ status: 'failed', error: 'interrupted' });
    expect(fs.existsSync(exportDir(dir, id))).toBe(false);
    // The first job, let go, finds its row changed and does not publish anything.
    g.open();
    await first.close();
    expect(await first.status(ctx, id)).toEqual({ status: 'failed', error: 'interrupted' });
  });

  it('frees the slots a dead server held: its stale jobs are failed at the next kick-off', async () => {
    const g = gate();
    const dead = exportsOn(t, clock, dir, { pace: g.pace, concurrency: 3 });
    const ctx = caller(crypto.randomUUID());
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await dead.kickOff(ctx, KICK));
    await g.arrived;
    const live = exportsOn(t, clock, dir);
    await expect(live.kickOff(ctx, KICK)).rejects.toMatchObject({ status: 429 });
    clock.advance(2 * 60_000);
    const fresh = await live.kickOff(ctx, KICK);
    for (const id of held)
      expect(await live.status(ctx, id)).toEqual({ status: 'failed', error: 'interrupted' });
    await live.drain();
    expect((await live.status(ctx, fresh)).status).toBe('complete');
    g.open();
    await dead.drain();
  });

  it('shuts down a running job as interrupted when the server closes', async () => {
    const g = gate();
    const bulk = exportsOn(t, clock, dir, { pace: g.pace });
    const ctx = caller(crypto.randomUUID());
    const id = await bulk.kickOff(ctx, KICK);
    await g.arrived;
    const closing = bulk.close();
    g.open();
    await closing;
    expect(await exportsOn(t, clock, dir).status(ctx, id)).toEqual({
      status: 'failed',
      error: 'interrupted',
    });
  });
});

describe('PostgreSQL going away mid-export', () => {
  let t: TestServer;
  let proxy: TcpProxy;
  const clock = new TestClock();

  beforeAll(async () => {
    const pgUrl = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    t = await startTestServer('postgres', { databaseUrl: pgUrl.toString(), clock: clock.fn });
    for (let n = 0; n < 3; n++)
      await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(320 + n) });
  }, 120_000);
  afterAll(async () => {
    proxy.restore();
    await t.stop();
    await proxy.close();
  });

  it('fails the job with a clear code, publishes no manifest and leaves no file', async () => {
    const dir = path.join(t.config.dataDir, 'outage-exports');
    const g = gate();
    const bulk = exportsOn(t, clock, dir, { pace: g.pace });
    const ctx = caller(crypto.randomUUID());
    const id = await bulk.kickOff(ctx, KICK);
    await g.arrived;
    // The records are read and sealed to disk; the database goes before the job records them.
    expect(fs.readdirSync(exportDir(dir, id)).length).toBeGreaterThan(0);
    proxy.cut();
    g.open();
    await bulk.drain();
    expect(fs.existsSync(exportDir(dir, id))).toBe(false);
    proxy.restore();
    const state = await bulk.status(ctx, id);
    expect(state).toEqual({ status: 'failed', error: 'database-unavailable' });
    const rows = await t.haven.auditRepo.entries(0, 1_000_000);
    const mine = rows.filter((r) => (r.detail ?? '').includes(id));
    // Kick-off and failure; no per-patient export and no completion.
    expect(mine.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'bulk-export:success',
      'bulk-export:failure',
    ]);
  });
});
