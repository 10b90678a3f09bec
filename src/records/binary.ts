import { FhirError } from './errors.js';

/**
 * Attachments Haven accepts, each with the leading bytes its content must start with, so a file
 * cannot claim one type and be another (a script served as an image, say).
 */
const ALLOWED: Record<string, ((b: Buffer) => boolean) | undefined> = {
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/png': (b) =>
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  // A visit recording (ADR 0034): WebM starts with the EBML header.
  'video/webm': (b) => b.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])),
  'text/plain': (b) => !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b),
};

export const ALLOWED_BINARY_TYPES = Object.keys(ALLOWED);

/** Checks a Binary resource's content type, size and signature; returns the decoded bytes. */
export function checkBinary(resource: Record<string, unknown>, limitBytes: number): Buffer {
  const contentType = String(resource.contentType ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const check = ALLOWED[contentType];
  if (!check) {
    throw new FhirError(
      415,
      'not-supported',
      `Binary contentType must be one of ${ALLOWED_BINARY_TYPES.join(', ')}`,
    );
  }
  const data = resource.data;
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    throw new FhirError(400, 'invalid', 'Binary.data must be base64');
  }
  if ((data.length * 3) / 4 > limitBytes + 3) {
    throw new FhirError(413, 'too-long', `the attachment exceeds the ${limitBytes}-byte limit`);
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > limitBytes)
    throw new FhirError(413, 'too-long', `the attachment exceeds the ${limitBytes}-byte limit`);
  if (!check(bytes))
    throw new FhirError(415, 'invalid', 'the attachment content does not match its contentType');
  return bytes;
}
