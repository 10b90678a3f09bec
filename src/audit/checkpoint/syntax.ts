/** Lexical rules shared by signed notes, checkpoints and verifier keys. */

// A JavaScript string can hold a lone surrogate, which has no UTF-8 encoding.
const LONE_SURROGATE = /\p{Cs}/u;

// "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B)".
// Control characters are refused too: they could never appear in a valid note.
const FORBIDDEN_IN_KEY_NAME = /[\p{White_Space}+\p{Cc}\p{Cs}]/u;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * c2sp.org/signed-note: notes "MUST be valid UTF-8 and MUST NOT contain any ASCII control
 * characters (those below U+0020) other than newline".
 */
export function isNoteSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return false;
  }
  return !LONE_SURROGATE.test(text);
}

export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !FORBIDDEN_IN_KEY_NAME.test(name);
}

/**
 * RFC 4648 §4 standard base64 with padding, in canonical form only (Buffer.from is lenient and
 * would accept junk characters, missing padding and non-zero trailing bits). Undefined if invalid.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
