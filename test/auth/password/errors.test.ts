import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  CommonPasswordListUnavailableError,
  MalformedPasswordHashError,
  PasswordError,
  PasswordInputTooLongError,
  UnknownPasswordRoleError,
} from '../../../src/auth/password/index.js';

describe('password errors', () => {
  it.each([
    [new MalformedPasswordHashError(), 'password-hash-malformed', 'MalformedPasswordHashError'],
    [
      new CommonPasswordListUnavailableError(),
      'common-password-list-unavailable',
      'CommonPasswordListUnavailableError',
    ],
    [new PasswordInputTooLongError(), 'password-too-long', 'PasswordInputTooLongError'],
    [new UnknownPasswordRoleError(), 'password-role-unknown', 'UnknownPasswordRoleError'],
  ] as const)('%o has a stable code and name', (error, code, name) => {
    expect(error).toBeInstanceOf(PasswordError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });
});

describe('without the common-password list', () => {
  afterEach(() => {
    vi.doUnmock('node:zlib');
    vi.resetModules();
  });

  it('the policy check fails closed instead of skipping the breach check', async () => {
    vi.resetModules();
    vi.doMock('node:zlib', () => ({
      gunzipSync: () => {
        throw new Error('corrupt data file');
      },
    }));
    const { checkPasswordPolicy } = await import('../../../src/auth/password/index.js');
    const { CommonPasswordListUnavailableError: Unavailable } =
      await import('../../../src/auth/password/errors.js');
    expect(() => checkPasswordPolicy('velvet anchor thistle comet', { role: 'staff' })).toThrow(
      Unavailable,
    );
  });
});
