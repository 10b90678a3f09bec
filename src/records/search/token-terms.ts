import type { Token, TokenQuery } from './types.js';

/**
 * Token terms. A token is indexed three ways so each R4 search form is one lookup:
 *   `c:<code>`            ← `code`          (any system)
 *   `sc:<system>|<code>`  ← `system|code`, and `|code` as `sc:|<code>` (no system)
 *   `s:<system>`          ← `system|`       (any code)
 * Matching is exact and case-sensitive.
 */
export function tokenIndexTerms(tokens: readonly Token[], out: string[], prefix: string): void {
  for (const t of tokens) {
    if (t.code !== undefined) {
      out.push(`${prefix}c:${t.code}`, `${prefix}sc:${t.system ?? ''}|${t.code}`);
    }
    if (t.system !== undefined) out.push(`${prefix}s:${t.system}`);
  }
}

export function tokenQueryTerm(q: TokenQuery, prefix: string): string {
  if (q.system === undefined) return `${prefix}c:${q.code ?? ''}`;
  if (q.code === undefined) return `${prefix}s:${q.system}`;
  return `${prefix}sc:${q.system}|${q.code}`;
}

/** R4 token semantics for one resource token and one search value. */
export function tokenMatches(t: Token, q: TokenQuery): boolean {
  if (q.code !== undefined && t.code !== q.code) return false;
  if (q.system === undefined) return true;
  if (q.system === '') return t.system === undefined;
  return t.system === q.system;
}
