import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import type { HavenDatabase } from '../../src/store/index.js';
import { ENGINES, makeTarget, TEST_DATABASE_URL, type EngineTarget } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, signIn, TestClock } from '../http/auth/sign-in.js';
import { fhirAs } from '../http/access/clinic.js';

/** Recognisable synthetic ids and reason: none may be readable in the relation tables. */
const DOC = 'relcanary-doc-31';
const PATIENT = 'relcanary-patient-31';
const OTHER = 'relcanary-patient-32';
const TEAM = 'relcanary-team-31';
const BOOKING = 'relcanary-appt-31';
const ORDER = 'relcanary-order-31';
const REASON = 'Relcanary synthetic emergency reason 32';
const SECRETS = [DOC, PATIENT, OTHER, TEAM, BOOKING, ORDER, REASON];

/** Every byte of every row of the given tables (what a database dump of them holds). */
async function tableBytes(db: Kysely<never>, tables: string[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db);
    for (const row of rows.rows)
      for (const v of Object.values(row))
        parts.push(
          Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(String(v)),
        );
  }
  return Buffer.concat(parts);
}

function leaks(bytes: Buffer, secrets: string[]): string[] {
  return secrets.filter(
    (s) => bytes.includes(Buffer.from(s, 'utf8')) || bytes.includes(Buffer.from(s, 'utf16le')),
  );
}

/**
 * Who treats whom is PHI (issue 13, item 8): care relations and break-glass grants hold no
 * patient, practitioner or source id and no reason in plaintext, in the tables or anywhere in
 * the database files / a PostgreSQL dump, while the access they carry still works.
 */
describe.each(ENGINES)('who treats whom at rest on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    const put = async (type: string, id: string, body: Record<string, unknown>) => {
      const res = await t.request('PUT', `/fhir/R4/${type}/${id}`, {
        body: { resourceType: type, id, ...body },
      });
      if (res.status !== 201) throw new Error(`fixture failed: ${res.status}`);
    };
    const subject = { reference: `Patient/${PATIENT}` };
    const doc = { reference: `Practitioner/${DOC}` };
    await put('Practitioner', DOC, { name: [{ family: 'Testdoc' }] });
    await put('Patient', PATIENT, { name: [{ family: 'Testpatient' }] });
    await put('Patient', OTHER, { name: [{ family: 'Testpatient' }] });
    await put('CareTeam', TEAM, { status: 'active', subject, participant: [{ member: doc }] });
    await put('Appointment', BOOKING, {
      status: 'booked',
      start: '2031-05-07T09:00:00Z',
      end: '2031-05-07T09:20:00Z',
      participant: [
        { actor: subject, status: 'accepted' },
        { actor: doc, status: 'accepted' },
      ],
    });
    await put('ServiceRequest', ORDER, {
      status: 'active',
      intent: 'order',
      subject,
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007' }] }],
      code: { text: 'Synthetic lab panel' },
    });
  }, 120_000);
  afterAll(async () => t.stop());

  it('keeps no id or reason readable in the relation and grant tables, nor the reason anywhere', async () => {
    const user = await createUser(t, clock, {
      totp: true,
      roles: ['physician'],
      practitionerId: DOC,
    });
    const who = { user, jar: await signIn(t, clock, user) };
    const granted = await api(t, 'POST', '/api/break-glass', {
      body: { patient: OTHER, reason: REASON },
      jar: who.jar,
    });
    expect(granted.status).toBe(201);
    const db = t.haven.database.db as unknown as Kysely<never>;
    const tables = ['care_relations', 'break_glass_grants'];
    expect(leaks(await tableBytes(db, tables), SECRETS)).toEqual([]);
    // The reason appears nowhere at all: database files (SQLite) or a dump of every table.
    let everything: Buffer;
    if (engine === 'sqlite') {
      await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(db);
      everything = Buffer.concat(
        fs
          .readdirSync(t.target.dataDir)
          .filter((f) => f.startsWith('haven.db'))
          .map((f) => fs.readFileSync(path.join(t.target.dataDir, f))),
      );
    } else {
      const names = await sql<{
        table_name: string;
      }>`SELECT table_name FROM information_schema.tables WHERE table_schema = ${t.target.schema}`.execute(
        db,
      );
      everything = await tableBytes(
        db,
        names.rows.map((r) => r.table_name),
      );
    }
    expect(everything.length).toBeGreaterThan(0);
    expect(leaks(everything, [REASON])).toEqual([]);

    // ...while the relations and the grant still work, and the reviewer still reads the reason.
    expect((await fhirAs(t, who, 'GET', `/fhir/R4/Patient/${PATIENT}`)).status).toBe(200);
    expect((await fhirAs(t, who, 'GET', `/fhir/R4/Patient/${OTHER}`)).status).toBe(200);
    const found = await fhirAs(t, who, 'GET', '/fhir/R4/Patient?_count=50');
    const ids = ((found.json() as { entry?: { resource: { id: string } }[] }).entry ?? []).map(
      (e) => e.resource.id,
    );
    expect(ids.sort()).toEqual([PATIENT, OTHER].sort());
    const listed = (await t.haven.breakGlass.activeGrants(user.userId)).map((g) => g.patient);
    expect(listed).toEqual([`Patient/${OTHER}`]);
    // The check can fail: the same ids are what the API serves.
    expect((await t.request('GET', `/fhir/R4/CareTeam/${TEAM}`)).text).toContain(DOC);
  });
});

