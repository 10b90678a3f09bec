/**
 * Obviously synthetic "canary" patients. Their distinctive values are searched for in raw
 * database files, logs and error bodies: finding one there means PHI escaped the vault.
 */
export function canaryPatient(n: number): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    name: [
      {
        family: `Canarywing${n}`,
        given: [`Zebedee${n}`, 'Quillfeather'],
        text: `Zebedee${n} Canarywing${n}`,
      },
    ],
    birthDate: `1911-0${(n % 9) + 1}-1${n % 10}`,
    gender: 'other',
    identifier: [
      { system: 'urn:oid:2.16.840.1.113883.4.1', value: `999-77-${String(1000 + n)}` },
      { system: 'http://hospital.example/mrn', value: `CANARY-MRN-${n}` },
    ],
    telecom: [
      { system: 'phone', value: `555-0199-${String(n).padStart(3, '0')}` },
      { system: 'email', value: `canary${n}@example.invalid` },
    ],
  };
}

/** The strings that must never appear outside the vault for canary n. */
export function canarySecrets(n: number): string[] {
  return [
    `Canarywing${n}`,
    `Zebedee${n}`,
    `999-77-${String(1000 + n)}`,
    `CANARY-MRN-${n}`,
    `555-0199-${String(n).padStart(3, '0')}`,
    `canary${n}@example.invalid`,
  ];
}

export function canaryNote(n: number): string {
  return `Patient reports canary-symptom-${n} after eating glitterberries`;
}

/** Patterns shared by every canary value: any of them in a log line or error body is a leak. */
export const CANARY_PATTERN =
  /Canarywing|Zebedee|Quillfeather|CANARY-MRN|999-77-1|555-0199|example\.invalid|glitterberries|canary-symptom/i;
