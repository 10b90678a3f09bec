import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/http/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { TestClock } from '../http/auth/sign-in.js';
import {
  casesWithoutRoute,
  headTwins,
  prepare,
  routesWithoutCase,
  sweep,
  type Route,
} from './canary/sweep.js';

/**
 * Issue 23: nothing a client sends comes back to it, or reaches a log, unless the route's job is
 * to store and return it. Every route the app registers (its onRoute inventory) gets canaries in
 * every part of its input — path parameters, query parameter names and values, header names and
 * values, body values, body keys at every depth — with and without credentials. No response
 * body, response header or log line may contain one; the only exception is a successful answer
 * of a route that stores what it is given (`echoesOnSuccess`), and then only for a canary sent as
 * a value. SQLite gets the full sweep; PostgreSQL a representative subset of every route.
 */
describe.each(ENGINES)('error echo canaries on %s', (engine) => {
  let t: TestServer;
  let routes: Route[];
  const clock = new TestClock();

  beforeAll(async () => {
    const before = declaredRoutes.length;
    t = await startTestServer(engine, { clock: clock.fn });
    const seen = new Map<string, Route>();
    for (const r of declaredRoutes.slice(before)) seen.set(`${r.method} ${r.url}`, r);
    routes = [...seen.values()];
  }, 120_000);
  afterAll(async () => t?.stop());

  it('returns no canary in any body, header or log line', async () => {
    // Every registered route has a case, and every case a route: a new route cannot be missed.
    expect(routes.length).toBeGreaterThan(40);
    for (const r of routes)
      expect(t.server.app.hasRoute({ method: r.method, url: r.url })).toBe(true);
    expect(routesWithoutCase(routes)).toEqual([]);
    expect(casesWithoutRoute(routes)).toEqual([]);

    const heads = headTwins(routes, (r) => t.server.app.hasRoute(r));
    expect(heads.length).toBeGreaterThan(10);

    const setup = await prepare(t, clock);
    const result = await sweep(t, [...routes, ...heads], setup, {
      subset: engine === 'postgres',
      parallel: 4,
    });
    // The sweep got past the first checks (successes, refusals and misses all occur) and the
    // server's log was captured (a line per request), so an empty finding list means something.
    expect(result.requests).toBeGreaterThan(engine === 'postgres' ? 300 : 2000);
    const seen = new Set(Object.values(result.statuses).flatMap((s) => Object.keys(s)));
    const expected = ['200', '201', '400', '401', '404', ...(engine === 'sqlite' ? ['403'] : [])];
    for (const status of expected)
      expect(seen.has(status), `some probe answered ${status}`).toBe(true);
    expect(t.logs.length).toBeGreaterThan(result.requests / 2);
    expect(result.findings).toEqual([]);
    expect(result.leakedLogLines).toEqual([]);

    // The dependency goes away: with the audit trail unwritable, the requests that must be
    // recorded fail closed (503), through the same error path, still without an echo. The
    // database's own error texts (which can quote values) reach neither the client nor the log.
    await blockAuditWrites(t);
    try {
      const down = await sweep(t, routes, setup, { subset: true, parallel: 4 });
      const statuses = new Set(Object.values(down.statuses).flatMap((s) => Object.keys(s)));
      expect(statuses.has('503')).toBe(true);
      expect(down.findings).toEqual([]);
      expect(down.leakedLogLines).toEqual([]);
    } finally {
      await unblockAuditWrites(t);
    }
  }, 900_000);
});

async function blockAuditWrites(t: TestServer): Promise<void> {
  const trigger =
    t.target.engine === 'sqlite'
      ? `CREATE TRIGGER canary_audit_block BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END`
      : `CREATE TRIGGER canary_audit_block BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION haven_append_only()`;
  await sql.raw(trigger).execute(t.haven.database.db);
}

async function unblockAuditWrites(t: TestServer): Promise<void> {
  const drop =
    t.target.engine === 'sqlite'
      ? 'DROP TRIGGER canary_audit_block'
      : 'DROP TRIGGER canary_audit_block ON audit_entries';
  await sql.raw(drop).execute(t.haven.database.db);
}
