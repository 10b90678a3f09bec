/**
 * R4 search value escaping (§3.1.1.5): `\,` `\|` `\$` and `\\` stand for the literal characters;
 * unescaped `,` separates OR values and unescaped `|` separates a token's system and code.
 */

/** Split on every unescaped `sep`, keeping escapes in the pieces. */
export function splitUnescaped(text: string, sep: ',' | '|'): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 92 /* \ */) i++;
    else if (text[i] === sep) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}

const ESCAPE = /\\([\\,|$])/g;

export function unescapeValue(text: string): string {
  return text.includes('\\') ? text.replace(ESCAPE, '$1') : text;
}
