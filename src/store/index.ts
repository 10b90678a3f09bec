/** The store owns every SQL statement in Haven; other folders use these repositories. */
export { openDatabase, StoreError, describeDatabase } from './open-database.js';
export { isStoreUnavailable } from './unavailable.js';
export { applicationName } from './postgres-pool.js';
export type { Database, DatabaseOptions } from './open-database.js';
export type { Engine } from './engine.js';
export { ResourceRepository, VersionConflictError } from './resource-repository.js';
export type { StoredVersion, TokenReplacement, VersionWrite } from './resource-repository.js';
export { DataKeyRepository, SystemKeyRepository } from './key-repositories.js';
export type { DataKeyRow } from './key-repositories.js';
export { KeyWrapRepository, type KekUse, type StoredWrap } from './key-wrap-repository.js';
export { ClientRepository } from './client-repository.js';
export { SmartRepository } from './smart-repository.js';
export type { ApiClientRow } from './client-repository.js';
export { AuditRepository } from './audit-repository.js';
export type {
  AuditRow,
  AuditHead,
  AuditQuery,
  CheckpointRow,
  ArchiveRow,
} from './audit-repository.js';
export { BatchWriter } from './batch-writer.js';
export type { WriteJob, BatchFinalizer } from './batch-writer.js';
export type { HavenDatabase } from './schema.js';
export { UserRepository } from './user-repository.js';
export type { UserRow, NewUser } from './user-repository.js';
export { InvitationRepository } from './invitation-repository.js';
export type { InvitationRow, InvitationPurpose } from './invitation-repository.js';
export { SessionRepository } from './session-repository.js';
export { EpochCache, EpochWatch, readPathCaches, type ReadPathCaches } from './read-path-cache.js';
export type { SessionRow } from './session-repository.js';
export { ThrottleRepository } from './throttle-repository.js';
export { ApprovalRepository, type ApprovalRow } from './approval-repository.js';
export type { ThrottleReservation } from './throttle-repository.js';
export type { LockSchedule } from './lock-schedule.js';
export type { ThrottleRow } from './throttle-repository.js';
export {
  WebauthnRepository,
  type WebauthnCredentialRow,
  type NewWebauthnCredential,
} from './webauthn-repository.js';
export {
  CareRelationRepository,
  type CareRelation,
  type CareRelationKind,
  type PatientFacts,
  type EncodedRelations,
  type RelationAuthority,
  type RelationProvenance,
  RelationNotPermittedError,
} from './care-relation-repository.js';
export { BreakGlassRepository, type BreakGlassRow } from './break-glass-repository.js';
export type { OwnerScope } from './resource-repository.js';
export type { RelationCipher } from './relation-cipher.js';
export { convertLegacyRelations } from './convert-relations.js';
export { SchedulingRepository, SlotTakenError, type DueReminder } from './scheduling-repository.js';
export {
  MessageRepository,
  type MessageRow,
  type Receipt,
  type ThreadSummary,
} from './message-repository.js';
export {
  BackupRepository,
  SnapshotRows,
  RestoreSink,
  type BackupTable,
  type BackupColumn,
  type BackupRow,
  type BackupValue,
} from './backup-repository.js';
export {
  DisposalRepository,
  type DisposalRecord,
  type DisposalCounts,
  type OwnerTypeAge,
} from './disposal-repository.js';
export { IncidentRepository, type IncidentRow } from './incident-repository.js';
export { LeaseRepository } from './lease-repository.js';
export { BulkExportRepository, type BulkExportRow } from './bulk-export-repository.js';
export {
  AlertRepository,
  type AlertRow,
  type NewAlert,
  type AlertFilter,
} from './alert-repository.js';
export {
  VisitRecordingRepository,
  type RecordingRow,
  type ConsentRow,
  type ChunkRefusal,
  type RecordingSide,
} from './visit-recording-repository.js';
