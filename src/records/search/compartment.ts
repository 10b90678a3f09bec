import { paramDef } from './registry.js';
import { referenceValues, relativeReference } from './extract.js';

/**
 * `Patient/<id>` of the patient whose record a resource belongs to, or undefined: a Patient is
 * its own; a Binary belongs to the patient its `securityContext` points at; any other type to
 * the first Patient its `patient` search parameter references (subject, `patient` on
 * AllergyIntolerance, Immunization, Claim and ExplanationOfBenefit, or the first Patient among an
 * Appointment's participant actors: other actor types are skipped, not taken). Practitioner and
 * Organization belong to no patient.
 */
export function patientCompartmentRef(resource: object): string | undefined {
  const r = resource as {
    resourceType?: unknown;
    id?: unknown;
    securityContext?: { reference?: unknown };
  };
  if (r.resourceType === 'Patient') {
    return typeof r.id === 'string' && /^[A-Za-z0-9.-]{1,64}$/.test(r.id)
      ? `Patient/${r.id}`
      : undefined;
  }
  if (r.resourceType === 'Binary') {
    const ref = relativeReference(r.securityContext?.reference);
    return ref?.startsWith('Patient/') ? ref : undefined;
  }
  if (typeof r.resourceType !== 'string') return undefined;
  const def = paramDef(r.resourceType, 'patient');
  return def === undefined ? undefined : referenceValues(resource, def)[0];
}
