import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { canaryNote, canaryPatient, canarySecrets } from '../support/canary.js';
import { ENGINES, TEST_DATABASE_URL } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

const CANARIES = [11, 12, 13];

describe.each(ENGINES)('encryption at rest on %s', (engine) => {
  let t: TestServer;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(engine);
    for (const n of CANARIES) {
      const res = await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(n) });
      ids.push(String(res.json().id));
      await t.request('POST', '/fhir/R4/Condition', {
        body: {
          resourceType: 'Condition',
          subject: { reference: `Patient/${ids.at(-1)}` },
          code: { text: canaryNote(n) },
          note: [{ text: canaryNote(n) }],
          onsetDateTime: '1999-12-31T23:59:00Z',
        },
      });
    }
    // Searches leave tokens and audit rows behind; they must hold no plaintext either.
    await t.request(
      'GET',
      `/fhir/R4/Patient?family=Canarywing11&birthdate=${String(canaryPatient(11).birthDate)}`,
    );
  });
  afterAll(async () => t.stop());

  it('no canary name, birth date, identifier, phone, email or note appears in any stored byte', async () => {
    const secrets = CANARIES.flatMap((n) => [
      ...canarySecrets(n),
      String(canaryPatient(n).birthDate),
      canaryNote(n),
    ]);
    const haystacks: { where: string; bytes: Buffer }[] = [];
    if (engine === 'sqlite') {
      await t.haven.database.db.executeQuery(
        sql`PRAGMA wal_checkpoint(PASSIVE)`.compile(t.haven.database.db),
      );
      for (const file of walk(t.target.dataDir))
        haystacks.push({
          where: path.relative(t.target.dataDir, file),
          bytes: fs.readFileSync(file),
        });
      expect(
        haystacks.some((h) => h.where.endsWith('haven.db-wal') || h.where.endsWith('haven.db')),
      ).toBe(true);
    } else {
      haystacks.push({ where: 'postgres dump', bytes: await dumpSchema(t.target.schema!) });
      for (const file of walk(t.target.dataDir))
        haystacks.push({
          where: path.relative(t.target.dataDir, file),
          bytes: fs.readFileSync(file),
        });
    }
    const found: string[] = [];
    for (const h of haystacks) {
      for (const s of secrets) {
        for (const variant of [s, s.toLowerCase(), s.toUpperCase()]) {
          if (
            h.bytes.includes(Buffer.from(variant, 'utf8')) ||
            h.bytes.includes(Buffer.from(variant, 'utf16le'))
          )
            found.push(`${h.where}`);
        }
      }
    }
    expect(found).toEqual([]);
    // The check can fail: the same secrets are present in what the API serves.
    const served = await t.request('GET', `/fhir/R4/Patient/${ids[0]}`);
    expect(served.text).toContain(canarySecrets(CANARIES[0]!)[0]);
  });

  it('a flipped byte in a stored ciphertext gives an integrity error without content or details', async () => {
    await tamper(
      t,
      `UPDATE resource_versions SET body = ${engine === 'sqlite' ? "substr(body,1,60) || (CASE WHEN substr(body,61,1) = x'00' THEN x'01' ELSE x'00' END) || substr(body,62)" : "overlay(body placing (CASE WHEN substring(body from 61 for 1) = '\\x00'::bytea THEN '\\x01'::bytea ELSE '\\x00'::bytea END) from 61 for 1)"} WHERE resource_type = 'Patient' AND id = '${ids[1]}'`,
    );
    const res = await t.request('GET', `/fhir/R4/Patient/${ids[1]}`);
    expect(res.status).toBe(500);
    expect(res.json().issue?.[0]?.diagnostics).toMatch(/integrity/);
    for (const s of canarySecrets(CANARIES[1]!)) expect(res.text).not.toContain(s);
  });

  it('swapping two records\u2019 ciphertexts makes both reads fail closed', async () => {
    const a = ids[0]!;
    const b = ids[2]!;
    await tamper(
      t,
      `UPDATE resource_versions SET body = (SELECT body FROM resource_versions WHERE resource_type = 'Patient' AND id = '${b}' AND version = 1) WHERE resource_type = 'Patient' AND id = '${a}' AND version = 1`,
      `UPDATE resource_versions SET body = (SELECT body FROM resource_versions r2 WHERE r2.resource_type = 'Condition' LIMIT 1) WHERE resource_type = 'Patient' AND id = '${b}' AND version = 1`,
    );
    for (const id of [a, b]) {
      const res = await t.request('GET', `/fhir/R4/Patient/${id}`);
      expect(res.status).toBe(500);
      for (const n of CANARIES) for (const s of canarySecrets(n)) expect(res.text).not.toContain(s);
    }
  });
});

