import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { verifyTrail } from '../../src/audit/index.js';
import { createApiClient } from '../../src/auth/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { makeTarget, type EngineTarget } from '../support/engines.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `haven serve --workers 2` on the embedded SQLite database: two processes share the port and
 * the file; the trail must stay one contiguous, verifiable chain with one entry per request.
 */
describe('haven serve --workers', () => {
  let target: EngineTarget;
  let proc: ReturnType<typeof spawn>;
  let url = '';
  let stderr = '';
  let token = '';
  let ca = '';

  beforeAll(async () => {
    target = await makeTarget('sqlite');
    proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        '--data',
        target.dataDir,
        '--port',
        '0',
        '--workers',
        '2',
        '--json',
      ],
      {
        cwd: REPO,
        env: { ...process.env, HAVEN_LOG_LEVEL: 'warn', HAVEN_CHECKPOINT_ENTRIES: '100' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      proc.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const config = resolveConfig({ data: target.dataDir }, {});
    const haven = await openHaven(config, { logger: createLogger('silent') });
    token = (await createApiClient(haven.clients, 'workers-test', 'system/*.cruds')).token;
    await haven.close();
    ca = fs.readFileSync(path.join(target.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  }, 180_000); // three processes start through tsx: slow on a loaded two-core machine

  afterAll(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await target.cleanup();
  });

  it(
    'serves concurrent creates and reads from both processes into one verifiable trail',
    { timeout: 90_000 },
    async () => {
      const agent = new https.Agent({ keepAlive: true, maxSockets: 24, ca });
      const call = (method: string, p: string, body?: unknown) =>
        new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
          const payload = body ? Buffer.from(JSON.stringify(body)) : undefined;
          const req = https.request(
            new URL(p, url),
            {
              method,
              agent,
              servername: 'localhost',
              headers: {
                authorization: `Bearer ${token}`,
                ...(payload ? { 'content-type': 'application/fhir+json' } : {}),
              },
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(payload);
        });
      const created: string[] = [];
      const statuses: number[] = [];
      const jobs = Array.from({ length: 600 }, (_, i) => async () => {
        if (i % 3 === 0 || created.length === 0) {
          const r = await call('POST', '/fhir/R4/Patient', {
            resourceType: 'Patient',
            name: [{ family: `Workerson${i}` }],
          });
          statuses.push(r.status);
          if (r.status === 201) created.push(String(r.json.id));
        } else {
          const r = await call('GET', `/fhir/R4/Patient/${created[i % created.length]}`);
          statuses.push(r.status);
        }
      });
      let next = 0;
      await Promise.all(
        Array.from({ length: 24 }, async () => {
          while (next < jobs.length) await jobs[next++]!();
        }),
      );
      agent.destroy();
      expect(
        statuses.filter((s) => s !== 200 && s !== 201),
        stderr,
      ).toEqual([]);

      proc.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
      expect(code, stderr).toBe(0);

      const haven = await openHaven(resolveConfig({ data: target.dataDir }, {}), {
        logger: createLogger('silent'),
      });
      try {
        const report = await verifyTrail(haven.auditRepo, [haven.auditKey.verifier]);
        expect(report, JSON.stringify(report.problem)).toMatchObject({ ok: true, entries: 600 });
        expect(await haven.auditRepo.countEntries()).toBe(600);
      } finally {
        await haven.close();
      }
    },
  );
});
