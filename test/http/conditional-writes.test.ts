import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import { startServer, type RunningServer } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { canaryPatient } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { send, startTestServer, type TestServer } from '../support/haven-server.js';

/** Response bodies are walked freely here; the assertions are what check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const doc = (r: { json(): unknown }): Doc => r.json();

/**
 * Conditional update (`PUT Type?criteria`) and conditional delete (`DELETE Type?criteria`), and
 * conditional writes held one at a time across server processes by a database lease (issue 20
 * part 1, ADR 0033): two Haven instances on one database stand in for `serve --workers 2`.
 */
describe.each(ENGINES)('conditional writes on %s', (engine) => {
  let t: TestServer;
  let now = Date.parse('2031-03-01T10:00:00Z');
  const clock = () => new Date(now);
  let second: { haven: Haven; server: RunningServer };
  beforeAll(async () => {
    t = await startTestServer(engine, { clock });
    const haven = await openHaven(t.config, { logger: createLogger('silent'), clock });
    const server = await startServer(haven, { software: { name: 'Haven', version: 'test' } });
    second = { haven, server };
  });
  afterAll(async () => {
    await second.server.close();
    await second.haven.close();
    await t.stop();
  });

  const mrn = (n: number) => ({ system: 'urn:example:cond-write', value: `CW-${n}-${engine}` });
  const byMrn = (n: number) => `identifier=${mrn(n).system}|${mrn(n).value}`;
  const withMrn = (n: number, extra: Record<string, unknown> = {}) => ({
    ...canaryPatient(n),
    identifier: [mrn(n)],
    ...extra,
  });
  const found = async (query: string) =>
    doc(await t.request('GET', `/fhir/R4/Patient?${query}`)).total as number;

  describe('conditional update', () => {
    it('creates when nothing matches, then updates the one match', async () => {
      const first = await t.request('PUT', `/fhir/R4/Patient?${byMrn(601)}`, {
        body: withMrn(601),
      });
      expect(first.status).toBe(201);
      const id = doc(first).id as string;
      expect(first.headers.location).toContain(`/Patient/${id}/_history/1`);
      const again = await t.request('PUT', `/fhir/R4/Patient?${byMrn(601)}`, {
        body: withMrn(601, { gender: 'female' }),
      });
      expect(again.status).toBe(200);
      expect(doc(again)).toMatchObject({ id, gender: 'female', meta: { versionId: '2' } });
      expect(await found(byMrn(601))).toBe(1);
    });

    it('refuses a body id that is not the match, several matches, or a stale If-Match: nothing changes', async () => {
      const made = await t.request('POST', '/fhir/R4/Patient', { body: withMrn(602) });
      const id = doc(made).id as string;
      const wrongId = await t.request('PUT', `/fhir/R4/Patient?${byMrn(602)}`, {
        body: withMrn(602, { id: 'someone-else', gender: 'female' }),
      });
      expect(wrongId.status).toBe(400);
      const stale = await t.request('PUT', `/fhir/R4/Patient?${byMrn(602)}`, {
        body: withMrn(602, { gender: 'female' }),
        headers: { 'if-match': 'W/"7"' },
      });
      expect(stale.status).toBe(412);
      // A second patient with the same identifier: the criteria now match two.
      await t.request('POST', '/fhir/R4/Patient', { body: withMrn(602, { gender: 'unknown' }) });
      const several = await t.request('PUT', `/fhir/R4/Patient?${byMrn(602)}`, {
        body: withMrn(602, { gender: 'female' }),
      });
      expect(several.status).toBe(412);
      expect(doc(several).issue[0].code).toBe('multiple-matches');
      const current = doc(await t.request('GET', `/fhir/R4/Patient/${id}`));
      expect(current.meta.versionId).toBe('1');
      expect(current.gender).not.toBe('female');
      const noCriteria = await t.request('PUT', '/fhir/R4/Patient', { body: withMrn(602) });
      expect(noCriteria.status).toBe(400);
      // Nothing matches, but the body names an id: refused rather than overwriting that record.
      const named = await t.request('PUT', `/fhir/R4/Patient?${byMrn(603)}`, {
        body: withMrn(603, { id }),
      });
      expect(named.status).toBe(400);
      expect(doc(await t.request('GET', `/fhir/R4/Patient/${id}`)).meta.versionId).toBe('1');
    });

    it('parallel conditional updates with no match yet create exactly one record', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.request('PUT', `/fhir/R4/Patient?${byMrn(604)}`, {
            body: withMrn(604, { gender: i % 2 ? 'male' : 'female' }),
          }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([...Array(9).fill(200), 201]);
      expect(await found(byMrn(604))).toBe(1);
    });

    it('a read-only token cannot update through criteria', async () => {
      const made = await t.request('POST', '/fhir/R4/Patient', { body: withMrn(605) });
      const token = await t.newToken('system/Patient.rs');
      const res = await t.request('PUT', `/fhir/R4/Patient?${byMrn(605)}`, {
        body: withMrn(605, { gender: 'female' }),
        token,
      });
      expect(res.status).toBe(403);
      const current = doc(await t.request('GET', `/fhir/R4/Patient/${doc(made).id}`));
      expect(current.meta.versionId).toBe('1');
    });
  });

  describe('conditional delete', () => {
    it('deletes the one match, does nothing when none matches, refuses several', async () => {
      const made = await t.request('POST', '/fhir/R4/Patient', { body: withMrn(611) });
      const id = doc(made).id as string;
      const gone = await t.request('DELETE', `/fhir/R4/Patient?${byMrn(611)}`);
      expect(gone.status).toBe(204);
      expect(gone.headers.etag).toBe('W/"2"');
      expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(410);
      const none = await t.request('DELETE', `/fhir/R4/Patient?${byMrn(612)}`);
      expect(none.status).toBe(204);
      expect(none.headers.etag).toBeUndefined();

      await t.request('POST', '/fhir/R4/Patient', { body: withMrn(613) });
      await t.request('POST', '/fhir/R4/Patient', { body: withMrn(613) });
      const several = await t.request('DELETE', `/fhir/R4/Patient?${byMrn(613)}`);
      expect(several.status).toBe(412);
      expect(await found(byMrn(613))).toBe(2);
      expect((await t.request('DELETE', '/fhir/R4/Patient')).status).toBe(400);
    });

    it('a token without the delete scope is refused and nothing is deleted', async () => {
      await t.request('POST', '/fhir/R4/Patient', { body: withMrn(614) });
      const token = await t.newToken('system/Patient.rs');
      const res = await t.request('DELETE', `/fhir/R4/Patient?${byMrn(614)}`, { token });
      expect(res.status).toBe(403);
      expect(await found(byMrn(614))).toBe(1);
    });
  });

  describe('one at a time across processes', () => {
    const viaSecond = (method: string, path: string, body: unknown, headers = {}) =>
      send(second.server.url, t.ca, method, path, t.token, { body, headers });

    it('parallel conditional creates through two Haven instances on one database make one patient', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => {
          const headers = { 'if-none-exist': byMrn(621) };
          return i % 2
            ? t.request('POST', '/fhir/R4/Patient', { body: withMrn(621), headers })
            : viaSecond('POST', '/fhir/R4/Patient', withMrn(621), headers);
        }),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 200)).toHaveLength(11);
      expect(await found(byMrn(621))).toBe(1);
    });

    it('a lease left by a dead process blocks until its term ends by the clock, then lapses', async () => {
      const db = t.haven.database.db;
      await db
        .insertInto('leases')
        .values({
          name: 'conditional-create',
          holder: 'a-process-that-died',
          expires_at: new Date(now + 30_000).toISOString(),
        })
        .execute();
      let settled = false;
      const pending = t
        .request('POST', '/fhir/R4/Patient', {
          body: withMrn(622),
          headers: { 'if-none-exist': byMrn(622) },
        })
        .finally(() => (settled = true));
      // It waits on the lease (the in-process queue is empty): nothing is created meanwhile.
      for (let i = 0; i < 20 && !settled; i++) await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false);
      expect(await found(byMrn(622))).toBe(0);
      now += 30_001;
      const res = await pending;
      expect(res.status).toBe(201);
      // Given back when done: the next conditional create does not wait.
      expect(await db.selectFrom('leases').selectAll().execute()).toEqual([]);
    });
  });
});
