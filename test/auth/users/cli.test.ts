import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHaven } from '../../support/cli.js';
import { makeTarget, type EngineTarget } from '../../support/engines.js';

// The real commander program in this process (test/support/cli.ts): the same parsing, output
// and exit codes as `haven user ...`, without starting a Node process and tsx per step.
// test/cli/ starts src/cli/main.ts as a real process for the entry point itself.
const ENV = { HAVEN_LOG_LEVEL: 'warn' };

describe('haven user (CLI)', () => {
  let target: EngineTarget;
  /** stdout of a successful run; a failing run rejects with its code and stderr. */
  const haven = async (...args: string[]) => {
    const r = await runHaven(['user', ...args, '--data', target.dataDir], ENV);
    if (r.code !== 0) throw Object.assign(new Error(`haven user exited ${r.code}`), r);
    return r.stdout;
  };
  beforeAll(async () => {
    target = await makeTarget('sqlite');
    // Only init (and serve) create an installation; `user` commands refuse an empty directory.
    const init = await runHaven(['init', '--data', target.dataDir], ENV);
    expect(init.code, init.stderr).toBe(0);
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
  });
});
