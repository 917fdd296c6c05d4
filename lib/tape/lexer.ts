/**
 * The tape lexer: turns the text of a VHS `.tape` file into tokens, one at a time, from any
 * position. It is a pure function of the position and a mode, so the parser can look ahead
 * and re-read a stretch in the other mode (after `Ctrl+`, a key such as `/` or `,` is one
 * character, not the start of a regular expression).
 *
 * Lexical rules follow VHS: whitespace separates tokens and several commands may share a line;
 * `#` starts a comment that runs to the end of the line; strings are quoted with `"`, `'` or
 * `` ` `` and have no escapes; a bare word starts with a letter or a dot and goes on with
 * letters, digits and `. - _ / %` (so `demo.gif` and `out/demo.cast` need no quotes); a
 * number is digits with dots (`500`, `.5`, `1.5`); `/…/` is a regular expression (a `\/` does
 * not end it); `{…}` is JSON.
 *
 * @module
 */

/** What a token is. */
export type TokenKind =
  | "word"
  | "string"
  | "number"
  | "regex"
  | "json"
  | "punct"
  | "eof"
  | "error";

/** One token, with where it is. */
export interface Token {
  /** What it is. */
  kind: TokenKind;
  /**
   * Its value: a word, the text of a string or regex without its delimiters, a number as
   * written, a JSON object with its braces, the character of a `punct`; for `error`, what
   * is wrong.
   */
  text: string;
  /** The source text of the token, as written. */
  raw: string;
  /** Offset of its first character. */
  start: number;
  /** Offset just past it. */
  end: number;
  /** For strings: the quote used. */
  quote?: string;
}

/** How to read the next token: `key` reads a key name after `Ctrl+`, `Alt+` or `Shift+`. */
export type LexMode = "normal" | "key";

/** Options for {@linkcode scanToken}. */
export interface ScanOptions {
  /** How to read the token. Default `"normal"`. */
  mode?: LexMode;
}

const PUNCT = new Set(["@", "+", "%", "=", "[", "]", "-", "^", "\\"]);

function isLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isWordChar(c: string): boolean {
  return isLetter(c) || isDigit(c) || c === "." || c === "-" || c === "_" || c === "/" ||
    c === "%";
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

/**
 * The offset of the next token at or after `pos`: whitespace and comments skipped.
 *
 * @example
 * ```ts
 * import { skipBlank } from "./lexer.ts";
 * skipBlank("  # note\nType", 0); // 9
 * ```
 */
export function skipBlank(source: string, pos: number): number {
  for (;;) {
    while (pos < source.length && isSpace(source[pos]!)) pos++;
    if (source[pos] !== "#") return pos;
    while (pos < source.length && source[pos] !== "\n") pos++;
  }
}

/**
 * Reads the token that starts at or after `pos` (whitespace and comments skipped).
 *
 * @example
 * ```ts
 * import { scanToken } from "./lexer.ts";
 * const t = scanToken('Type "hi"', 4);
 * // t.kind === "string", t.text === "hi", t.start === 5, t.end === 9
 * ```
 */
export function scanToken(source: string, pos: number, options: ScanOptions = {}): Token {
  const mode = options.mode ?? "normal";
  const start = skipBlank(source, pos);
  const make = (kind: TokenKind, end: number, text = source.slice(start, end)): Token => ({
    kind,
    text,
    raw: source.slice(start, end),
    start,
    end,
  });
  if (start >= source.length) return make("eof", start, "");
  const c = source[start]!;

  if (mode === "key") {
    if (isLetter(c) || isDigit(c)) {
      let end = start + 1;
      while (end < source.length && (isLetter(source[end]!) || isDigit(source[end]!))) end++;
      return make("word", end);
    }
    const cp = source.codePointAt(start)!;
    return make("word", start + (cp > 0xffff ? 2 : 1));
  }

  if (c === '"' || c === "'" || c === "`") {
    let end = start + 1;
    while (end < source.length && source[end] !== c && source[end] !== "\n") end++;
    if (source[end] !== c) {
      return make(
        "error",
        end,
        `unterminated string: expected a closing ${c} before the end of the line`,
      );
    }
    const token = make("string", end + 1, source.slice(start + 1, end));
    token.quote = c;
    return token;
  }
  if (c === "/") {
    let end = start + 1;
    while (end < source.length && source[end] !== "/" && source[end] !== "\n") {
      end += source[end] === "\\" && source[end + 1] !== "\n" ? 2 : 1;
    }
    if (source[end] !== "/") {
      return make(
        "error",
        Math.min(end, source.length),
        "unterminated regular expression: expected a closing / before the end of the line",
      );
    }
    return make("regex", end + 1, source.slice(start + 1, end));
  }
  if (c === "{") return scanJson(source, start, make);
  if (isDigit(c) || (c === "." && isDigit(source[start + 1] ?? ""))) {
    let end = start;
    while (end < source.length && (isDigit(source[end]!) || source[end] === ".")) end++;
    return make("number", end);
  }
  if (isLetter(c) || c === ".") {
    let end = start + 1;
    while (end < source.length && isWordChar(source[end]!)) end++;
    return make("word", end);
  }
  if (PUNCT.has(c)) return make("punct", start + 1);
  const cp = source.codePointAt(start)!;
  const end = start + (cp > 0xffff ? 2 : 1);
  return make("error", end, `unexpected character ${JSON.stringify(source.slice(start, end))}`);
}

/** Reads `{…}` up to its matching brace, skipping braces inside JSON strings. */
function scanJson(
  source: string,
  start: number,
  make: (kind: TokenKind, end: number, text?: string) => Token,
): Token {
  let depth = 0;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const ch = source[i]!;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return make("json", i + 1);
  }
  return make("error", source.length, "unterminated JSON object: expected a closing }");
}

/**
 * Converts offsets to 1-based line and column numbers (columns count UTF-16 units, as
 * editors that show a column for a tab count it as one).
 *
 * @example
 * ```ts
 * import { LineIndex } from "./lexer.ts";
 * const index = new LineIndex("Type 'a'\nEnter");
 * index.at(9); // { line: 2, col: 1 }
 * ```
 */
export class LineIndex {
  #starts: number[] = [0];

  /** Indexes the line starts of `source`. */
  constructor(source: string) {
    for (let i = 0; i < source.length; i++) if (source[i] === "\n") this.#starts.push(i + 1);
  }

  /** The line and column of offset `pos`. */
  at(pos: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: pos - this.#starts[lo]! + 1 };
  }
}