describe.each(ENGINES)('blind indexes at rest on %s', (engine) => {
  /** The stored search tokens of one resource, hex, sorted. */
  const tokensOf = async (t: TestServer, id: string) =>
    (
      await t.haven.database.db
        .selectFrom('search_tokens')
        .select('token')
        .where('resource_type', '=', 'Patient')
        .where('id', '=', id)
        .execute()
    )
      .map((r) => Buffer.from(r.token).toString('hex'))
      .sort();
  const create = async (t: TestServer) =>
    String((await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(31) })).json().id);

  it('the same patient gets other tokens under another index key, and equal ones under the same', async () => {
    const first = await startTestServer(engine);
    const second = await startTestServer(engine); // its own keyring, so its own index key
    try {
      const a = await tokensOf(first, await create(first));
      const again = await tokensOf(first, await create(first));
      const b = await tokensOf(second, await create(second));
      expect(a.length).toBeGreaterThan(5);
      // Control: one key, equal terms, equal tokens (that is what makes the index searchable).
      expect(again).toEqual(a);
      // Another key: not one token in common, so tokens are not a keyless hash of the terms.
      expect(b).toHaveLength(a.length);
      expect(b.filter((x) => a.includes(x))).toEqual([]);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describe('the keyring', () => {
  it('without it the data cannot be read and the server refuses to start', async () => {
    const t = await startTestServer('sqlite');
    const res = await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(21) });
    expect(res.status).toBe(201);
    await t.server.close();
    await t.haven.close();
    const keyring = t.config.keyringPath;
    fs.renameSync(keyring, `${keyring}.moved`);
    const config = resolveConfig({ data: t.target.dataDir, port: 0 }, {});
    await expect(openHaven(config, { logger: createLogger('silent') })).rejects.toMatchObject({
      code: 'keyring-missing',
    });
    expect(fs.existsSync(keyring)).toBe(false); // no new keyring was created over the data
    fs.writeFileSync(keyring, '{not json', { mode: 0o600 });
    await expect(openHaven(config, { logger: createLogger('silent') })).rejects.toMatchObject({
      code: 'keyring-unreadable',
    });
    fs.renameSync(`${keyring}.moved`, keyring);
    const reopened = await openHaven(config, { logger: createLogger('silent') });
    await reopened.close();
    await t.target.cleanup();
  });

  it('is created with mode 0600', async () => {
    const t = await startTestServer('sqlite');
    expect(fs.statSync(t.config.keyringPath).mode & 0o777).toBe(0o600);
    await t.stop();
  });
});

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

async function dumpSchema(schema: string): Promise<Buffer> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const parts: Buffer[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`SELECT * FROM "${schema}"."${table_name}"`);
      for (const row of rows.rows) {
        for (const v of Object.values(row))
          parts.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
      }
    }
    return Buffer.concat(parts);
  } finally {
    await client.end();
  }
}

/** Changes stored rows the way an attacker with database rights would: triggers out of the way. */
async function tamper(t: TestServer, ...statements: string[]): Promise<void> {
  const db = t.haven.database.db;
  if (t.haven.database.engine === 'sqlite') {
    await sql.raw('DROP TRIGGER resource_versions_no_update').execute(db);
    for (const s of statements) await sql.raw(s).execute(db);
    await sql
      .raw(
        `CREATE TRIGGER resource_versions_no_update BEFORE UPDATE ON resource_versions BEGIN SELECT RAISE(ABORT, 'append-only table'); END`,
      )
      .execute(db);
  } else {
    await sql.raw('ALTER TABLE resource_versions DISABLE TRIGGER USER').execute(db);
    for (const s of statements) await sql.raw(s).execute(db);
    await sql.raw('ALTER TABLE resource_versions ENABLE TRIGGER USER').execute(db);
  }
}
