/**
 * npm run bench:backup [-- --patients 10000,100000 --engines sqlite,postgres]
 *
 * `haven backup` and `haven restore` throughput (MB/s of backup file, records/s) and memory,
 * beside `sqlite3 .backup`/`.restore` and `pg_dump -Fc`/`pg_restore` of the same data in the
 * same run. One population per engine grows through the sizes given (ascending): seeded
 * straight into the store with the production sealing and row format (bench/backup-seed.ts),
 * then measured at each size. Each Haven backup and restore runs in a process of its own
 * (bench/backup-child.ts), so its peak RSS and heap are its own: flat memory means the same
 * peak at every size. SQLite in a temporary directory; PostgreSQL in schemas
 * `haven_bb_<random>` of TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
 * and a scratch database for pg_restore, all dropped afterwards. Needs the `sqlite3`, `pg_dump`,
 * `pg_restore` and `psql` programs (Debian packages sqlite3 and postgresql-client).
 * See docs/performance.md, "Backup and restore".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openHaven, type Haven } from '../src/app/index.js';
import { resolveConfig, type HavenConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';
import { seedPatientsDirect } from './backup-seed.js';
import { arg } from './args.js';

const SIZES = arg('patients', '10000,100000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const ENGINES = arg('engines', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'backup-child.ts');
if (SIZES.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--patients N[,N…]');

interface Measured {
  seconds: number;
  rows: number;
  bytes: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  heapBeforeMiB: number;
  heapPeakMiB: number;
}
interface Native {
  seconds: number;
  bytes: number;
  maxRssMiB: number;
}
interface Row {
  engine: string;
  patients: number;
  seedSeconds: number;
  tokensPerPatient: number;
  dbBytes: number;
  backup: Measured;
  restore: Measured;
  nativeBackup: Native & { tool: string };
  nativeRestore: Native & { tool: string };
}

function child(job: Record<string, unknown>): Measured {
  // BENCH_BACKUP_HEAP_MB caps the child's V8 heap: a backup that held a growing share of the
  // data would die there, one that streams only collects garbage sooner.
  const cap = process.env.BENCH_BACKUP_HEAP_MB;
  const flags = cap ? [`--max-old-space-size=${cap}`] : [];
  const out = execFileSync(
    process.execPath,
    [...flags, '--import', 'tsx', CHILD, JSON.stringify(job)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

/** A program run under /usr/bin/time: its wall time, peak RSS, and the size of what it wrote. */
function nativeRun(cmd: string, argv: string[], output: string): Native {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', cmd, ...argv], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0);
  return { seconds, bytes: fs.statSync(output).size, maxRssMiB: kb / 1024 };
}

const psql = (url: string, statement: string) =>
  execFileSync('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', statement], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });

