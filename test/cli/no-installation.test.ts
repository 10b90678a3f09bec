import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSigningKey } from '../../src/audit/index.js';
import { formatCheckpoint, signNote } from '../../src/audit/checkpoint/index.js';
import { buildProgram } from '../../src/cli/program.js';
import { runHaven } from '../support/cli.js';
import { TEST_DATABASE_URL, testSchemaName } from '../support/engines.js';

/**
 * Issue 21 part 1: only `init` and `serve` create an installation. Every other command pointed
 * at a place without one (or at the wrong keyring) refuses, names the place, exits non-zero and
 * creates nothing.
 */

/** Arguments that get each command past its own option checks to the point of opening Haven. */
const ARGS: Record<string, (out: string) => string[]> = {
  'client add': () => ['--name', 'x', '--scopes', 'system/*.rs'],
  'client list': () => [],
  'client revoke': () => ['client-1'],
  'smart-client add': () => [
    '--name',
    'Synthetic app',
    '--redirect-uri',
    'https://app.example.test/callback',
    '--scopes',
    'launch/patient patient/*.rs',
  ],
  'smart-client list': () => [],
  'smart-client revoke': () => ['app-1'],
  'audit verify': () => [],
  'audit prove': () => ['--seq', '0'],
  'audit export': (out) => ['--out', out],
  'audit archive': (out) => ['--before', '2000-01-01', '--out', out],
  'audit search': () => [],
  'user add': () => ['--email', 'synthetic-1@example.test', '--role', 'admin'],
  'user list': () => [],
  'user reset-password': () => ['user-1'],
  'user roles': () => ['user-1', '--role', 'admin'],
  'user disable': () => ['user-1'],
  'user reset-mfa': () => ['user-1'],
  'user unlock': () => ['user-1'],
  'keys status': () => [],
  'keys rotate': () => [],
  'keys migrate-to-hsm': () => [],
  'backup verify': (out) => [out],
  'patient dispose': () => ['patient-1', '--as', 'user-1'],
  // `demo` seeds an existing installation (withHaven): without one it is refused like the rest.
  demo: () => [],
  'compliance report': () => [],
  'export deidentified': (out) => ['--out', out],
  'incident create': () => ['--discovered', '2026-01-01', '--description', 'synthetic incident'],
  'incident list': () => [],
  'incident show': () => ['incident-1'],
  'incident assess': () => [
    'incident-1',
    '--nature',
    'synthetic',
    '--person',
    'a role',
    '--acquired',
    'viewed',
    '--mitigation',
    'synthetic',
  ],
  'incident affected': () => [
    'incident-1',
    '--actor',
    'user-1',
    '--from',
    '2026-01-01',
    '--to',
    '2026-01-02',
  ],
  'incident notice': () => [
    'incident-1',
    '--organization',
    'Clinic',
    '--phone',
    '1-800',
    '--email',
    'privacy@clinic.example',
    '--postal',
    'Main St',
  ],
};
/** The two commands that create an installation, and the one that needs no database at all. */
// `restore` makes an installation from a backup (ADR 0029); `backup FILE` itself is the
// parent of `backup verify` and refuses like it (test/backup).
const CREATES = ['init', 'serve', 'restore'];
const NO_DATABASE = ['audit verify-export'];

function leafCommands(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return c.commands.length === 0 ? [name] : leafCommands(c, `${name} `);
  });
}

/** Every file and directory under `dir`, relative, sorted (nothing may appear or vanish). */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

const argv = (name: string, out: string) => [...name.split(' '), ...ARGS[name]!(out)];

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-cli-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('which commands may create an installation', () => {
  it('every registered command is covered here: creates one, needs no database, or is refused', () => {
    const all = leafCommands(buildProgram()).sort();
    expect(all).toEqual([...CREATES, ...NO_DATABASE, ...Object.keys(ARGS)].sort());
  });
});

