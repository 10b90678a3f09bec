import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPatient, canarySecrets } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/** If the audit entry cannot be written, PHI is not served: 503 and no content. */
describe.each(ENGINES)('audit fails closed on %s', (engine) => {
  let t: TestServer;
  let id: string;
  beforeAll(async () => {
    t = await startTestServer(engine);
    id = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(31) })).json().id,
    );
  });
  afterAll(async () => t.stop());

  const blockAuditWrites = async () => {
    const db = t.haven.database.db;
    if (engine === 'sqlite') {
      await sql
        .raw(
          `CREATE TRIGGER audit_block BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
        )
        .execute(db);
    } else {
      await sql
        .raw(
          `CREATE TRIGGER audit_block BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
        )
        .execute(db);
    }
  };
  const unblock = () =>
    sql
      .raw(
        engine === 'sqlite'
          ? 'DROP TRIGGER audit_block'
          : 'DROP TRIGGER audit_block ON audit_entries',
      )
      .execute(t.haven.database.db);

  it('serves the read while the trail is writable (control)', async () => {
    expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);
  });

  it('returns 503 with no PHI for reads, searches and history when the trail is unwritable, and writes nothing', async () => {
    await blockAuditWrites();
    try {
      const before = await t.haven.records.resources.countLive();
      for (const url of [
        `/fhir/R4/Patient/${id}`,
        `/fhir/R4/Patient/${id}/_history/1`,
        '/fhir/R4/Patient?family=canarywing31',
        `/fhir/R4/Patient/${id}/_history`,
      ]) {
        const res = await t.request('GET', url);
        expect(res.status, url).toBe(503);
        expect(res.json().resourceType).toBe('OperationOutcome');
        for (const s of canarySecrets(31)) expect(res.text).not.toContain(s);
      }
      const create = await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(32) });
      expect(create.status).toBe(503);
      expect(await t.haven.records.resources.countLive()).toBe(before);
    } finally {
      await unblock();
    }
    expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);
  });
});
