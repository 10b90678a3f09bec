/** Haven's tamper-evident audit trail: what is recorded, how it is chained, how it is checked. */
export type { AuditAction, AuditOutcome, AuditDraft, AuditEntry } from './entry.js';
export { encodeLeaf } from './entry.js';
export { AuditTrail } from './trail.js';
export type { AuditTrailOptions } from './trail.js';
export { verifyTrail } from './verify.js';
export type { VerifyReport, VerifyProblem, ProblemKind } from './verify.js';
export { auditSigningKey } from './signing-key.js';
export type { AuditSigningKey } from './signing-key.js';
export { fromRow as auditEntryFromRow } from './rows.js';
export { decodeLeaf } from './entry.js';
export { toAuditEvent } from './audit-event.js';
export { exportTrail, EXPORT_FORMAT } from './export.js';
export { verifyExport } from './verify-export.js';
export type { ExportReport } from './verify-export.js';
export { proveEntry } from './prove.js';
export type { InclusionProofResult } from './prove.js';
export {
  planArchive,
  commitArchive,
  retentionCutoff,
  RetentionError,
  RETENTION_YEARS,
} from './archive.js';
export { parseAuditQuery, AuditQueryError } from './audit-query.js';
export { requestDraft } from './request-draft.js';
export type { RequestAuditFields, RequestFacts } from './request-draft.js';
export { checkExternalCheckpoint, type ExternalCheckpointProblem } from './external-checkpoint.js';
export { AuditedRequests } from './audited-requests.js';
export { runInRequestScope, withRequestOrigin } from './request-scope.js';
export type { RequestOrigin } from './request-scope.js';
// The audit port: every capability records through it (and never through a BatchWriter).
export { auditRecorder } from './recorder.js';
export type { AuditRecorder, AuditedWork, AuditedTransaction } from './recorder.js';
// Who may look at the trail, and what they see: the FHIR AuditEvent views and disclosures.
export { AuditViews } from './views/index.js';
export type {
  AuditViewDecision,
  AuditViewRequest,
  AuditViewsOptions,
  Disclosure,
  Viewed,
} from './views/index.js';