describe.each(Object.keys(ARGS))('haven %s without an installation (SQLite)', (name) => {
  it('refuses a directory that does not exist, naming it, and creates nothing', async () => {
    const dir = path.join(root, `absent-${name.replace(' ', '-')}`);
    const out = path.join(root, `out-absent-${name.replace(' ', '-')}`);
    const r = await runHaven([...argv(name, out), '--data', dir]);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain(`no Haven installation in data directory ${dir}`);
    expect(r.stderr).toContain('haven init');
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses an empty directory and leaves it empty', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'empty-'));
    const out = path.join(root, `out-empty-${name.replace(' ', '-')}`);
    const r = await runHaven([...argv(name, out), '--data', dir]);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain(`no Haven installation in data directory ${dir}`);
    expect(listing(dir)).toEqual([]);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('a keyring that does not match the data', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = path.join(root, 'install-a');
    b = path.join(root, 'install-b');
    expect((await runHaven(['init', '--data', a])).code).toBe(0);
    expect((await runHaven(['init', '--data', b])).code).toBe(0);
  });

  it.each(Object.keys(ARGS))(
    'haven %s says the keyring does not hold the key, names it, and changes nothing',
    async (name) => {
      const before = { a: listing(a), b: listing(b) };
      const other = path.join(b, 'keyring.json');
      const out = path.join(root, `out-keyring-${name.replace(' ', '-')}`);
      const r = await runHaven([...argv(name, out), '--data', a, '--keyring', other]);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toContain(
        `this keyring does not hold key local-1 that the data was sealed with (keyring: ${other}`,
      );
      expect({ a: listing(a), b: listing(b) }).toEqual(before);
      expect(fs.existsSync(out)).toBe(false);
    },
  );

  it('a keyring path with no file is refused, not created', async () => {
    const missing = path.join(root, 'no-such-keyring.json');
    const r = await runHaven(['user', 'list', '--data', a, '--keyring', missing]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`keyring not found at ${missing}`);
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe('PostgreSQL without an installation', () => {
  const schema = testSchemaName();
  const schemaExists = async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const r = await client.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [schema],
      );
      return r.rowCount === 1;
    } finally {
      await client.end();
    }
  };

  it.each(Object.keys(ARGS))(
    'haven %s refuses a schema that does not exist, naming the database, and creates nothing',
    async (name) => {
      const dir = path.join(root, `pg-absent-${name.replace(' ', '-')}`);
      const out = path.join(root, `out-pg-${name.replace(' ', '-')}`);
      const r = await runHaven(
        [...argv(name, out), '--data', dir, '--database-url', TEST_DATABASE_URL],
        { HAVEN_DB_SCHEMA: schema },
      );
      expect(r.code, r.stderr).not.toBe(0);
      const shown = new URL(TEST_DATABASE_URL);
      shown.password = '';
      expect(r.stderr).toContain(`no Haven installation in ${shown.toString()} (schema ${schema})`);
      expect(await schemaExists()).toBe(false);
      expect(fs.existsSync(dir)).toBe(false);
      expect(fs.existsSync(out)).toBe(false);
    },
  );

  it.each([['user', 'list'], ['init']])(
    'haven %s reports a refused connection as such, without the password',
    async (...cmd) => {
      const dir = path.join(root, `pg-refused-${cmd.join('-')}`);
      const r = await runHaven([
        ...cmd,
        '--data',
        dir,
        '--database-url',
        'postgres://haven:synthetic-secret@127.0.0.1:1/haven',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        'cannot connect to PostgreSQL at postgres://haven@127.0.0.1:1/haven: connection refused',
      );
      expect(r.stderr).not.toContain('migration');
      expect(r.stderr).not.toContain('synthetic-secret');
    },
  );
});

describe('PostgreSQL database that does not exist', () => {
  it('says so and that it must be created first, for init as for the rest', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/haven_absent_${crypto.randomBytes(4).toString('hex')}`;
    for (const cmd of [['init'], ['client', 'list']]) {
      const dir = path.join(root, `pg-nodb-${cmd.join('-')}`);
      const r = await runHaven([...cmd, '--data', dir, '--database-url', url.toString()]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('the database does not exist (create it first');
      expect(r.stderr).not.toContain('migration');
    }
  });
});

describe('audit verify --from-checkpoint with the wrong file', () => {
  let dir: string;
  const env = { HAVEN_CHECKPOINT_ENTRIES: '1' };
  beforeAll(async () => {
    dir = path.join(root, 'install-cp');
    expect((await runHaven(['init', '--data', dir], env)).code).toBe(0);
    // One audited operator action; with a checkpoint every entry, it is signed and exported.
    expect((await runHaven(['client', 'list', '--data', dir], env)).code).toBe(0);
    expect(
      (
        await runHaven(
          ['client', 'add', '--name', 'x', '--scopes', 'system/*.rs', '--data', dir],
          env,
        )
      ).code,
    ).toBe(0);
  });
  const write = (file: string, text: string) => {
    const p = path.join(root, file);
    fs.writeFileSync(p, text);
    return p;
  };
  const verify = (file: string) =>
    runHaven(['audit', 'verify', '--data', dir, '--from-checkpoint', file], env);

  it('an unparsable file is not a checkpoint (exit 1, not the tampering exit 2)', async () => {
    const file = write('garbage.note', 'hello\nthis is not a checkpoint\n');
    const r = await verify(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file} is not a signed checkpoint`);
    expect(r.stderr).not.toContain('FAILED');
  });

  it("another log's checkpoint is named as such", async () => {
    const key = auditSigningKey(crypto.randomBytes(32), 'example.org/other-log');
    const note = signNote(
      formatCheckpoint({ origin: 'example.org/other-log', size: 0, rootHash: Buffer.alloc(32) }),
      [key.signer],
    );
    const r = await verify(write('other-origin.note', note));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a checkpoint of another log ("example.org/other-log")');
  });

  it("another installation's checkpoint (same origin, other key) is named as such", async () => {
    const key = auditSigningKey(crypto.randomBytes(32), 'haven.local/audit');
    const note = signNote(
      formatCheckpoint({ origin: 'haven.local/audit', size: 0, rootHash: Buffer.alloc(32) }),
      [key.signer],
    );
    const r = await verify(write('other-key.note', note));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("carries no signature by this installation's audit key");
  });

  it('our own checkpoint verifies, and a tampered copy of it is still reported as tampering', async () => {
    const cps = path.join(dir, 'audit-checkpoints');
    const newest = fs.readdirSync(cps).sort().at(-1)!;
    const good = path.join(cps, newest);
    expect((await verify(good)).code).toBe(0);
    const lines = fs.readFileSync(good, 'utf8').split('\n');
    const root2 = Buffer.from(lines[2]!, 'base64');
    root2[0]! ^= 1;
    lines[2] = root2.toString('base64');
    const r = await verify(write('tampered.note', lines.join('\n')));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FAILED');
  });
});

describe('audit verify-export --key', () => {
  it('takes the path of audit-public-key.txt as well as the key text', async () => {
    const dir = path.join(root, 'install-export');
    expect((await runHaven(['init', '--data', dir])).code).toBe(0);
    const out = path.join(root, 'export.jsonl');
    expect((await runHaven(['audit', 'export', '--out', out, '--data', dir])).code).toBe(0);
    const keyFile = path.join(dir, 'audit-public-key.txt');
    const byPath = await runHaven(['audit', 'verify-export', out, '--key', keyFile]);
    expect(byPath.code, byPath.stderr).toBe(0);
    expect(byPath.stdout).toContain('export OK');
    const byText = await runHaven([
      'audit',
      'verify-export',
      out,
      '--key',
      fs.readFileSync(keyFile, 'utf8'),
    ]);
    expect(byText.code, byText.stderr).toBe(0);
  });
});
