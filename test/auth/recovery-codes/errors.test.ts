import { describe, expect, it } from 'vitest';

import {
  InvalidRecoveryCodeCountError,
  InvalidRecoveryCodeHashError,
  RecoveryCodeError,
  RecoveryCodeRandomnessError,
} from '../../../src/auth/recovery-codes/index.js';

describe('recovery code errors', () => {
  it.each([
    [
      new InvalidRecoveryCodeHashError(),
      'recovery-code-hash-invalid',
      'InvalidRecoveryCodeHashError',
    ],
    [
      new InvalidRecoveryCodeCountError(),
      'recovery-code-count-invalid',
      'InvalidRecoveryCodeCountError',
    ],
    [new RecoveryCodeRandomnessError(), 'recovery-code-rng-failure', 'RecoveryCodeRandomnessError'],
  ] as const)('%o has a stable code and name', (error, code, name) => {
    expect(error).toBeInstanceOf(RecoveryCodeError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });
});
