import { describe, expect, it } from 'vitest';
import { noteText } from '../../web/src/clinician/fhir-shapes.js';
import { noteErrors, noteResource } from '../../web/src/clinician/note-resource.js';
import { seriesOf } from '../../web/src/clinician/trend-series.js';
import {
  VITAL_SIGNS,
  vitalByKey,
  vitalObservation,
  vitalValueError,
} from '../../web/src/clinician/vitals.js';

/** The clinician pages' checks before sending, and the shapes they send (ADR 0025). */
describe('clinician forms', () => {
  const heart = vitalByKey('heart-rate')!;
  const temperature = vitalByKey('temperature')!;

  it('accepts plausible vital signs and refuses the rest before sending', () => {
    expect(vitalValueError(heart, '72')).toBeNull();
    expect(vitalValueError(heart, ' 20 ')).toBeNull();
    expect(vitalValueError(heart, '250')).toBeNull();
    expect(vitalValueError(heart, '19')).toMatch(/between 20 and 250/);
    expect(vitalValueError(heart, '251')).toMatch(/between/);
    expect(vitalValueError(heart, '72.5')).toMatch(/whole number/);
    for (const bad of ['', '7 2', '-60', '1e2', '72bpm', '0x48', 'NaN'])
      expect(vitalValueError(heart, bad)).not.toBeNull();
    expect(vitalValueError(temperature, '37.2')).toBeNull();
    expect(vitalValueError(temperature, '37.25')).toMatch(/decimal/);
  });

  it('gives every vital sign a LOINC code and a UCUM unit', () => {
    expect(new Set(VITAL_SIGNS.map((v) => v.loinc)).size).toBe(VITAL_SIGNS.length);
    for (const v of VITAL_SIGNS) {
      expect(v.loinc).toMatch(/^\d{1,5}-\d$/);
      expect(v.min).toBeLessThan(v.max);
    }
    const at = new Date('2031-05-06T07:00:00Z');
    expect(vitalObservation(heart, 72, 'p1', at, 'pr1')).toEqual({
      resourceType: 'Observation',
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'vital-signs',
              display: 'Vital Signs',
            },
          ],
        },
      ],
      code: {
        coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }],
        text: 'Heart rate',
      },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2031-05-06T07:00:00.000Z',
      performer: [{ reference: 'Practitioner/pr1' }],
      valueQuantity: {
        value: 72,
        unit: 'beats/min',
        system: 'http://unitsofmeasure.org',
        code: '/min',
      },
    });
  });

  it('builds notes as the shared contract says: a draft, or signed with its authenticator', () => {
    const o = {
      patientId: 'p1',
      practitionerId: 'pr1',
      title: ' Visit ',
      text: 'Résumé: ça va — 😀',
      at: new Date('2031-05-06T07:00:00Z'),
    };
    const draft = noteResource({ ...o, sign: false });
    expect(draft).toMatchObject({ status: 'current', docStatus: 'preliminary' });
    expect(draft.authenticator).toBeUndefined();
    expect(draft.id).toBeUndefined();
    const signed = noteResource({
      ...o,
      sign: true,
      base: { ...draft, id: 'n1', meta: { versionId: '1' } },
    });
    expect(signed).toMatchObject({
      id: 'n1',
      docStatus: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
      authenticator: { reference: 'Practitioner/pr1' },
      author: [{ reference: 'Practitioner/pr1' }],
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', title: 'Visit' } }],
    });
    expect(signed.meta).toBeUndefined();
    // UTF-8 both ways.
    expect(noteText(signed)).toBe(o.text);
    expect(noteErrors('', ' ')).toEqual({ title: 'Give the note a title', text: 'Write the note' });
    expect(noteErrors('t', 'x'.repeat(20_001)).text).toMatch(/At most/);
  });

  it('draws one series per LOINC code, panel components included, oldest first', () => {
    const vital = [{ coding: [{ code: 'vital-signs' }] }];
    const series = seriesOf([
      {
        resourceType: 'Observation',
        id: 'a',
        category: vital,
        code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
        effectiveDateTime: '2020-02-01',
        component: [
          {
            code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }], text: 'Systolic' },
            valueQuantity: { value: 130, unit: 'mm[Hg]' },
          },
        ],
      },
      {
        resourceType: 'Observation',
        id: 'b',
        category: vital,
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }], text: 'Systolic' },
        effectiveDateTime: '2019-01-01',
        valueQuantity: { value: 120, unit: 'mm[Hg]' },
      },
      {
        resourceType: 'Observation',
        id: 'c',
        status: 'entered-in-error',
        category: vital,
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
        effectiveDateTime: '2021-01-01',
        valueQuantity: { value: 999 },
      },
    ]);
    expect(series).toHaveLength(1);
    expect(series[0]!.points).toEqual([
      { at: '2019-01-01', value: 120 },
      { at: '2020-02-01', value: 130 },
    ]);
  });
});
