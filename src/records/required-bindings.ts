import type { Issue } from './errors.js';

/**
 * Codes of R4 elements with a *required* binding that Haven relies on (status drives search and
 * workflow, gender is a search parameter). Medplum's validator checks structure, not terminology,
 * so these few value sets are checked here. Source: the R4 value sets named in each comment. A
 * key is an element path from the resource root; a nested one (`participant.status`) is checked in
 * every repetition.
 */
const BINDINGS: Record<string, Record<string, readonly string[]>> = {
  // administrative-gender
  Patient: { gender: ['male', 'female', 'other', 'unknown'] },
  Practitioner: { gender: ['male', 'female', 'other', 'unknown'] },
  // observation-status
  Observation: {
    status: [
      'registered',
      'preliminary',
      'final',
      'amended',
      'corrected',
      'cancelled',
      'entered-in-error',
      'unknown',
    ],
  },
  // encounter-status
  Encounter: {
    status: [
      'planned',
      'arrived',
      'triaged',
      'in-progress',
      'onleave',
      'finished',
      'cancelled',
      'entered-in-error',
      'unknown',
    ],
  },
  // medicationrequest-status, medicationrequest-intent
  MedicationRequest: {
    status: [
      'active',
      'on-hold',
      'cancelled',
      'completed',
      'entered-in-error',
      'stopped',
      'draft',
      'unknown',
    ],
    intent: [
      'proposal',
      'plan',
      'order',
      'original-order',
      'reflex-order',
      'filler-order',
      'instance-order',
      'option',
    ],
  },
  // document-reference-status
  DocumentReference: { status: ['current', 'superseded', 'entered-in-error'] },
  // allergy-intolerance-type, -category, -criticality
  AllergyIntolerance: {
    type: ['allergy', 'intolerance'],
    criticality: ['low', 'high', 'unable-to-assess'],
  },
  // care-team-status
  CareTeam: { status: ['proposed', 'active', 'suspended', 'inactive', 'entered-in-error'] },
  // appointmentstatus, participationstatus
  Appointment: {
    status: [
      'proposed',
      'pending',
      'booked',
      'arrived',
      'fulfilled',
      'cancelled',
      'noshow',
      'entered-in-error',
      'checked-in',
      'waitlist',
    ],
    'participant.status': ['accepted', 'declined', 'tentative', 'needs-action'],
  },
  // request-status, request-intent
  ServiceRequest: {
    status: ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'],
    intent: [
      'proposal',
      'plan',
      'directive',
      'order',
      'original-order',
      'reflex-order',
      'filler-order',
      'instance-order',
      'option',
    ],
  },
};

export function checkRequiredBindings(resource: Record<string, unknown>): Issue[] {
  const type = resource.resourceType as string;
  const fields = BINDINGS[type];
  if (!fields) return [];
  const issues: Issue[] = [];
  for (const [field, codes] of Object.entries(fields)) {
    const values = valuesAt(resource, field.split('.'));
    if (values.some((v) => typeof v !== 'string' || !codes.includes(v))) {
      issues.push({
        code: 'value',
        diagnostics: `${field} is not a code of its required value set`,
        expression: [`${type}.${field}`],
      });
    }
  }
  return issues;
}

/**
 * The values at a dotted path (`participant.status`): arrays are flattened at every step but the
 * last, so a top-level field gives its value as it is (an array there is not a code).
 */
function valuesAt(node: Record<string, unknown>, path: readonly string[]): unknown[] {
  const [key, ...rest] = path;
  const v = key === undefined ? undefined : node[key];
  if (v === undefined) return [];
  if (rest.length === 0) return [v];
  return (Array.isArray(v) ? v : [v]).flatMap((item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? valuesAt(item as Record<string, unknown>, rest)
      : [],
  );
}
