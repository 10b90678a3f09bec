import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import { createApiClient } from '../../src/auth/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { canaryPatient } from '../support/canary.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';
import { send } from '../support/haven-server.js';

/**
 * Issue 13 item 17: an error line names the request once, and a key that cannot be unwrapped is
 * logged with the KEK id and keyring file expected (never in the HTTP answer).
 */
describe.each(ENGINES)('error logs on %s', (engine) => {
  let target: EngineTarget;
  let haven: Haven;
  let server: RunningServer;
  let ca: string;
  let token: string;
  let patientId: string;
  const logs: string[] = [];

  const open = async () => {
    const config = resolveConfig(
      {
        data: target.dataDir,
        databaseUrl: target.databaseUrl,
        databaseSchema: target.schema,
        port: 0,
        logLevel: 'info',
      },
      {},
    );
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    });
    haven = await openHaven(config, { logger: createLogger('info', sink) });
    server = await startServer(haven, { software: { name: 'Haven', version: 'test' } });
    ca = fs.readFileSync(path.join(target.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  };
  const request = (method: string, url: string, body?: unknown) =>
    send(server.url, ca, method, url, token, body === undefined ? {} : { body });

  beforeAll(async () => {
    target = await makeTarget(engine);
    await open();
    token = (await createApiClient(haven.clients, 'test', 'system/*.cruds')).token;
    patientId = String((await request('POST', '/fhir/R4/Patient', canaryPatient(71))).json().id);
    // The patient's data key now names a KEK this keyring does not hold (as if wrapped by
    // another keyring). A fresh process has nothing cached, so the next read must unwrap it.
    await sql`UPDATE data_keys SET kek_id = 'local-7'`.execute(haven.database.db);
    await server.close();
    await haven.close();
    await open();
  });
  afterAll(async () => {
    await server.close();
    await haven.close();
    await target.cleanup();
  });

  it('fails closed with 503, and the log names the expected key and keyring once per request', async () => {
    logs.length = 0;
    const res = await request('GET', `/fhir/R4/Patient/${patientId}`);
    expect(res.status).toBe(503);
    // The answer carries neither the key id nor the keyring's path.
    expect(res.text).not.toContain('local-7');
    expect(res.text).not.toContain(target.dataDir);

    const line = logs.find((l) => l.includes('"request failed"'));
    expect(line, logs.join('')).toBeDefined();
    expect(line!.match(/"reqId"/g)).toHaveLength(1);
    const entry = JSON.parse(line!) as { err: { cause?: Record<string, unknown> } };
    expect(entry.err.cause).toMatchObject({
      type: 'KeyUnavailableError',
      code: 'key-unavailable',
      expectedKey: 'local-7',
      keyring: path.join(target.dataDir, 'keyring.json'),
    });
    // The access line is written once the response has gone out.
    const access = await vi.waitFor(() => {
      const l = logs.find((x) => x.includes('"msg":"request"'));
      if (!l) throw new Error('no access line yet');
      return l;
    });
    expect(access.match(/"reqId"/g)).toHaveLength(1);
  });
});
