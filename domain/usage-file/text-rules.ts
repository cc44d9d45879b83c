// Connect refuses high-ASCII characters (®, ©) and HTML tags in a usage sheet (SPEC §1.7). We read
// "high ASCII" as anything outside printable ASCII: every code point above 0x7E, and the control
// characters other than tab, line feed and carriage return.

const FORBIDDEN_CHARACTER = /[^\t\n\r\x20-\x7E]/u;
// A tag opens with `<`, a letter (or `/` and a letter) and closes with `>`; "a < b" and "x<5" pass.
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>|<!--/;

// One scan answers for almost every cell: nothing outside printable ASCII and no `<` at all.
const SUSPECT = /[^\t\n\r\x20-\x3B\x3D-\x7E]/;

/** False for almost every acceptable cell: nothing outside printable ASCII and no `<`. */
export function isSuspectText(text: string): boolean {
  return SUSPECT.test(text);
}

/** Why a text cell is refused, or undefined when it is acceptable. */
export function forbiddenTextReason(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  const character = FORBIDDEN_CHARACTER.exec(text)?.[0];
  if (character !== undefined) {
    const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    const shown = /\p{Cc}/u.test(character) ? codePoint : `'${character}' (${codePoint})`;
    return `contains the character ${shown}; only plain ASCII characters are accepted`;
  }
  const tag = HTML_TAG.exec(text)?.[0];
  if (tag !== undefined) return `contains the HTML tag ${tag.length > 40 ? `${tag.slice(0, 40)}…` : tag}`;
  return undefined;
}
