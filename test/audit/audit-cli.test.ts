import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { createLogger } from '../../src/logging/index.js';
import { runHaven } from '../support/cli.js';
import { flipSignatureBit } from './forged-notes.js';
import { closeTrails, trailWith } from './trail-harness.js';

const run = promisify(execFile);
afterEach(() => closeTrails());

describe('haven audit CLI', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, ...env },
      cwd: path.resolve(import.meta.dirname, '../..'),
    })
      .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
      .catch((e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }));

  // The first and last verify run as real processes (the exit code a script sees); the steps
  // between run the same commander program in-process (test/support/cli.ts), which reports the
  // same exit codes without starting Node and tsx each time. Kept out of the mutation run.
  const inProcess = (args: string[]) => runHaven(args, { HAVEN_LOG_LEVEL: 'warn' });
  it(
    'verify exits 0 on a good trail and 2 naming the entry on a bad one; export verifies standalone',
    { timeout: 120_000 },
    async () => {
      const { config } = await trailWith('sqlite', 20);
      await closeTrails({ keepData: true });
      const data = ['--data', config.dataDir];
      const ok = await cli(['audit', 'verify', ...data, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, entries: 21 - 1 });
      // --from-checkpoint: a genuine exported checkpoint passes; the same with one signature bit
      // flipped fails, though its body matches the trail exactly.
      const notes = path.join(config.dataDir, 'audit-checkpoints');
      const newest = fs
        .readdirSync(notes)
        .filter((f) => f.endsWith('.note'))
        .sort()
        .at(-1)!;
      const genuine = fs.readFileSync(path.join(notes, newest), 'utf8');
      const forgedFile = path.join(config.dataDir, 'forged.note');
      fs.writeFileSync(forgedFile, flipSignatureBit(genuine, 200));
      const viaFile = await inProcess([
        'audit',
        'verify',
        ...data,
        '--from-checkpoint',
        path.join(notes, newest),
      ]);
      expect(viaFile.code, viaFile.stderr).toBe(0);
      const forged = await inProcess(['audit', 'verify', ...data, '--from-checkpoint', forgedFile]);
      expect(forged.code).toBe(2);
      expect(forged.stderr).toMatch(/external checkpoint does not verify/);
      const out = path.join(config.dataDir, 'export.jsonl');
      expect((await inProcess(['audit', 'export', ...data, '--out', out])).code).toBe(0);
      const key = fs.readFileSync(path.join(config.dataDir, 'audit-public-key.txt'), 'utf8').trim();
      expect((await inProcess(['audit', 'verify-export', out, '--key', key])).code).toBe(0);
      fs.writeFileSync(out + '.bad', fs.readFileSync(out, 'utf8').replace('"p7"', '"p8"'));
      expect((await inProcess(['audit', 'verify-export', out + '.bad', '--key', key])).code).toBe(
        2,
      );

      const reopened = await openHaven(config, { logger: createLogger('silent') });
      await sql.raw('DROP TRIGGER audit_entries_no_update').execute(reopened.database.db);
      await sql
        .raw(`UPDATE audit_entries SET outcome = 'failure' WHERE seq = 7`)
        .execute(reopened.database.db);
      await reopened.close();
      const bad = await cli(['audit', 'verify', ...data]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/entry 7/);
      expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  );
});
