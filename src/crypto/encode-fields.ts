/**
 * Unambiguous encoding of a tuple of fields: each field is a 4-byte big-endian length followed
 * by its bytes. Plain joins ("a|b") let two different tuples produce the same bytes, which for
 * associated data would let a ciphertext verify under a binding it was not sealed for.
 */
export function encodeFields(fields: readonly (string | Buffer)[]): Buffer {
  let total = 0;
  for (const field of fields) {
    total += 4 + (typeof field === 'string' ? Buffer.byteLength(field, 'utf8') : field.length);
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const field of fields) {
    if (typeof field === 'string') {
      const written = out.write(field, at + 4, 'utf8');
      out.writeUInt32BE(written, at);
      at += 4 + written;
    } else {
      out.writeUInt32BE(field.length, at);
      field.copy(out, at + 4);
      at += 4 + field.length;
    }
  }
  return out;
}

// A lone UTF-16 surrogate encodes to U+FFFD in UTF-8, so two different strings would encode to
// the same bytes. Strings that reach an encoding must therefore be well-formed.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws TypeError unless `value` is a non-empty, well-formed UTF-16 string. */
export function checkText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || LONE_SURROGATE.test(value)) {
    throw new TypeError(`${what} must be a non-empty, well-formed string`);
  }
}

/** Throws TypeError unless `value` is an integer in [min, max]. */
export function checkInteger(value: unknown, what: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${what} must be an integer in [${min}, ${max}]`);
  }
}
