// Backups, restores, verification and disposal (issue 17 parts 3-4, ADR 0029).
export { createBackup, type CreateBackupOptions } from './create-backup.js';
export {
  restoreBackup,
  openBackupKey,
  checkSchema,
  type RestoreOptions,
  type RestoreSummary,
} from './restore-backup.js';
export { readHeader, type BackupHeader } from './backup-header.js';
export type { BackupManifest, BackupSummary } from './manifest.js';
export { OwnerKeyStore } from './owner-keys.js';
export {
  BackupError,
  DisposalError,
  type BackupErrorCode,
  type DisposalErrorCode,
} from './errors.js';
export {
  parseRetention,
  retentionBlocks,
  DEFAULT_RETENTION,
  OVERRIDE_REASONS,
  type RetentionRules,
  type OverrideReason,
} from './retention.js';
export { pruneBackups, backupFileName, parseInterval, BackupSchedule } from './schedule.js';
