/**
 * Key definitions as asciinema's config files and flags write them (`^\\`, `C-b`, `\\x1b`),
 * read into the bytes the key sends.
 *
 * @module
 */

/**
 * Parses a key definition (asciinema's notation, extended): `""` disables the binding (an
 * empty result); one
 * character is its UTF-8 bytes; `^X`, `C-X`, `C+X` are control keys over the whole control
 * range (`^@`…`^_`, `^?`; letters in either case); `\xHH` escapes (and `\e`) give raw bytes.
 *
 * @throws {SyntaxError} for text that is no key.
 * @example
 * ```ts
 * import { parseKey } from "./key_notation.ts";
 * parseKey("^\\"); // Uint8Array [0x1c]
 * parseKey("C-b"); // Uint8Array [0x02]
 * parseKey("\\x1b\\x6d"); // Uint8Array [0x1b, 0x6d]
 * parseKey(""); // Uint8Array [] (disabled)
 * ```
 */
export function parseKey(text: string): Uint8Array {
  if (text === "") return new Uint8Array(0);
  const control = /^(?:\^|[cC][-+])(.)$/su.exec(text);
  if (control) {
    const c = control[1]!.toUpperCase();
    if (c === "?") return new Uint8Array([0x7f]);
    const code = c.charCodeAt(0);
    if (code >= 0x40 && code <= 0x5f) return new Uint8Array([code - 0x40]);
  }
  if (/^(?:\\x[0-9a-fA-F]{2}|\\e)+$/.test(text)) {
    const bytes = [...text.matchAll(/\\(?:x([0-9a-fA-F]{2})|e)/g)].map((m) =>
      m[1] === undefined ? 0x1b : parseInt(m[1], 16)
    );
    return new Uint8Array(bytes);
  }
  if ([...text].length === 1) return new TextEncoder().encode(text);
  throw new SyntaxError(
    `invalid key definition '${text}' (use one character, ^X, C-X or \\xHH escapes)`,
  );
}
