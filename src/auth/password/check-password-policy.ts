import { commonPasswordKey, commonPasswordSet } from './common-passwords.js';
import { containsContextualWord, contextualWords } from './contextual-words.js';
import { guessableVariants, leetReadings } from './guessable-variants.js';
import { UnknownPasswordRoleError } from './errors.js';
import { isRepetitive } from './is-repetitive.js';
import { codePointLength, normalizePassword } from './normalize-password.js';
import {
  MAX_PASSWORD_INPUT_UNITS,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type PasswordRole,
} from './policy-limits.js';

export type PolicyReason = 'too-short' | 'too-long' | 'common' | 'contextual' | 'repetitive';

/** Never carries the password, only why it was refused, so it is safe to log and return. */
export type PolicyResult = { ok: true } | { ok: false; reasons: PolicyReason[] };

export interface PolicyOptions {
  role: PasswordRole;
  /**
   * The user's own context-specific words: email address (its local part and its domain's
   * labels are refused), given and family names, username.
   */
  context?: readonly string[];
}

/**
 * NIST SP 800-63B §3.1.1.2 for a newly chosen password: a minimum length by role, a maximum
 * of 256, any characters (spaces, emoji, every script), and no composition rules, which 63B
 * forbids because they push users to predictable patterns ("Password1!"). What it refuses is
 * what attackers try first: breached and common passwords, the user's own name or email, and
 * repetitive or sequential strings. Lengths count code points after NFKC, so "é" counts once
 * however it was typed and an emoji counts once despite being two UTF-16 units.
 *
 * All reasons found are returned, in a fixed order, so the user can fix everything at once.
 */
export function checkPasswordPolicy(password: string, options: PolicyOptions): PolicyResult {
  const min = Object.hasOwn(MIN_PASSWORD_LENGTH, options.role)
    ? MIN_PASSWORD_LENGTH[options.role]
    : undefined;
  if (min === undefined) throw new UnknownPasswordRoleError();
  if (password.length > MAX_PASSWORD_INPUT_UNITS) return { ok: false, reasons: ['too-long'] };

  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);
  // Past the maximum the other checks say nothing useful; report the one fix needed.
  if (length > MAX_PASSWORD_LENGTH) return { ok: false, reasons: ['too-long'] };

  const reasons: PolicyReason[] = [];
  if (length < min) reasons.push('too-short');

  const key = commonPasswordKey(normalized);
  if (isCommon(key)) reasons.push('common');
  const words = contextualWords(options.context ?? []);
  // "H@v3n" is "haven" to anyone guessing, so the leet readings are searched too.
  if ([key, ...leetReadings(key)].some((k) => containsContextualWord(k, words))) {
    reasons.push('contextual');
  }
  if (isRepetitive(key)) reasons.push('repetitive');

  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

/**
 * Listed as it is, without its spaces, or once its decorations are undone (a digit/symbol run at
 * either end, leet substitutions: see guessable-variants.ts). Whole-password matches need no
 * length bound; shorter list entries only ever match an undecorated base.
 */
function isCommon(key: string): boolean {
  const common = commonPasswordSet();
  const squashed = key.replace(/\s+/gu, '');
  const candidates = new Set([
    key,
    squashed,
    ...guessableVariants(key),
    ...guessableVariants(squashed),
  ]);
  for (const c of candidates) if (common.has(c)) return true;
  return false;
}
