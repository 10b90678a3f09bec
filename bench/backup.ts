/**
 * npm run bench:backup [-- --patients 10000 --engines sqlite,postgres]: `haven backup` and
 * `haven restore` throughput (MB/s of backup file, records/s) and peak RSS, beside `sqlite3
 * .backup` and `pg_dump` of the same data in the same run. Patients are seeded over the FHIR
 * API in transactions of 100 (bench/seed.ts). See docs/performance.md (Backups).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupHaven, openHaven, restoreHaven } from '../src/app/index.js';
import { createApiClient } from '../src/auth/index.js';
import { resolveConfig } from '../src/config/index.js';
import { startServer } from '../src/http/index.js';
import { createLogger } from '../src/logging/index.js';
import { seedPatients } from './seed.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const PATIENTS = Number(arg('patients', '10000'));
const ENGINES = arg('engines', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Samples RSS every 20 ms while `fn` runs; returns its result, seconds and the peak in MiB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; s: number; rssMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, s: (performance.now() - t0) / 1000, rssMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

const timed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
};

for (const engine of ENGINES) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-backup-'));
  const schema = `haven_bb_${crypto.randomBytes(4).toString('hex')}`;
  const schema2 = `${schema}_r`;
  const pg = engine === 'postgres';
  const config = resolveConfig(
    {
      data: path.join(root, 'src'),
      port: 0,
      ...(pg && { databaseUrl: PG_URL, databaseSchema: schema }),
    },
    { HAVEN_RATE_LIMIT: '100000000' },
  );
  const haven = await openHaven(config, { logger: createLogger('silent', undefined) });
  const server = await startServer(haven, { software: { name: 'Haven', version: 'bench' } });
  try {
    const ca = fs.readFileSync(path.join(config.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
    const token = (await createApiClient(haven.clients, 'bench', 'system/*.cruds')).token;
    const seedS = timed(() => undefined);
    const t0 = performance.now();
    await seedPatients(server.url, ca, token, PATIENTS);
    const seeded = (performance.now() - t0) / 1000 + seedS;
    const file = path.join(root, 'b.hvb');
    const b = await measured(() => backupHaven(haven, file));
    const target = resolveConfig(
      {
        data: path.join(root, 'restored'),
        keyring: config.keyringPath,
        ...(pg && { databaseUrl: PG_URL, databaseSchema: schema2 }),
      },
      {},
    );
    const r = await measured(() => restoreHaven(target, file));
    const mb = b.value.bytes / 1e6;
    let native: { tool: string; s: number; bytes: number };
    if (pg) {
      const out = path.join(root, 'dump.sql');
      const s = timed(() => execFileSync('pg_dump', ['-d', PG_URL, '-n', schema, '-f', out]));
      native = {
        tool: 'pg_dump (plain, uncompressed, unencrypted)',
        s,
        bytes: fs.statSync(out).size,
      };
    } else {
      const out = path.join(root, 'copy.db');
      const s = timed(() =>
        execFileSync('sqlite3', [path.join(config.dataDir, 'haven.db'), `.backup '${out}'`]),
      );
      native = {
        tool: 'sqlite3 .backup (page copy, unencrypted)',
        s,
        bytes: fs.statSync(out).size,
      };
    }
    const row = {
      engine,
      patients: PATIENTS,
      seedSeconds: Number(seeded.toFixed(1)),
      rows: b.value.rows,
      backupBytes: b.value.bytes,
      backup: {
        s: +b.s.toFixed(2),
        MBps: +(mb / b.s).toFixed(1),
        rowsPerS: Math.round(b.value.rows / b.s),
        peakRssMiB: Math.round(b.rssMiB),
      },
      restore: {
        s: +r.s.toFixed(2),
        MBps: +(mb / r.s).toFixed(1),
        rowsPerS: Math.round(r.value.rows / r.s),
        peakRssMiB: Math.round(r.rssMiB),
      },
      native: {
        tool: native.tool,
        s: +native.s.toFixed(2),
        bytes: native.bytes,
        MBps: +(native.bytes / 1e6 / native.s).toFixed(1),
      },
    };
    console.log(JSON.stringify(row));
  } finally {
    await server.close();
    await haven.close();
    if (pg) {
      for (const s of [schema, schema2])
        execFileSync('psql', [
          PG_URL,
          '-q',
          '-c',
          `SET client_min_messages = warning; DROP SCHEMA IF EXISTS "${s}" CASCADE`,
        ]);
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
}
