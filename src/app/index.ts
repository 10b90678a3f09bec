export { openHaven, openAuditCore, openPeopleCore } from './open-lazily.js';
export type { AuditCore } from './open-audit-core.js';
export type { PeopleCore } from './open-people-core.js';
export type { Haven, OpenOptions } from './open-haven.js';
export type { People } from './people.js';
export { NotInstalledError } from './open-installation.js';
export { checkReadiness, type Readiness } from './readiness.js';
// Whether an error means the database is away (503, try again) rather than a bad request: the
// store's classification, offered by the layer that assembled the store so that the HTTP layer
// can answer it without importing the store (issue 14: routes call capabilities only).
export { isStoreUnavailable } from '../store/index.js';
export { keyStatus, rotateKeys, type KeyStatusReport, type RotateResult } from './key-lifecycle.js';
// Whole-installation operations, loaded on their first call (lazy-operations.ts).
export {
  backupHaven,
  restoreHaven,
  verifyBackup,
  requestDisposal,
  approveDisposal,
  seedDemoClinic,
} from './lazy-operations.js';
export type { DemoClinic } from './demo-clinic.js';
export type { DemoSignIn } from './demo-people.js';
export type { VerifyBackupReport } from './backups.js';
export type { Scheduling } from './scheduling.js';
export { DEMO_BUNDLE_COUNT, DemoRefusedError, demoBundleFiles } from './demo-files.js';
export { ownerKeysOf } from './owner-keys.js';
export { DISPOSAL_APPROVAL_TTL_MS } from './disposal-policy.js';
