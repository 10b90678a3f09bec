import type { Condition } from './policy-table.js';

/**
 * The released-to-patient mark: a `meta.tag` a clinician adds when a result or note may be shown
 * to the patient. A tag (not an extension) because FHIR clients already carry tags through
 * unchanged and `_tag` is how they are searched.
 */
export const RELEASE_TAG = Object.freeze({
  system: 'urn:haven:fhir:patient-release',
  code: 'released',
});

const LAB_CATEGORY_SYSTEMS = new Set([
  'http://terminology.hl7.org/CodeSystem/observation-category',
  'http://terminology.hl7.org/CodeSystem/v2-0074',
]);
/** SNOMED CT 108252007 |Laboratory procedure| marks a lab ServiceRequest, as in US Core. */
const LAB_PROCEDURE = { system: 'http://snomed.info/sct', code: '108252007' };

type Coding = { system?: unknown; code?: unknown };
type Resource = Record<string, unknown>;

export function isReleasedToPatient(resource: Resource): boolean {
  const tags = (resource.meta as { tag?: unknown } | undefined)?.tag;
  return (
    Array.isArray(tags) &&
    tags.some((t: Coding) => t?.system === RELEASE_TAG.system && t?.code === RELEASE_TAG.code)
  );
}

/** An Observation or ServiceRequest whose category says laboratory. */
export function isLaboratory(resource: Resource): boolean {
  const categories = resource.category;
  if (!Array.isArray(categories)) return false;
  return categories.some((c: { coding?: unknown }) =>
    Array.isArray(c?.coding)
      ? c.coding.some(
          (k: Coding) =>
            (typeof k?.system === 'string' &&
              LAB_CATEGORY_SYSTEMS.has(k.system) &&
              (k.code === 'laboratory' || k.code === 'LAB')) ||
            (k?.system === LAB_PROCEDURE.system && k?.code === LAB_PROCEDURE.code),
        )
      : false,
  );
}

export function meetsCondition(condition: Condition | undefined, resource: Resource): boolean {
  if (condition === undefined) return true;
  return condition === 'released-to-patient'
    ? isReleasedToPatient(resource)
    : isLaboratory(resource);
}
