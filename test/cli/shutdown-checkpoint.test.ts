import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { createApiClient } from '../../src/auth/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { runHaven } from '../support/cli.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READS = 60;

/**
 * Issue 13 item 16: `audit export` covers entries up to the newest signed checkpoint. A clean
 * stop (SIGTERM, also with --workers) signs a final one, so the export after it holds every
 * audited request; when nothing signed the newest entries, the export says how many it left out.
 */
describe.each(ENGINES)('the audit export after a stop on %s', (engine) => {
  let target: EngineTarget | undefined;
  afterEach(async () => {
    await target?.cleanup();
    target = undefined;
  });

  const env = (t: EngineTarget) => ({
    ...process.env,
    HAVEN_LOG_LEVEL: 'warn',
    // No checkpoint falls due while the test runs: only the stop (or the export) can sign.
    HAVEN_CHECKPOINT_ENTRIES: '1000000',
    HAVEN_CHECKPOINT_MS: '3600000',
    ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl, HAVEN_DB_SCHEMA: t.schema! } : {}),
  });

  /** A token made in-process before the server starts (this also runs the first-run setup). */
  const prepare = async (t: EngineTarget): Promise<string> => {
    const config = resolveConfig(
      { data: t.dataDir, databaseUrl: t.databaseUrl, databaseSchema: t.schema },
      {},
    );
    const haven = await openHaven(config, { logger: createLogger('silent') });
    const { token } = await createApiClient(haven.clients, 'shutdown-test', 'system/*.rs');
    await haven.close();
    return token;
  };

  const trailHead = async (t: EngineTarget) => {
    const config = resolveConfig(
      { data: t.dataDir, databaseUrl: t.databaseUrl, databaseSchema: t.schema },
      {},
    );
    const haven = await openHaven(config, { logger: createLogger('silent') });
    try {
      return await haven.auditRepo.head();
    } finally {
      await haven.close();
    }
  };

  const serve = async (t: EngineTarget, workers: number) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        '--data',
        t.dataDir,
        '--port',
        '0',
        '--workers',
        String(workers),
        '--json',
      ],
      { cwd: REPO, env: env(t), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      proc.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) =>
      proc.on('exit', (code) => resolve(code)),
    );
    return { proc, url, exited };
  };

  /** READS audited searches, several in parallel (so also across workers). */
  const auditedReads = async (t: EngineTarget, url: string, token: string) => {
    const ca = fs.readFileSync(path.join(t.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
    const agent = new https.Agent({ keepAlive: false, ca });
    const one = () =>
      new Promise<number>((resolve, reject) => {
        const req = https.request(
          new URL('/fhir/R4/Patient?_count=1', url),
          { agent, servername: 'localhost', headers: { authorization: `Bearer ${token}` } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < READS; i += 10) {
      const statuses = await Promise.all(Array.from({ length: 10 }, one));
      expect(statuses.every((s) => s === 200)).toBe(true);
    }
  };

  // The export runs the commander program in this process (test/support/cli.ts): same code,
  // output and exit code as `haven audit export`, without starting Node and tsx each time.
  // Only `serve` must be a real process here (it is stopped by signals).
  const exportTrail = async (t: EngineTarget, extra: string[], json: boolean) => {
    const out = path.join(t.dataDir, `export-${Date.now()}-${Math.random()}.jsonl`);
    const settings = Object.fromEntries(
      Object.entries(env(t)).filter(
        (e): e is [string, string] =>
          (e[0].startsWith('HAVEN_') || e[0] === 'DATABASE_URL') && e[1] !== undefined,
      ),
    );
    const args = ['audit', 'export', '--data', t.dataDir, '--out', out, ...extra];
    const run = await runHaven([...args, ...(json ? ['--json'] : [])], settings);
    const r = { status: run.code, stdout: run.stdout, stderr: run.stderr };
    expect(r.status, r.stderr).toBe(0);
    const lines = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; entry?: { action: string } });
    const searches = lines.filter((l) => l.type === 'entry' && l.entry?.action === 'search');
    return { stdout: r.stdout, stderr: r.stderr, searches: searches.length };
  };

  const workerCounts = engine === 'sqlite' ? [1, 2] : [1];
  it.each(workerCounts)(
    'SIGTERM with --workers %i: an export without signing holds every audited request',
    { timeout: 120_000 },
    async (workers) => {
      target = await makeTarget(engine);
      const token = await prepare(target);
      const s = await serve(target, workers);
      await auditedReads(target, s.url, token);
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      const result = await exportTrail(target, ['--no-sign'], true);
      expect(result.searches).toBe(READS);
      expect(JSON.parse(result.stdout)).toMatchObject({ leftOut: 0 });
    },
  );

  it(
    'after a kill -9, the export says how many entries it left out and why; signing brings them in',
    { timeout: 120_000 },
    async () => {
      target = await makeTarget(engine);
      const token = await prepare(target);
      const s = await serve(target, 1);
      await auditedReads(target, s.url, token);
      s.proc.kill('SIGKILL');
      await s.exited;
      const head = await trailHead(target);
      expect(head.size - head.checkpointSize).toBeGreaterThan(READS / 2); // nothing signed them
      const unsigned = await exportTrail(target, ['--no-sign'], false);
      const m = /LEFT OUT: the (\d+) newest entries, because (.+)/.exec(unsigned.stdout);
      expect(m, unsigned.stdout).not.toBeNull();
      expect(Number(m![1])).toBe(head.size - head.checkpointSize);
      expect(m![2]).toContain('--no-sign');
      expect(unsigned.stderr).toContain(`${m![1]} audit entries were left out`);
      expect(unsigned.searches).toBeLessThan(READS);
      // The default export signs first: everything is in, nothing left out.
      const signed = await exportTrail(target, [], true);
      expect(signed.searches).toBe(READS);
      expect(JSON.parse(signed.stdout)).toMatchObject({ leftOut: 0 });
    },
  );
});
