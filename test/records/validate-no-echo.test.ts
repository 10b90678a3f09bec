import { beforeAll, describe, expect, it } from 'vitest';
import { FhirError } from '../../src/records/errors.js';
import { knownPath } from '../../src/records/known-path.js';
import { loadFhirDefinitions, validateFhirResource } from '../../src/records/validate.js';

/**
 * Issue 23: a refusal never repeats what the client wrote. Unknown element names (a record number
 * or a person's name put where a key goes) are reported at their nearest known parent, and the
 * validator's own messages that would repeat input become fixed texts.
 */

const CANARY = 'QzxEchoCanary';

function refusal(resource: unknown): FhirError {
  try {
    validateFhirResource(resource);
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('the resource was accepted');
}

function expressions(e: FhirError): string[] {
  return e.issues.flatMap((i) => i.expression ?? []);
}

beforeAll(() => loadFhirDefinitions());

describe('validation refusals do not echo the client', () => {
  it.each([
    ['a top-level unknown element', { resourceType: 'Patient', [`MRN-${CANARY}`]: 'x' }, 'Patient'],
    [
      'an unknown element inside name[0]',
      { resourceType: 'Patient', name: [{ family: 'Testfamily', [`${CANARY}John`]: 'x' }] },
      'Patient.name[0]',
    ],
    [
      'an unknown element two levels down',
      { resourceType: 'Patient', name: [{ period: { [CANARY]: 1 } }] },
      'Patient.name[0].period',
    ],
    [
      'an unknown element under a backbone element',
      { resourceType: 'Patient', contact: [{ gender: 'other', [CANARY]: 1 }] },
      'Patient.contact[0]',
    ],
    [
      'an unknown element under a choice type',
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Test' },
        valueQuantity: { value: 1, [CANARY]: 2 },
      },
      'Observation.value[x]',
    ],
    [
      'an unknown key shaped like a path of known elements and the canary',
      { resourceType: 'Patient', [`name.${CANARY}[0]`]: 1 },
      'Patient.name',
    ],
    [
      'an unknown element inside a contained resource',
      { resourceType: 'Patient', contained: [{ resourceType: 'Patient', [CANARY]: 1 }] },
      'Patient.contained[0]',
    ],
  ])('%s is reported at its nearest known parent', (_what, resource, parent) => {
    const e = refusal(resource);
    expect(e.status).toBe(400);
    expect(expressions(e)).toContain(parent);
    expect(JSON.stringify(e.issues)).not.toContain(CANARY);
    expect(e.message).not.toContain(CANARY);
  });

  it('does not repeat an unknown resourceType', () => {
    const e = refusal({ resourceType: `${CANARY}Type`, name: 'x' });
    expect(e.status).toBe(400);
    expect(JSON.stringify(e.issues)).not.toContain(CANARY);
    expect(e.message).not.toContain(CANARY);
  });

  it('does not repeat canary values in any field, nor a canary key beside them', () => {
    const e = refusal({
      resourceType: 'Patient',
      name: CANARY,
      birthDate: CANARY,
      gender: CANARY,
      active: CANARY,
      telecom: [{ system: CANARY, value: CANARY, [CANARY]: CANARY }],
    });
    expect(expressions(e)).toContain('Patient.telecom[0]');
    expect(JSON.stringify(e.issues)).not.toContain(CANARY);
  });

  it('keeps the known part of a path and the helpful message', () => {
    const e = refusal({ resourceType: 'Patient', birthDate: 'not-a-date', [CANARY]: 1 });
    expect(e.issues).toContainEqual({
      code: 'structure',
      diagnostics: 'Invalid date format',
      expression: ['Patient.birthDate'],
    });
    expect(e.issues).toContainEqual({
      code: 'structure',
      diagnostics: 'Invalid additional property',
      expression: ['Patient'],
    });
    expect(knownPath('Patient.name[0].family')).toBe('Patient.name[0].family');
    expect(knownPath('Observation.component[2].code')).toBe('Observation.component[2].code');
    expect(knownPath(`Patient.name[0].${CANARY}`)).toBe('Patient.name[0]');
    expect(knownPath(`${CANARY}.name`)).toBeUndefined();
  });
});
