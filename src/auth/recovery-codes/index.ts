// Public surface of recovery codes, the fallback second factor (SPEC safeguard 1).
export {
  generateRecoveryCodes,
  type GenerateRecoveryCodesOptions,
  type RecoveryCodeSet,
} from './generate-recovery-codes.js';
export { consumeRecoveryCode, type RecoveryCodeConsumption } from './consume-recovery-code.js';
export {
  RecoveryCodeError,
  InvalidRecoveryCodeHashError,
  InvalidRecoveryCodeCountError,
  RecoveryCodeRandomnessError,
} from './errors.js';