/** A connection as the server opens it (WAL, busy timeout), without migrating. */
// The 0003 schema has no types here; Kysely's Migrator takes any database.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function connect(engine: 'sqlite' | 'postgres', target: EngineTarget): Kysely<any> {
  return new Kysely({
    dialect:
      engine === 'sqlite'
        ? new SqliteDialect({ database: sqlite(path.join(target.dataDir, 'haven.db')) })
        : new PostgresDialect({
            pool: new pg.Pool({
              connectionString: TEST_DATABASE_URL,
              max: 1,
              options: `-c search_path=${target.schema}`,
            }),
          }),
  });
}

/** A database left by migration 0003 with plaintext relation and grant rows. */
function sqlite(file: string): SqliteDatabase.Database {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

async function legacyDatabase(engine: 'sqlite' | 'postgres'): Promise<EngineTarget> {
  const target = await makeTarget(engine);
  const old = connect(engine, target);
  if (engine === 'postgres') await sql`CREATE SCHEMA ${sql.id(target.schema!)}`.execute(old);
  const migrated = await new Migrator({
    db: old,
    provider: migrationProvider(engine),
    ...(engine === 'postgres' && { migrationTableSchema: target.schema! }),
  }).migrateTo('0003-access');
  expect(migrated.error).toBeUndefined();
  await sql`INSERT INTO care_relations (source_type, source_id, kind, practitioner, patient)
    VALUES ('CareTeam', ${TEAM}, 'care-team', ${`Practitioner/${DOC}`}, ${`Patient/${PATIENT}`}),
           ('ServiceRequest', ${ORDER}, 'lab-order', '', ${`Patient/${PATIENT}`})`.execute(old);
  const future = '2999-01-01T00:00:00.000Z';
  await sql`INSERT INTO break_glass_grants (id, user_id, patient, reason_sealed, created_at, expires_at)
    VALUES ('g-legacy', 'u-legacy', ${`Patient/${OTHER}`}, ${Buffer.from('sealed')}, '2030-01-01T00:00:00.000Z', ${future})`.execute(
    old,
  );
  await old.destroy();
  return target;
}

describe.each(ENGINES)('a database from before migration 0004 on %s', (engine) => {
  it('is converted on start: relations and grants keep working, no plaintext is left', async () => {
    const target = await legacyDatabase(engine);

    const config = resolveConfig(
      {
        data: target.dataDir,
        databaseUrl: target.databaseUrl,
        databaseSchema: target.schema,
        port: 0,
      },
      {},
    );
    const haven = await openHaven(config, { logger: createLogger('silent') });
    try {
      const { relations } = haven.records;
      const now = '2031-01-01T00:00:00.000Z';
      expect(
        await relations.factsForPatient(`Practitioner/${DOC}`, `Patient/${PATIENT}`, 'u', now),
      ).toEqual({
        care: true,
        labOrder: true,
        grantId: undefined,
      });
      expect(
        (await relations.factsForPatient('', `Patient/${OTHER}`, 'u-legacy', now)).grantId,
      ).toBe('g-legacy');
      const grants = await haven.breakGlass.activeGrants('u-legacy');
      expect(grants.map((g) => [g.id, g.patient])).toEqual([['g-legacy', `Patient/${OTHER}`]]);
      const db = haven.database.db as unknown as Kysely<never>;
      expect(
        leaks(await tableBytes(db, ['care_relations', 'break_glass_grants']), SECRETS),
      ).toEqual([]);
      const authorities = await haven.database.db
        .selectFrom('care_relations')
        .select('authority')
        .execute();
      expect(authorities.map((a) => a.authority)).toEqual(['legacy', 'legacy']);
      // The plaintext tables are gone, so nothing of them is left to read.
      await expect(sql`SELECT * FROM care_relations_0003`.execute(db)).rejects.toThrow();
      await expect(sql`SELECT * FROM break_glass_grants_0003`.execute(db)).rejects.toThrow();
    } finally {
      await haven.close();
    }
    // A second start finds nothing to convert and changes nothing.
    const again = await openHaven(config, { logger: createLogger('silent') });
    expect(
      await again.database.db.selectFrom('care_relations').select('kind').execute(),
    ).toHaveLength(2);
    await again.close();
    await target.cleanup();
  });
  it('is converted once when two server processes start at the same time', async () => {
    const target = await legacyDatabase(engine);
    // Schema migrations are the primary's first-run work (ADR 0006; Kysely locks them only on
    // PostgreSQL), so the schema is brought up to date first; then two processes convert at once.
    const a = connect(engine, target);
    const migrated = await new Migrator({
      db: a,
      provider: migrationProvider(engine),
      ...(engine === 'postgres' && { migrationTableSchema: target.schema! }),
    }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    await a.destroy();
    const env = {
      ...process.env,
      HAVEN_TEST_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
      HAVEN_TEST_RELATION_KEY: crypto.randomBytes(32).toString('hex'),
    };
    const where = engine === 'sqlite' ? path.join(target.dataDir, 'haven.db') : target.schema!;
    const script = path.join(import.meta.dirname, 'support', 'convert-relations-process.ts');
    const run = () =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', script, engine, where],
          { env, timeout: 60_000 },
          (err, stdout, stderr) => (err ? reject(new Error(stderr.slice(-500))) : resolve(stdout)),
        ),
      );
    const outs = (await Promise.all([run(), run()])).map(
      (o) => JSON.parse(o) as { relations: number; grants: number },
    );
    // Exactly one of them converted the rows; the other found the old tables gone.
    expect(outs.map((o) => o.relations + o.grants).sort()).toEqual([0, 3]);
    const db = connect(engine, target) as Kysely<HavenDatabase>;
    try {
      expect(await db.selectFrom('care_relations').select('kind').execute()).toHaveLength(2);
      expect(await db.selectFrom('break_glass_grants').select('id').execute()).toHaveLength(1);
    } finally {
      await db.destroy();
    }
    await target.cleanup();
  });
});