/** The URL of another database on the same server (for pg_restore's scratch database). */
function databaseUrl(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function dbBytes(haven: Haven, engine: string, schema: string): Promise<number> {
  if (engine === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(haven.database.db);
    return fs.statSync(path.join(haven.config.dataDir, 'haven.db')).size;
  }
  const r = await sql<{ n: string }>`SELECT sum(pg_total_relation_size(c.oid))::text AS n
    FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = ${schema} AND c.relkind = 'r'`.execute(haven.database.db);
  return Number(r.rows[0]?.n ?? 0);
}

const silent = () => createLogger('silent', undefined);

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-backup-'));
  const tag = crypto.randomBytes(4).toString('hex');
  const schema = `haven_bb_${tag}`;
  const restoredSchema = `${schema}_r`;
  const scratchDb = `haven_bb_${tag}_native`;
  const pg = engine === 'postgres';
  const config: HavenConfig = resolveConfig(
    {
      data: path.join(root, 'src'),
      port: 0,
      ...(pg && { databaseUrl: PG_URL, databaseSchema: schema }),
    },
    {},
  );
  const rows: Row[] = [];
  let seeded = 0;
  let seedSeconds = 0;
  let tokens = 0;
  try {
    for (const patients of SIZES) {
      const haven = await openHaven(config, { logger: silent() });
      let size: number;
      try {
        // Seeding only: the bench's own population needs no fsync per commit.
        if (!pg) await sql`PRAGMA synchronous = OFF`.execute(haven.database.db);
        const t0 = performance.now();
        const add = patients - seeded;
        const s = await seedPatientsDirect(haven.records, add, (n) => {
          if (n % 10_000 === 0) process.stderr.write(`  ${engine}: seeded ${seeded + n}\n`);
        });
        seedSeconds += (performance.now() - t0) / 1000;
        tokens = (tokens * seeded + s.tokensPerPatient * add) / patients;
        seeded = patients;
        size = await dbBytes(haven, engine, schema);
      } finally {
        await haven.close();
      }
      process.stderr.write(`  ${engine} ${patients}: haven backup\n`);
      const file = path.join(root, 'b.hvb');
      const backup = child({
        mode: 'backup',
        data: config.dataDir,
        ...(pg && { databaseUrl: PG_URL, databaseSchema: schema }),
        file,
      });
      process.stderr.write(`  ${engine} ${patients}: haven restore\n`);
      const restore = child({
        mode: 'restore',
        data: path.join(root, 'restored'),
        keyring: config.keyringPath,
        ...(pg && { databaseUrl: PG_URL, databaseSchema: restoredSchema }),
        file,
      });
      fs.rmSync(path.join(root, 'restored'), { recursive: true, force: true });
      if (pg)
        psql(PG_URL, `SET client_min_messages = warning; DROP SCHEMA "${restoredSchema}" CASCADE`);
      process.stderr.write(`  ${engine} ${patients}: native\n`);
      let nativeBackup: Row['nativeBackup'];
      let nativeRestore: Row['nativeRestore'];
      if (pg) {
        const dump = path.join(root, 'dump.pgc');
        nativeBackup = {
          tool: 'pg_dump -Fc',
          ...nativeRun('pg_dump', ['-d', PG_URL, '-n', schema, '-Fc', '-f', dump], dump),
        };
        psql(PG_URL, `CREATE DATABASE "${scratchDb}"`);
        try {
          nativeRestore = {
            tool: 'pg_restore',
            ...nativeRun(
              'pg_restore',
              ['-d', databaseUrl(PG_URL, scratchDb), '--single-transaction', dump],
              dump,
            ),
          };
        } finally {
          psql(PG_URL, `DROP DATABASE "${scratchDb}"`);
        }
        fs.rmSync(dump);
      } else {
        const copy = path.join(root, 'copy.db');
        const back = path.join(root, 'back.db');
        const db = path.join(config.dataDir, 'haven.db');
        nativeBackup = {
          tool: 'sqlite3 .backup',
          ...nativeRun('sqlite3', [db, `.backup '${copy}'`], copy),
        };
        nativeRestore = {
          tool: 'sqlite3 .restore',
          ...nativeRun('sqlite3', [back, `.restore '${copy}'`], back),
        };
        fs.rmSync(copy);
        fs.rmSync(back);
      }
      fs.rmSync(file);
      const row: Row = {
        engine,
        patients,
        seedSeconds,
        tokensPerPatient: tokens,
        dbBytes: size,
        backup,
        restore,
        nativeBackup,
        nativeRestore,
      };
      console.error(JSON.stringify(row));
      rows.push(row);
    }
  } finally {
    if (pg) {
      const quiet = 'SET client_min_messages = warning';
      psql(PG_URL, `${quiet}; DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      psql(PG_URL, `${quiet}; DROP SCHEMA IF EXISTS "${restoredSchema}" CASCADE`);
      execFileSync(
        'psql',
        [
          PG_URL,
          '-q',
          '-c',
          'SET client_min_messages = warning',
          '-c',
          `DROP DATABASE IF EXISTS "${scratchDb}"`,
        ],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

const f1 = (n: number) => n.toFixed(1);
const MB = (b: number) => b / 1e6;

function table(rows: Row[]): string {
  const head = [
    'engine',
    'patients',
    'records',
    'db MB',
    'operation',
    'file MB',
    's',
    'DB MB/s',
    'records/s',
    'peak RSS MiB (before)',
    'peak heap MiB (before)',
    '× native time',
  ];
  const lines = [head, head.map(() => '---')];
  for (const r of rows) {
    const rec = r.backup.rows;
    const haven = (op: string, m: Measured, nat: Native) => [
      r.engine,
      String(r.patients),
      String(rec),
      f1(MB(r.dbBytes)),
      op,
      f1(MB(r.backup.bytes)),
      f1(m.seconds),
      f1(MB(r.dbBytes) / m.seconds),
      String(Math.round(rec / m.seconds)),
      `${Math.round(m.rssPeakMiB)} (${Math.round(m.rssBeforeMiB)})`,
      `${Math.round(m.heapPeakMiB)} (${Math.round(m.heapBeforeMiB)})`,
      `${(m.seconds / nat.seconds).toFixed(1)}×`,
    ];
    const nat = (n: Native & { tool: string }) => [
      r.engine,
      String(r.patients),
      String(rec),
      f1(MB(r.dbBytes)),
      n.tool,
      f1(MB(n.bytes)),
      f1(n.seconds),
      f1(MB(r.dbBytes) / n.seconds),
      String(Math.round(rec / n.seconds)),
      `${Math.round(n.maxRssMiB)}`,
      '',
      '1×',
    ];
    lines.push(haven('haven backup', r.backup, r.nativeBackup), nat(r.nativeBackup));
    lines.push(haven('haven restore', r.restore, r.nativeRestore), nat(r.nativeRestore));
  }
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

const all: Row[] = [];
const started = performance.now();
for (const engine of ENGINES) all.push(...(await runEngine(engine)));
fs.mkdirSync('bench/results', { recursive: true });
fs.writeFileSync('bench/results/backup-latest.json', JSON.stringify(all, null, 2));
console.log(table(all));
console.log(
  `\npatients: ${all.map((r) => `${r.engine} ${r.patients}: seeded in ${f1(r.seedSeconds)} s, ${f1(r.tokensPerPatient)} search tokens each`).join('; ')}`,
);
console.log(`total ${f1((performance.now() - started) / 1000)} s`);
