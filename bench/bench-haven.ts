/** One Haven server for a bench script: its own data dir (and PostgreSQL schema), dropped after. */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openHaven, type Haven } from '../src/app/index.js';
import { createApiClient } from '../src/auth/index.js';
import { resolveConfig, type HavenConfig } from '../src/config/index.js';
import { startServer, type RunningServer } from '../src/http/index.js';
import { createLogger } from '../src/logging/index.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchHaven {
  haven: Haven;
  server: RunningServer;
  config: HavenConfig;
  ca: string;
  /** A system/*.cruds API client's bearer token. */
  token: string;
}

export async function withBenchHaven<T>(
  engine: 'sqlite' | 'postgres',
  name: string,
  run: (h: BenchHaven) => Promise<T>,
): Promise<T> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `haven-bench-${name}-`));
  const schema = `haven_${name}_${crypto.randomBytes(4).toString('hex')}`;
  const pg = engine === 'postgres';
  const config = resolveConfig(
    { data: root, port: 0, ...(pg && { databaseUrl: PG_URL, databaseSchema: schema }) },
    { HAVEN_RATE_LIMIT: '100000000' },
  );
  const haven = await openHaven(config, { logger: createLogger('silent', undefined) });
  const server = await startServer(haven, { software: { name: 'Haven', version: 'bench' } });
  try {
    const ca = fs.readFileSync(path.join(config.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
    const token = (await createApiClient(haven.clients, 'bench', 'system/*.cruds')).token;
    return await run({ haven, server, config, ca, token });
  } finally {
    await server.close();
    await haven.close();
    if (pg)
      execFileSync('psql', [
        PG_URL,
        '-q',
        '-c',
        `SET client_min_messages = warning; DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
      ]);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
