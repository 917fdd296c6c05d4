/**
 * Keys as the bytes a real terminal (xterm, and xterm.js in VHS's browser) sends for them.
 *
 * | key | bytes | with modifiers |
 * | --- | --- | --- |
 * | Enter | `\r` | Alt: `ESC \r` |
 * | Backspace | `DEL` (0x7f) | Ctrl: `BS` (0x08); Alt: `ESC DEL` |
 * | Tab | `\t` | Shift: `ESC [Z`; Alt: `ESC \t` |
 * | Space | ` ` | Ctrl: `NUL`; Alt: `ESC  ` |
 * | Escape | `ESC` | Alt: `ESC ESC` |
 * | Up Down Right Left | `ESC [A` … `ESC [D` (`ESC OA` … in application cursor mode) | `ESC [1;Mx` |
 * | Home End | `ESC [H`, `ESC [F` (`ESC OH`, `ESC OF` in application mode) | `ESC [1;Mx` |
 * | Insert Delete PageUp PageDown | `ESC [2~`, `ESC [3~`, `ESC [5~`, `ESC [6~` | `ESC [n;M~` |
 * | ScrollUp ScrollDown | nothing: they scroll VHS's view, not the program | |
 *
 * M is 1 + 1·Shift + 2·Alt + 4·Ctrl. A character with Ctrl is its control code: a letter
 * `X` (either case) is X & 0x1f, `@` `2` and space are NUL, `[` `3` ESC, `\` `4` 0x1c,
 * `]` `5` 0x1d, `^` `6` `~` 0x1e, `_` `-` `/` `7` 0x1f, `?` `8` DEL; any other character is
 * sent as itself. Shift makes a letter upper case. Alt sends ESC first (xterm's
 * `metaSendsEscape`, as xterm.js does).
 *
 * `Type` sends the characters of its text as UTF-8; the arrows `← ↑ → ↓` in a typed text
 * are the arrow keys, as in VHS.
 *
 * @module
 */
import type { KeyName, Modifiers } from "./command.ts";

/** Terminal modes that change what keys send. */
export interface KeyModes {
  /** DECCKM (`ESC [?1h`): arrows, Home and End send `ESC O x`. */
  applicationCursor?: boolean;
}

/** Options for {@linkcode keyBytes} and {@linkcode comboBytes}: modifiers held and modes. */
export interface KeyOptions extends Modifiers, KeyModes {}

const ESC = "\x1b";

const CURSOR_FINAL: Readonly<Record<string, string>> = {
  Up: "A",
  Down: "B",
  Right: "C",
  Left: "D",
  Home: "H",
  End: "F",
};

const TILDE_CODE: Readonly<Record<string, number>> = {
  Insert: 2,
  Delete: 3,
  PageUp: 5,
  PageDown: 6,
};

const CTRL_SYMBOLS: Readonly<Record<string, number>> = {
  "@": 0x00,
  "2": 0x00,
  " ": 0x00,
  "[": 0x1b,
  "3": 0x1b,
  "\\": 0x1c,
  "4": 0x1c,
  "]": 0x1d,
  "5": 0x1d,
  "^": 0x1e,
  "6": 0x1e,
  "~": 0x1e,
  "_": 0x1f,
  "-": 0x1f,
  "/": 0x1f,
  "7": 0x1f,
  "?": 0x7f,
  "8": 0x7f,
};

function modifierParam(m: Modifiers): number {
  return 1 + (m.shift ? 1 : 0) + (m.alt ? 2 : 0) + (m.ctrl ? 4 : 0);
}

/**
 * Whether a key's bytes depend on the application cursor mode.
 *
 * @example
 * ```ts
 * import { dependsOnCursorMode } from "./keys.ts";
 * dependsOnCursorMode("Up"); // true
 * dependsOnCursorMode("PageUp"); // false
 * ```
 */
export function dependsOnCursorMode(key: string): boolean {
  return key in CURSOR_FINAL;
}

