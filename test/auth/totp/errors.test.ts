import { describe, expect, it } from 'vitest';

import {
  InvalidTotpInputError,
  InvalidTotpSecretError,
  TotpError,
} from '../../../src/auth/totp/index.js';

describe('TOTP errors', () => {
  it.each([
    [new InvalidTotpSecretError(), 'totp-secret-invalid', 'InvalidTotpSecretError'],
    [new InvalidTotpInputError('bad time'), 'totp-input-invalid', 'InvalidTotpInputError'],
  ] as const)('%o has a stable code and name', (error, code, name) => {
    expect(error).toBeInstanceOf(TotpError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });
});
