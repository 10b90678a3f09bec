import fs from 'node:fs';

/**
 * Detectors for PHI in log text: values shaped like identifiers and contact data, and the field
 * names of FHIR resources that only a leaked record body would carry. They report which detector
 * matched and on which line, never the matched text (the report itself must stay PHI-free).
 */
export const PHI_DETECTORS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'ssn', pattern: /\b\d{3}-\d{2}-\d{4}\b/ },
  { name: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/ },
  { name: 'phone', pattern: /\b\(?\d{3}\)?[-. ]\d{3,4}[-. ]\d{3,4}\b/ },
  { name: 'fhir-name', pattern: /"(family|given)"\s*:/ },
  { name: 'fhir-birth-date', pattern: /"birthDate"\s*:/ },
  { name: 'fhir-address', pattern: /"(line|postalCode)"\s*:/ },
  { name: 'fhir-telecom', pattern: /"telecom"\s*:/ },
  { name: 'clinical-text', pattern: /"(div|contentString|note)"\s*:/ },
  // The synthetic canary patients the test suites seed: finding one is a leak by definition.
  {
    name: 'canary',
    pattern: /Canarywing|Zebedee|Quillfeather|CANARY-MRN|glitterberries|canary-symptom/i,
  },
];

export interface LogScanResult {
  file: string;
  bytesScanned: number;
  lines: number;
  /** Line numbers (1-based, within the scanned tail) per detector that matched. */
  hits: Record<string, number[]>;
}

/** Scans the last `maxBytes` of a log file ("recent logs"); throws if it cannot be read. */
export function scanLogFile(file: string, maxBytes = 8 * 1024 * 1024): LogScanResult {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    // A tail may start mid-line: drop the partial first line.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { file, bytesScanned: buf.length, ...scanLogText(text) };
  } finally {
    fs.closeSync(fd);
  }
}

export function scanLogText(text: string): { lines: number; hits: Record<string, number[]> } {
  const hits: Record<string, number[]> = {};
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const d of PHI_DETECTORS) if (d.pattern.test(line)) (hits[d.name] ??= []).push(i + 1);
  });
  return { lines: lines.length, hits };
}
