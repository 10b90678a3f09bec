import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 14 part 6: `haven --help` and `--version` load commander and the command tree only, and
 * each command loads only what it opens. Checked by which modules a real process resolves (a
 * loader hook writes them to a file), never by how long it took.
 */
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const HOOK = path.join(ROOT, 'test/support/module-log.mjs');

/** The server stack: none of it may load for --help or --version. */
const SERVER = [
  'fastify',
  'kysely',
  'better-sqlite3',
  'pg',
  '@medplum',
  '@node-rs/argon2',
  'ioredis',
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-startup-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `haven <args>` in a new process; returns the modules it resolved and its exit code. */
async function modulesLoadedBy(args: string[]): Promise<{ code: number; modules: string[] }> {
  const log = path.join(dir, `${args.join('-').replace(/[^a-z-]/gi, '')}.log`);
  const code = await run(
    process.execPath,
    ['--import', HOOK, '--import', 'tsx', 'src/cli/main.ts', ...args],
    { cwd: ROOT, env: { ...process.env, HAVEN_MODULE_LOG: log } },
  ).then(
    () => 0,
    (e: { code: number }) => e.code,
  );
  return { code, modules: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n') : [] };
}

const packagesIn = (modules: string[], names: string[]) =>
  names.filter((n) => modules.some((m) => m.includes(`/node_modules/${n}/`)));
const havenFolders = (modules: string[]) =>
  [...new Set(modules.flatMap((m) => /\/src\/([a-z-]+)\//.exec(m)?.[1] ?? []))].sort();

describe('CLI start-up loads only what a command needs', { timeout: 120_000 }, () => {
  it.each(['--help', '--version', 'audit --help'])(
    'haven %s loads commander and no server code',
    async (line) => {
      const args = line.split(' ');
      const { code, modules } = await modulesLoadedBy(args);
      expect(code).toBe(0);
      // The hook saw the process's modules (else an empty list would pass).
      expect(packagesIn(modules, ['commander'])).toEqual(['commander']);
      expect(packagesIn(modules, SERVER)).toEqual([]);
      expect(havenFolders(modules)).toEqual(['cli']);
    },
  );

  it('audit verify loads the store but no HTTP, FHIR definitions or sign-in code', async () => {
    const { code, modules } = await modulesLoadedBy([
      'audit',
      'verify',
      '--data',
      path.join(dir, 'absent'),
    ]);
    expect(code).not.toBe(0);
    expect(packagesIn(modules, ['kysely'])).toEqual(['kysely']);
    expect(packagesIn(modules, ['fastify', '@medplum', '@simplewebauthn', 'nodemailer'])).toEqual(
      [],
    );
    expect(havenFolders(modules)).not.toContain('http');
    expect(havenFolders(modules)).not.toContain('records');
  });

  it('audit verify-export opens no database: no store code loads', async () => {
    const { code, modules } = await modulesLoadedBy([
      'audit',
      'verify-export',
      path.join(dir, 'absent.jsonl'),
      '--key',
      'k',
    ]);
    expect(code).toBe(1);
    expect(packagesIn(modules, SERVER)).toEqual([]);
    expect(havenFolders(modules)).not.toContain('store');
  });
});
