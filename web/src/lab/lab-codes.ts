/** The lab tests the entry form offers: LOINC code, name and the UCUM unit they are reported in. */
export const LAB_TESTS = [
  { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL' },
  { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', unit: 'g/dL' },
  { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL' },
  { code: '6690-2', display: 'Leukocytes [#/volume] in Blood', unit: '10*3/uL' },
  { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', unit: 'mg/dL' },
  { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%' },
] as const;

export const LAB_CATEGORY = [
  {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        code: 'laboratory',
        display: 'Laboratory',
      },
    ],
  },
];

/** A finite number and a unit: checked in the page before anything is sent. */
export function checkResult(value: string, unit: string): string | undefined {
  if (value.trim() === '' || !Number.isFinite(Number(value))) return 'Enter the value as a number.';
  if (unit.trim() === '') return 'Enter the unit.';
  return undefined;
}
