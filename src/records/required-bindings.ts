import type { Issue } from './errors.js';

/**
 * Codes of R4 elements with a *required* binding that Haven relies on (status drives search and
 * workflow, gender is a search parameter). Medplum's validator checks structure, not terminology,
 * so these few value sets are checked here. Source: the R4 value sets named in each comment.
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
};

export function checkRequiredBindings(resource: Record<string, unknown>): Issue[] {
  const type = resource.resourceType as string;
  const fields = BINDINGS[type];
  if (!fields) return [];
  const issues: Issue[] = [];
  for (const [field, codes] of Object.entries(fields)) {
    const v = resource[field];
    if (v !== undefined && (typeof v !== 'string' || !codes.includes(v))) {
      issues.push({
        code: 'value',
        diagnostics: `${field} is not a code of its required value set`,
        expression: [`${type}.${field}`],
      });
    }
  }
  return issues;
}
