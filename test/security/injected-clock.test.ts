import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

// A time no machine clock will show while this suite is alive: a stamp equal to it can only
// have come from the clock openHaven was given.
const INJECTED = '2031-02-03T04:05:06.000Z';

describe.each(ENGINES)('stored times come from the injected clock on %s', (engine) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: () => new Date(INJECTED) });
  });
  afterAll(async () => t.stop());

  it('stamps the keyring KEK, system keys, data keys and API clients with it', async () => {
    const created = await t.request('POST', '/fhir/R4/Patient', {
      body: { resourceType: 'Patient', name: [{ family: 'Testfamily' }] },
    });
    expect(created.status).toBe(201);

    const ring = JSON.parse(fs.readFileSync(t.config.keyringPath, 'utf8'));
    expect(ring.keys.map((k: { created: string }) => k.created)).toEqual([INJECTED]);

    const db = t.haven.database.db;
    const systemKeys = await db.selectFrom('system_keys').select('created_at').execute();
    expect(systemKeys.length).toBeGreaterThan(0);
    expect(new Set(systemKeys.map((r) => r.created_at))).toEqual(new Set([INJECTED]));

    const dataKeys = await db.selectFrom('data_keys').select('created_at').execute();
    expect(dataKeys.length).toBeGreaterThan(0);
    expect(new Set(dataKeys.map((r) => r.created_at))).toEqual(new Set([INJECTED]));

    // The test server's own bearer token was issued through haven.clients.
    const clients = await t.haven.clients.list();
    expect(clients.length).toBeGreaterThan(0);
    expect(new Set(clients.map((c) => c.createdAt))).toEqual(new Set([INJECTED]));
  });

  it('stamps a revocation with it', async () => {
    const [client] = await t.haven.clients.list();
    expect(await t.haven.clients.revoke(client!.id)).toBe(true);
    const after = (await t.haven.clients.list()).find((c) => c.id === client!.id);
    expect(after?.revokedAt).toBe(INJECTED);
  });
});
