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
