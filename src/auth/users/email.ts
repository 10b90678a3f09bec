import { InvalidEmailError } from './errors.js';

const SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/** NFKC, trimmed, lower-cased: one person, one index entry, however the address was typed. */
export function normalizeEmail(email: string): string {
  const n = email.normalize('NFKC').trim().toLowerCase();
  if (n.length > 254 || !SHAPE.test(n)) throw new InvalidEmailError();
  return n;
}

/** The blind-index term of a normalized email. */
export function emailIndexTerm(normalized: string): string {
  return `User|email|${normalized}`;
}

export function emailLocalPart(normalized: string): string {
  return normalized.slice(0, normalized.lastIndexOf('@'));
}
