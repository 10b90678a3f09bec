import type { AuditRow } from '../store/index.js';
import type { AuditEntry } from './entry.js';

export function toRow(e: AuditEntry, leafHash: Buffer): AuditRow {
  return {
    seq: e.seq,
    at: e.at,
    actor_type: e.actorType,
    actor_id: e.actorId,
    action: e.action,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    resource_version: e.resourceVersion,
    patient_id: e.patientId,
    outcome: e.outcome,
    ip: e.ip,
    user_agent: e.userAgent,
    request_id: e.requestId,
    reason: e.reason,
    detail: e.detail,
    leaf_hash: leafHash,
  };
}

export function fromRow(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    resourceVersion: r.resource_version,
    patientId: r.patient_id,
    outcome: r.outcome,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    reason: r.reason,
    detail: r.detail,
  };
}
