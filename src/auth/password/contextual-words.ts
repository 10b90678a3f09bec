import { normalizePassword } from './normalize-password.js';

/**
 * NIST SP 800-63B §3.1.1.2 lists "context-specific words, such as the name of the service, the
 * username, and derivatives thereof" among the values a verifier should refuse. The service
 * name is always included; callers add the user's email address and name parts.
 */
export const SERVICE_WORDS: readonly string[] = ['haven'];

/**
 * Words shorter than this are not searched for inside a password: two letters ("Li", "Jo")
 * occur in too many unrelated passphrases to be evidence of anything.
 */
const MIN_WORD_LENGTH = 3;

const SEPARATORS = /[\s._+\-'@]+/u;

/**
 * The lower-cased words to refuse for one user: for each context entry, the whole entry, the
 * entry with separators removed, and each part between separators. An email address gives its
 * local part so, and each label of its domain but the last (the top-level domain, shared by
 * millions). "Jane.Doe@northclinic.example" yields "jane.doe", "janedoe", "jane", "doe" and
 * "northclinic".
 */
export function contextualWords(context: readonly string[]): string[] {
  const words = new Set<string>();
  for (const entry of [...SERVICE_WORDS, ...context]) {
    const text = normalizePassword(entry).toLowerCase().trim();
    const at = text.lastIndexOf('@');
    const local = at > 0 ? text.slice(0, at) : text;
    words.add(local);
    words.add(local.split(SEPARATORS).join(''));
    for (const part of local.split(SEPARATORS)) words.add(part);
    if (at > 0)
      for (const label of text
        .slice(at + 1)
        .split('.')
        .slice(0, -1))
        words.add(label);
  }
  return [...words].filter((w) => [...w].length >= MIN_WORD_LENGTH);
}

/** Whether the lower-cased password, or it with whitespace removed, contains any of the words. */
export function containsContextualWord(passwordKey: string, words: readonly string[]): boolean {
  const squashed = passwordKey.replace(/\s+/gu, '');
  return words.some((w) => passwordKey.includes(w) || squashed.includes(w));
}
