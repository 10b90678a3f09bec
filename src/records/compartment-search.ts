import { FhirError } from './errors.js';
import { assertId, assertType } from './record-context.js';
import { paramDefOf } from './search/index.js';

/**
 * Patient compartment search (`Patient/{id}/Observation?code=…`) as the plain search it means:
 * the type's `patient` parameter (the one Haven also uses to know whose record a resource is)
 * fixed to the patient, or `_id` for the Patient itself. A type outside the compartment is
 * refused rather than answered with everything of that type.
 */
export function compartmentQuery(
  patientId: string,
  resourceType: string,
  query: Array<[string, string]>,
): Array<[string, string]> {
  assertId(patientId);
  assertType(resourceType);
  if (query.some(([k]) => k === '_cursor'))
    throw new FhirError(400, 'invalid', 'page a compartment search through its own links');
  if (resourceType === 'Patient') return [['_id', patientId], ...query];
  if (paramDefOf(resourceType, 'patient') === undefined)
    throw new FhirError(400, 'not-supported', `${resourceType} is not in the Patient compartment`);
  return [['patient', `Patient/${patientId}`], ...query];
}
