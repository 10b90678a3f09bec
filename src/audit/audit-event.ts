import type { AuditEntry } from './entry.js';

const INTERACTION: Record<string, { subtype: string; action: 'C' | 'R' | 'U' | 'D' | 'E' }> = {
  read: { subtype: 'read', action: 'R' },
  vread: { subtype: 'vread', action: 'R' },
  history: { subtype: 'history-instance', action: 'R' },
  search: { subtype: 'search-type', action: 'E' },
  create: { subtype: 'create', action: 'C' },
  update: { subtype: 'update', action: 'U' },
  delete: { subtype: 'delete', action: 'D' },
  transaction: { subtype: 'transaction', action: 'E' },
};

const OUTCOME: Record<string, string> = { success: '0', failure: '8', denied: '4' };

/**
 * One audit entry as a FHIR R4 AuditEvent (DICOM audit vocabulary as the R4 AuditEvent page
 * recommends: 110110 Patient Record for record access, 110114 User Authentication otherwise).
 * The view is derived: the Merkle leaf of the entry stays the source of truth.
 */
export function toAuditEvent(e: AuditEntry): Record<string, unknown> {
  const rest = INTERACTION[e.action];
  const isRecordAccess =
    rest !== undefined ||
    e.action === 'export' ||
    e.action === 'attachment-download' ||
    e.action === 'break-glass';
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
    type: isRecordAccess
      ? {
          system: 'http://dicom.nema.org/resources/ontology/DCM',
          code: '110110',
          display: 'Patient Record',
        }
      : {
          system: 'http://dicom.nema.org/resources/ontology/DCM',
          code: '110114',
          display: 'User Authentication',
        },
    subtype: [
      rest
        ? { system: 'http://hl7.org/fhir/restful-interaction', code: rest.subtype }
        : { system: 'urn:haven:audit-action', code: e.action },
    ],
    action: rest?.action ?? 'E',
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
