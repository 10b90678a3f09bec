import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import { createApiClient } from '../../src/auth/index.js';
import type { HavenConfig } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { rebuildSearchIndex } from '../../src/records/index.js';
import { searchRegistry } from '../../src/records/search/index.js';
import { ENGINES } from '../support/engines.js';
import { send, startTestServer, type TestResponse } from '../support/haven-server.js';

/** Synthetic records (no real person). */
const PATIENT = {
  resourceType: 'Patient',
  id: 'reindex-pat-1',
  meta: { tag: [{ system: 'urn:test:tags', code: 'reindex' }] },
  name: [{ family: 'Reindextest' }],
  address: [{ postalCode: 'ZZ9 9ZZ' }],
};
const OBSERVATION = {
  resourceType: 'Observation',
  id: 'reindex-obs-1',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
  subject: { reference: 'Patient/reindex-pat-1' },
  valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
};

interface Running {
  haven: Haven;
  server: RunningServer;
  get(urlPath: string): Promise<TestResponse>;
  stop(): Promise<void>;
}

async function reopen(config: HavenConfig): Promise<Running> {
  const haven = await openHaven(config, { logger: createLogger('silent') });
  const server = await startServer(haven, { software: { name: 'Haven', version: 'test' } });
  const ca = fs.readFileSync(path.join(config.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  const token = (await createApiClient(haven.clients, 'test', 'system/*.cruds')).token;
  return {
    haven,
    server,
    get: (urlPath) => send(server.url, ca, 'GET', urlPath, token, {}),
    stop: async () => {
      await server.close();
      await haven.close();
    },
  };
}

function ids(res: TestResponse): string[] {
  const entries = (res.json() as { entry?: { resource: { id: string } }[] }).entry ?? [];
  return entries.map((e) => e.resource.id).sort();
}

const SEARCHES = [
  '/fhir/R4/Observation?value-quantity=72.5|http://unitsofmeasure.org|kg',
  '/fhir/R4/Patient?address-postalcode=zz9',
  '/fhir/R4/Patient?_tag=urn:test:tags|reindex',
];

/**
 * Records stored under an older search-parameter registry (here: with no tokens at all and an
 * older recorded version) become findable by the parameters the current registry supports once
 * Haven is opened again; an open with the current version re-indexes nothing.
 */
describe.each(ENGINES)('search index rebuild on %s', (engine) => {
  it('re-indexes records stored under an older registry version at open', async () => {
    const t = await startTestServer(engine);
    const config = t.config;
    try {
      for (const r of [PATIENT, OBSERVATION]) {
        const res = await t.request('PUT', `/fhir/R4/${r.resourceType}/${r.id}`, { body: r });
        expect(res.status).toBe(201);
      }
      for (const q of SEARCHES) expect(ids(await t.request('GET', q)), q).toHaveLength(1);
      // What an index built by an older registry looks like: other tokens, another version.
      const db = t.haven.database.db;
      await db.deleteFrom('search_tokens').execute();
      await db.updateTable('search_index_state').set({ version: 'r4-older' }).execute();
      for (const q of SEARCHES) expect(ids(await t.request('GET', q)), q).toEqual([]);
      await t.server.close();
      await t.haven.close();

      const again = await reopen(config);
      try {
        expect(ids(await again.get(SEARCHES[0]!))).toEqual(['reindex-obs-1']);
        expect(ids(await again.get(SEARCHES[1]!))).toEqual(['reindex-pat-1']);
        expect(ids(await again.get(SEARCHES[2]!))).toEqual(['reindex-pat-1']);
        expect(await again.haven.records.resources.searchIndexVersion()).toBe(
          searchRegistry().version,
        );
        // Already current: nothing to do.
        const second = await rebuildSearchIndex({
          resources: again.haven.records.resources,
          sealed: again.haven.records.sealed,
          clock: again.haven.clock,
        });
        expect(second).toMatchObject({ rebuilt: false, records: 0 });
      } finally {
        await again.stop();
      }
    } finally {
      await t.target.cleanup();
    }
  });

  it('walks every record in batches', async () => {
    const t = await startTestServer(engine);
    try {
      const patient = await t.request('PUT', `/fhir/R4/Patient/${PATIENT.id}`, { body: PATIENT });
      expect(patient.status).toBe(201);
      for (let i = 0; i < 5; i++) {
        const res = await t.request('PUT', `/fhir/R4/Observation/reindex-b-${i}`, {
          body: { ...OBSERVATION, id: `reindex-b-${i}` },
        });
        expect(res.status).toBe(201);
      }
      const db = t.haven.database.db;
      const tokens = async () =>
        (
          await db
            .selectFrom('search_tokens')
            .select(['resource_type', 'id', 'token'])
            .orderBy('resource_type')
            .orderBy('id')
            .orderBy('token')
            .execute()
        ).map((r) => `${r.resource_type}/${r.id}:${Buffer.from(r.token).toString('hex')}`);
      const written = await tokens();
      await db.deleteFrom('search_tokens').execute();
      await t.haven.records.resources.recordSearchIndexVersion('r4-older', '2026-01-01T00:00:00Z');
      const result = await rebuildSearchIndex(
        {
          resources: t.haven.records.resources,
          sealed: t.haven.records.sealed,
          clock: t.haven.clock,
        },
        2,
      );
      expect(result).toMatchObject({ rebuilt: true, records: 6 });
      // The rebuild indexes exactly as a write does.
      expect(await tokens()).toEqual(written);
      // A version the head has moved past is left alone (its write indexed the newer one).
      const stale = { resourceType: 'Observation', id: 'reindex-b-0', version: 0, tokens: [] };
      expect(await t.haven.records.resources.replaceTokens([stale])).toBe(0);
      expect(await tokens()).toEqual(written);
      expect(ids(await t.request('GET', SEARCHES[0]!))).toHaveLength(5);
    } finally {
      await t.stop();
    }
  });
});
