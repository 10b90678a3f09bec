import type { AuditAction, AuditOutcome } from '../audit/index.js';

/**
 * How a compliance action records itself: the caller binds the actor (a request's principal
 * through AuditRecorder.record, or the operator's `cli:<user>` through append). Every use is
 * awaited before anything is shown, so a trail that cannot be written shows nothing.
 */
export type RecordCompliance = (e: {
  action: AuditAction;
  outcome: AuditOutcome;
  patientId?: string;
  resourceId?: string;
  detail?: Record<string, string | number | boolean | string[]>;
}) => Promise<void>;
