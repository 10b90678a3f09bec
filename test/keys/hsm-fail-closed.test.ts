import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { ENGINES, makeTarget } from '../support/engines.js';
import { startTestServer } from '../support/haven-server.js';
import { createSoftHsmToken, USER_PIN, type SoftHsmToken } from '../support/softhsm.js';

/**
 * Issue 17 part 2, fail closed: with the KEKs on a token, a token Haven cannot use means no PHI.
 * At start-up Haven refuses, naming the token and never the PIN; while running, a read whose key
 * must be unwrapped answers 503 and writes an audit failure.
 */
let token: SoftHsmToken;
beforeAll(() => {
  token = createSoftHsmToken();
});
afterAll(() => token.cleanup());

describe.each(ENGINES)('HSM unavailable (%s)', (engine) => {
  it('start-up refuses a wrong PIN with a message naming the token label, not the PIN', async () => {
    const target = await makeTarget(engine);
    try {
      const wrongPin = '24680135';
      const config = resolveConfig(
        { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
        { ...token.env, HAVEN_PKCS11_PIN: wrongPin },
      );
      const opening = openHaven(config, { logger: createLogger('silent', undefined) });
      const message = await opening.then(
        () => 'opened',
        (e: Error) => e.message,
      );
      expect(message).toMatch(/cannot log in to PKCS#11 token label "haven-test"/);
      expect(message).not.toContain(wrongPin);
      expect(message).not.toContain(USER_PIN);
      expect(JSON.stringify(config)).not.toContain(wrongPin);
    } finally {
      await target.cleanup();
    }
  });

  it('a read answers 503 and is audited as a failure once the token is gone', async () => {
    let now = Date.parse('2026-03-01T09:00:00Z');
    const t = await startTestServer(engine, { env: token.env, clock: () => new Date(now) });
    try {
      expect(t.haven.provider.kind).toBe('pkcs11');
      const created = await t.request('POST', '/fhir/R4/Patient', {
        body: { resourceType: 'Patient', gender: 'female' },
      });
      expect(created.status).toBe(201);
      const id = String(created.json().id);
      expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);

      await t.haven.provider.close(); // the token is gone (session closed)
      now += 6 * 60_000; // past the data-key cache lifetime: the next read must unwrap
      const res = await t.request('GET', `/fhir/R4/Patient/${id}`);
      expect(res.status).toBe(503);
      expect(res.text).not.toContain('female');
      const failures = await t.haven.database.db
        .selectFrom('audit_entries')
        .select(['action', 'outcome', 'detail'])
        .where('resource_id', '=', id)
        .where('outcome', '=', 'failure')
        .execute();
      expect(failures).toEqual([
        {
          action: 'read',
          outcome: 'failure',
          detail: JSON.stringify({ error: 'key-unavailable' }),
        },
      ]);
    } finally {
      await t.stop();
    }
  });
});
