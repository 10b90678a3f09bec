export { LoginThrottle, ThrottleContentionError } from './login-throttle.js';
export type {
  ThrottleStore,
  ThrottleRow,
  ThrottleGrant,
  ThrottleReservation,
  ReserveResult,
} from './login-throttle.js';
export { RedisThrottleStore } from './redis-throttle-store.js';
export { lockSchedule } from './lock-schedule.js';
export {
  DEFAULT_THROTTLE_POLICY,
  lockSeconds,
  afterFailure,
  decide,
  isForgotten,
} from './throttle-policy.js';
export type { ThrottlePolicy, ThrottleState, ThrottleDecision } from './throttle-policy.js';
export { accountKey, ipKey } from './throttle-keys.js';
