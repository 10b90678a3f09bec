import { auditEventKind } from './audit-event-type.js';
import type { AuditEntry } from './entry.js';

const OUTCOME: Record<string, string> = { success: '0', failure: '8', denied: '4' };

/**
 * One audit entry as a FHIR R4 AuditEvent; its type and subtype say what happened (see
 * audit-event-type.ts). The view is derived: the Merkle leaf of the entry stays the source of
 * truth.
 */
export function toAuditEvent(e: AuditEntry): Record<string, unknown> {
  const kind = auditEventKind(e.action);
  const entity: Record<string, unknown>[] = [];
  if (e.resourceType && e.resourceId) {
    entity.push({
      what: {
        reference: `${e.resourceType}/${e.resourceId}${e.resourceVersion !== null ? `/_history/${e.resourceVersion}` : ''}`,
      },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '2',
        display: 'System Object',
      },
    });
  } else if (e.resourceType) {
    entity.push({
      what: { display: e.resourceType },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
    });
  }
  if (e.patientId) {
    entity.push({
      what: { reference: `Patient/${e.patientId}` },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: {
        system: 'http://terminology.hl7.org/CodeSystem/object-role',
        code: '1',
        display: 'Patient',
      },
    });
  }
  return {
    resourceType: 'AuditEvent',
    id: String(e.seq),
    type: kind.type,
    subtype: kind.subtype,
    action: kind.action,
    recorded: e.at,
    outcome: OUTCOME[e.outcome] ?? '8',
    ...purposeOfEvent(e),
    agent: [
      {
        type: { coding: [{ system: 'urn:haven:actor-type', code: e.actorType }] },
        who: { identifier: { system: `urn:haven:${e.actorType}`, value: e.actorId ?? 'unknown' } },
        requestor: true,
        ...(e.ip ? { network: { address: e.ip, type: '2' } } : {}),
      },
    ],
    source: {
      observer: { display: 'Haven' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    ...(entity.length > 0 ? { entity } : {}),
  };
}

/**
 * Why it happened. An access under a break-glass grant carries the HL7 purpose of use ETREAT
 * (emergency treatment) as a coding, so review tools can filter for it; the grant id is in the
 * entry's detail.
 */
function purposeOfEvent(e: AuditEntry): Record<string, unknown> {
  const emergency = e.action === 'break-glass' || detailOf(e).emergency !== undefined;
  if (!e.reason && !emergency) return {};
  return {
    purposeOfEvent: [
      {
        ...(emergency && {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
              code: 'ETREAT',
              display: 'Emergency Treatment',
            },
          ],
        }),
        ...(e.reason && { text: e.reason }),
      },
    ],
  };
}

function detailOf(e: AuditEntry): Record<string, unknown> {
  try {
    return e.detail === null ? {} : (JSON.parse(e.detail) as Record<string, unknown>);
  } catch {
    return {};
  }
}