/**
 * The bytes a named key sends, with modifiers held (`""` for ScrollUp and ScrollDown).
 *
 * @example
 * ```ts
 * import { keyBytes } from "./keys.ts";
 * keyBytes("Up"); // "\x1b[A"
 * keyBytes("Up", { applicationCursor: true }); // "\x1bOA"
 * keyBytes("Left", { ctrl: true }); // "\x1b[1;5D"
 * keyBytes("Tab", { shift: true }); // "\x1b[Z"
 * ```
 */
export function keyBytes(key: KeyName, options: KeyOptions = {}): string {
  const modifiers = options;
  const modes = options;
  const modified = Boolean(modifiers.ctrl || modifiers.alt || modifiers.shift);
  const alt = modifiers.alt ? ESC : "";
  const final = CURSOR_FINAL[key];
  if (final !== undefined) {
    if (modified) return `${ESC}[1;${modifierParam(modifiers)}${final}`;
    return modes.applicationCursor ? `${ESC}O${final}` : `${ESC}[${final}`;
  }
  const tilde = TILDE_CODE[key];
  if (tilde !== undefined) {
    return modified ? `${ESC}[${tilde};${modifierParam(modifiers)}~` : `${ESC}[${tilde}~`;
  }
  switch (key) {
    case "Enter":
      return alt + "\r";
    case "Backspace":
      return alt + (modifiers.ctrl ? "\x08" : "\x7f");
    case "Tab":
      return alt + (modifiers.shift ? `${ESC}[Z` : "\t");
    case "Space":
      return alt + (modifiers.ctrl ? "\x00" : " ");
    case "Escape":
      return alt + ESC;
    case "ScrollUp":
    case "ScrollDown":
      return "";
  }
  throw new RangeError(`unknown key ${key}`);
}

/**
 * The bytes of a modified key: a {@linkcode KeyName} or one character.
 *
 * @example
 * ```ts
 * import { comboBytes } from "./keys.ts";
 * comboBytes("C", { ctrl: true }); // "\x03"
 * comboBytes("c", { ctrl: true, alt: true }); // "\x1b\x03"
 * comboBytes(".", { alt: true }); // "\x1b."
 * comboBytes("a", { shift: true }); // "A"
 * comboBytes("Enter", { alt: true }); // "\x1b\r"
 * ```
 */
export function comboBytes(key: string, options: KeyOptions): string {
  if ([...key].length > 1) return keyBytes(key as KeyName, options);
  const modifiers = options;
  let char = key;
  if (modifiers.shift && /^[a-z]$/.test(char)) char = char.toUpperCase();
  if (modifiers.ctrl) {
    if (/^[a-zA-Z]$/.test(char)) char = String.fromCharCode(char.charCodeAt(0) & 0x1f);
    else if (CTRL_SYMBOLS[char] !== undefined) char = String.fromCharCode(CTRL_SYMBOLS[char]!);
  }
  return (modifiers.alt ? ESC : "") + char;
}

const TYPED_ARROWS: Readonly<Record<string, KeyName>> = {
  "←": "Left",
  "↑": "Up",
  "→": "Right",
  "↓": "Down",
};

/**
 * The bytes of one typed character (one code point).
 *
 * @example
 * ```ts
 * import { typedBytes } from "./keys.ts";
 * typedBytes("é"); // "é"
 * typedBytes("↑"); // "\x1b[A"
 * ```
 */
export function typedBytes(char: string, modes: KeyModes = {}): string {
  const arrow = TYPED_ARROWS[char];
  return arrow ? keyBytes(arrow, modes) : char;
}

/**
 * Whether typing `char` sends a cursor key (whose bytes depend on the cursor mode).
 *
 * @example
 * ```ts
 * import { isTypedArrow } from "./keys.ts";
 * isTypedArrow("↑"); // true
 * ```
 */
export function isTypedArrow(char: string): boolean {
  return char in TYPED_ARROWS;
}
