import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { DEFAULT_LOCKOUT_THRESHOLD } from '../../src/auth/users/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { makeTarget, type EngineTarget } from '../support/engines.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EMAIL = 'workers-throttle@clinic.example';
const PASSWORD = 'violet harbour lantern 42';

/**
 * Issue 13, item 3, across processes: `haven serve --workers 2` shares one SQLite file between two
 * processes, each with its own connection. 100 parallel wrong passwords spread over both must
 * still see at most the threshold checked: the reservation is one atomic statement in the
 * database, not a count held in either process.
 */
describe('throttles across two server processes', () => {
  let target: EngineTarget;
  let proc: ReturnType<typeof spawn>;
  let url = '';
  let stderr = '';
  let ca = '';
  let userId = '';

  beforeAll(async () => {
    target = await makeTarget('sqlite');
    const config = resolveConfig({ data: target.dataDir }, {});
    const haven = await openHaven(config, { logger: createLogger('silent') });
    const added = await haven.people.users.addUser({ email: EMAIL, roles: ['nurse'] });
    await haven.people.users.enroll(added.enrollmentToken, PASSWORD);
    userId = added.userId;
    await haven.close();
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
        env: { ...process.env, HAVEN_LOG_LEVEL: 'warn' },
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
    ca = fs.readFileSync(path.join(target.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  }, 180_000); // three processes start through tsx; minutes on a loaded two-core machine

  afterAll(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await target.cleanup();
  });

  it(
    '100 parallel wrong passwords: at most the threshold checked',
    { timeout: 90_000 },
    async () => {
      // One connection per request, so the kernel spreads them over both workers.
      const agent = new https.Agent({ keepAlive: false, maxSockets: 100, ca });
      const login = () =>
        new Promise<number>((resolve, reject) => {
          const payload = Buffer.from(
            JSON.stringify({ email: EMAIL, password: 'wrong password!' }),
          );
          const req = https.request(
            new URL('/api/login', url),
            {
              method: 'POST',
              agent,
              servername: 'localhost',
              headers: { 'content-type': 'application/json', origin: new URL(url).origin },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(payload);
        });
      const statuses = await Promise.all(Array.from({ length: 100 }, login));
      agent.destroy();
      expect(new Set(statuses), stderr).toEqual(new Set([401, 429]));

      proc.kill('SIGTERM');
      await new Promise((r) => proc.on('exit', r));
      const haven = await openHaven(resolveConfig({ data: target.dataDir }, {}), {
        logger: createLogger('silent'),
      });
      try {
        const rows = (await haven.auditRepo.entries(0, 100_000)).filter(
          (r) => r.action === 'login-password' && r.actor_id === userId,
        );
        const checked = rows.filter((r) => r.reason === 'wrong-password').length;
        expect(checked).toBeGreaterThan(0);
        expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
      } finally {
        await haven.close();
      }
    },
  );
});
