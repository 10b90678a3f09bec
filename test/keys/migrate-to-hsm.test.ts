import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyStatus, openHaven, type Haven } from '../../src/app/index.js';
import { keysMigrateToHsm } from '../../src/cli/commands/keys.js';
import { resolveConfig, type HavenConfig } from '../../src/config/index.js';
import { Vault, type RecordBinding } from '../../src/crypto/index.js';
import { createLogger } from '../../src/logging/index.js';
import { DataKeyRepository, KeyWrapRepository } from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';
import { createSoftHsmToken, type SoftHsmToken } from '../support/softhsm.js';

/**
 * Issue 17 part 2: `haven keys migrate-to-hsm` moves every wrap from the local keyring to the
 * token in one command, while an installation already running with the token configured keeps
 * reading; afterwards the keyring holds no key material and the token alone reads everything.
 */
const OWNERS = 9;

/**
 * Runs with these HAVEN_PKCS11_* settings in the real environment, restored key by key after
 * (replacing process.env with a copy would detach it from what SoftHSM reads: SOFTHSM2_CONF).
 */
async function withPkcs11Env<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const keys = Object.keys(process.env).filter((k) => k.startsWith('HAVEN_PKCS11_'));
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

// One token for the file: SoftHSM2 has failed to initialise again in a process that already
// finalised it with another configuration, so every test here shares this one (the second
// engine's installation reuses the KEK the first one made on it; each test checks its own rows).
let token: SoftHsmToken;
beforeAll(() => {
  token = createSoftHsmToken();
});
afterAll(() => token.cleanup());

describe.each(ENGINES)('keys migrate-to-hsm (%s)', (engine) => {
  let target: EngineTarget;
  const opened: Haven[] = [];

  const config = (env: Record<string, string>): HavenConfig =>
    resolveConfig(
      { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
      env,
    );
  const open = async (env: Record<string, string>) => {
    const h = await openHaven(config(env), { logger: createLogger('silent', undefined) });
    opened.push(h);
    return h;
  };
  const binding = (i: number): RecordBinding => ({
    resourceType: 'Observation',
    id: `o${i}`,
    version: 1,
    owner: `Patient/p${i}`,
  });
  const vaultOn = (h: Haven) =>
    new Vault({
      provider: h.provider,
      dataKeys: new DataKeyRepository(h.database.db),
      cacheSize: 1,
    });

  beforeEach(async () => {
    target = await makeTarget(engine);
  });
  afterEach(async () => {
    for (const h of opened.splice(0)) await h.close();
    await target.cleanup();
  });

  it('re-wraps every key under the token KEK while reads continue; local KEKs retired', async () => {
    // A local-keyring installation with data.
    const local = await open({});
    const sealed: Buffer[] = [];
    const writer = vaultOn(local);
    for (let i = 0; i < OWNERS; i++) {
      sealed.push(await writer.encrypt(binding(i), Buffer.from(`record ${i}`)));
    }
    await local.close();
    opened.length = 0;

    // The server restarted with the token configured: new wraps go there, old ones still read.
    const server = await open(token.env);
    expect(server.provider.kind).toBe('pkcs11+local-keyring');
    const reader = vaultOn(server);
    const errors: unknown[] = [];
    let running = true;
    let reads = 0;
    const loop = (async () => {
      while (running) {
        for (let i = 0; i < OWNERS; i++) {
          reader.forget();
          await reader.decrypt(binding(i), sealed[i]!).catch((e: unknown) => errors.push(e));
          reads++;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();

    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await withPkcs11Env(token.env, () =>
        keysMigrateToHsm({
          data: target.dataDir,
          databaseUrl: target.databaseUrl,
          databaseSchema: target.schema,
          batchSize: '4',
          settleMs: '0',
          json: true,
        }),
      );
    } finally {
      process.stdout.write = write;
    }
    running = false;
    await loop;
    expect(errors).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    const uses = await new KeyWrapRepository(
      server.database.db,
      server.database.writeDb,
      engine,
    ).countByKek();
    expect(uses).toEqual([
      { kekId: 'pkcs11-1', dataKeys: OWNERS, systemKeys: expect.any(Number) as number },
    ]);
    const status = await keyStatus(server);
    expect(status.keks.filter((k) => k.provider === 'local-keyring')).toEqual([
      expect.objectContaining({ kekId: 'local-1', state: 'retired' }),
    ]);
    // No KEK material left in the keyring file.
    const ring = JSON.parse(fs.readFileSync(path.join(target.dataDir, 'keyring.json'), 'utf8'));
    expect(ring.keys).toEqual([]);
    expect(ring.retired).toEqual([expect.objectContaining({ id: 'local-1' })]);

    // The token alone (keyring file gone) reads every record.
    await server.close();
    opened.length = 0;
    fs.rmSync(path.join(target.dataDir, 'keyring.json'));
    const hsmOnly = await open(token.env);
    expect(hsmOnly.provider.kind).toBe('pkcs11');
    const after = vaultOn(hsmOnly);
    for (let i = 0; i < OWNERS; i++) {
      expect((await after.decrypt(binding(i), sealed[i]!)).toString()).toBe(`record ${i}`);
    }
  });

  it('refuses without a configured token, changing nothing', async () => {
    await (await open({})).close();
    opened.length = 0;
    const saved = { ...process.env };
    for (const k of Object.keys(process.env))
      if (k.startsWith('HAVEN_PKCS11')) delete process.env[k];
    try {
      await expect(
        keysMigrateToHsm({
          data: target.dataDir,
          databaseUrl: target.databaseUrl,
          databaseSchema: target.schema,
        }),
      ).rejects.toThrow(/no PKCS#11 token is configured/);
    } finally {
      process.env = saved;
    }
    const ring = JSON.parse(fs.readFileSync(path.join(target.dataDir, 'keyring.json'), 'utf8'));
    expect(ring.keys.map((k: { id: string }) => k.id)).toEqual(['local-1']);
  });
});
