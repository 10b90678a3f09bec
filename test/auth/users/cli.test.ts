import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTarget, type EngineTarget } from '../../support/engines.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
// src/cli/main.ts once it registers userCommand; until then a test entry with only that command.
const ENTRY = 'src/cli/main.ts';

describe('haven user (CLI)', () => {
  let target: EngineTarget;
  const haven = async (...args: string[]) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', ENTRY, 'user', ...args, '--data', target.dataDir],
      { cwd: REPO, env: { ...process.env, HAVEN_LOG_LEVEL: 'warn' } },
    );
    return stdout;
  };
  beforeAll(async () => {
    target = await makeTarget('sqlite');
    // Only init (and serve) create an installation; `user` commands refuse an empty directory.
    await run(process.execPath, ['--import', 'tsx', ENTRY, 'init', '--data', target.dataDir], {
      cwd: REPO,
      env: { ...process.env, HAVEN_LOG_LEVEL: 'warn' },
    });
  });
  afterAll(async () => target.cleanup());

  it('adds a user, printing the token once, then lists, changes roles, disables, unlocks and resets MFA', async () => {
    const added = JSON.parse(
      await haven(
        'add',
        '--email',
        'Dr.Who@Clinic.Example',
        '--role',
        'admin',
        '--role',
        'physician',
        '--json',
      ),
    ) as { userId: string; enrollmentToken: string };
    expect(Object.keys(added).sort()).toEqual(['enrollmentToken', 'userId']);
    expect(added.enrollmentToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const text = await haven(
      'add',
      '--email',
      'nurse@clinic.example',
      '--role',
      'nurse',
      '--base-url',
      'https://haven.example',
    );
    expect(text).toMatch(/https:\/\/haven\.example\/enroll#[A-Za-z0-9_-]{43}/);

    const list = JSON.parse(await haven('list', '--json')) as Array<Record<string, unknown>>;
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: added.userId,
          email: 'dr.who@clinic.example',
          roles: ['admin', 'physician'],
          status: 'invited',
          mfaConfigured: false,
        }),
      ]),
    );
    expect(JSON.stringify(list)).not.toContain(added.enrollmentToken);

    const changed = JSON.parse(
      await haven('roles', added.userId, '--role', 'auditor', '--role', 'admin', '--json'),
    ) as { roles: string[] };
    expect(changed.roles).toEqual(['admin', 'auditor']);
    await expect(haven('roles', added.userId, '--role', 'superuser')).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown role'),
    });
    await haven('unlock', added.userId);
    await haven('reset-mfa', added.userId);
    await haven('disable', added.userId, '--json');
    const after = JSON.parse(await haven('list', '--json')) as Array<{
      id: string;
      status: string;
    }>;
    expect(after.find((u) => u.id === added.userId)?.status).toBe('disabled');
    await expect(haven('disable', 'no-such-user')).rejects.toMatchObject({
      stderr: expect.stringContaining('no user with id no-such-user'),
    });
  }, 180_000); // ~35 s alone: each step starts a CLI process; more under a loaded suite
});
