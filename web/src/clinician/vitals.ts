/**
 * Vital signs a clinician records, each with its LOINC code and UCUM unit (the FHIR vital-signs
 * profile's), and a plausible range checked before anything is sent: a typo such as 720 for a
 * heart rate is caught on screen, not stored. The server validates the resource again.
 */
export interface VitalSign {
  key: string;
  label: string;
  loinc: string;
  /** UCUM code (system http://unitsofmeasure.org) and how it is shown. */
  ucum: string;
  unit: string;
  min: number;
  max: number;
  /** Decimal places accepted. */
  decimals: number;
}

export const UCUM = 'http://unitsofmeasure.org';
export const LOINC = 'http://loinc.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

export const VITAL_SIGNS: readonly VitalSign[] = [
  {
    key: 'heart-rate',
    label: 'Heart rate',
    loinc: '8867-4',
    ucum: '/min',
    unit: 'beats/min',
    min: 20,
    max: 250,
    decimals: 0,
  },
  {
    key: 'respiratory-rate',
    label: 'Respiratory rate',
    loinc: '9279-1',
    ucum: '/min',
    unit: 'breaths/min',
    min: 4,
    max: 80,
    decimals: 0,
  },
  {
    key: 'systolic',
    label: 'Systolic blood pressure',
    loinc: '8480-6',
    ucum: 'mm[Hg]',
    unit: 'mmHg',
    min: 50,
    max: 260,
    decimals: 0,
  },
  {
    key: 'diastolic',
    label: 'Diastolic blood pressure',
    loinc: '8462-4',
    ucum: 'mm[Hg]',
    unit: 'mmHg',
    min: 20,
    max: 160,
    decimals: 0,
  },
  {
    key: 'temperature',
    label: 'Body temperature',
    loinc: '8310-5',
    ucum: 'Cel',
    unit: '°C',
    min: 30,
    max: 45,
    decimals: 1,
  },
  {
    key: 'spo2',
    label: 'Oxygen saturation',
    loinc: '2708-6',
    ucum: '%',
    unit: '%',
    min: 50,
    max: 100,
    decimals: 0,
  },
  {
    key: 'weight',
    label: 'Body weight',
    loinc: '29463-7',
    ucum: 'kg',
    unit: 'kg',
    min: 0.3,
    max: 400,
    decimals: 1,
  },
  {
    key: 'height',
    label: 'Body height',
    loinc: '8302-2',
    ucum: 'cm',
    unit: 'cm',
    min: 20,
    max: 260,
    decimals: 1,
  },
];

export function vitalByKey(key: string): VitalSign | undefined {
  return VITAL_SIGNS.find((v) => v.key === key);
}

/** Why a typed value cannot be sent, or null when it can. */
export function vitalValueError(v: VitalSign, raw: string): string | null {
  const text = raw.trim();
  if (text === '') return 'Enter a value';
  if (!/^\d+(\.\d+)?$/.test(text)) return 'Enter a number (use a dot for decimals)';
  const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
  if (decimals > v.decimals) {
    return v.decimals === 0 ? 'Enter a whole number' : `Use at most ${v.decimals} decimal place`;
  }
  const n = Number(text);
  if (n < v.min || n > v.max) return `Expected between ${v.min} and ${v.max} ${v.unit}`;
  return null;
}

/** The Observation for one vital sign (FHIR vital-signs profile shape). */
export function vitalObservation(
  v: VitalSign,
  value: number,
  patientId: string,
  at: Date,
  performer: string | undefined,
): Record<string, unknown> & { resourceType: 'Observation' } {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }],
      },
    ],
    code: { coding: [{ system: LOINC, code: v.loinc, display: v.label }], text: v.label },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: at.toISOString(),
    ...(performer && { performer: [{ reference: `Practitioner/${performer}` }] }),
    valueQuantity: { value, unit: v.unit, system: UCUM, code: v.ucum },
  };
}
