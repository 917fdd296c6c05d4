/**
 * Tracks whether terminal output so far ends inside an escape sequence, and keeps that
 * unfinished prefix, so a snapshot can end with it and the rest of the sequence (arriving
 * in later output) completes it exactly as it would have in the original terminal.
 *
 * The state machine is the DEC/ANSI parser of vt100.net as `@xterm/headless` 6 implements
 * it (`EscapeSequenceParser.ts`), reduced to what decides "inside a sequence or not".
 *
 * @module
 */

const enum S {
  GROUND,
  ESCAPE,
  ESCAPE_INTERMEDIATE,
  CSI_ENTRY,
  CSI_PARAM,
  CSI_INTERMEDIATE,
  CSI_IGNORE,
  SOS_PM_APC_STRING,
  OSC_STRING,
  DCS_ENTRY,
  DCS_PARAM,
  DCS_INTERMEDIATE,
  DCS_IGNORE,
  DCS_PASSTHROUGH,
}

/** Longest prefix kept; a longer string sequence keeps its head (its tail is ignorable). */
const MAX_PREFIX = 4096;

/** True for code units that start a sequence from any state (ESC and the C1 introducers). */
function isIntroducer(c: number): boolean {
  return c === 0x1b ||
    (c >= 0x90 && c <= 0x9f &&
      (c === 0x90 || c === 0x98 || c === 0x9b || c === 0x9d || c === 0x9e || c === 0x9f));
}

/**
 * Scans output text in order and remembers the unfinished escape sequence at its end.
 *
 * @example
 * ```ts
 * const tail = new EscapeTail();
 * tail.scan("abc\x1b[3");
 * tail.pending; // "\x1b[3"
 * tail.scan("1mdef");
 * tail.pending; // ""
 * ```
 */
export class EscapeTail {
  #state: S = S.GROUND;
  #prefix = "";

  /** The unfinished sequence at the end of everything scanned ("" when none). */
  get pending(): string {
    return this.#state === S.GROUND ? "" : this.#prefix;
  }

  /** Forgets any unfinished sequence. */
  reset(): void {
    this.#state = S.GROUND;
    this.#prefix = "";
  }

  /** Advances over the next piece of output. */
  scan(text: string): void {
    // The state after an introducer does not depend on the state before it, so only the
    // text from the last introducer on needs the state machine.
    let start = text.length;
    while (start > 0 && !isIntroducer(text.charCodeAt(start - 1))) start--;
    if (start > 0) {
      start--;
    } else if (this.#state === S.GROUND) {
      return;
    }
    for (let i = start; i < text.length; i++) this.#step(text.charCodeAt(i), i, text);
  }

  #enter(state: S, prefix: string): void {
    this.#state = state;
    this.#prefix = prefix;
  }

  #step(c: number, i: number, text: string): void {
    // Transitions from anywhere.
    if (c === 0x1b) return this.#enter(S.ESCAPE, "\x1b");
    if (c === 0x18 || c === 0x1a) return this.#enter(S.GROUND, "");
    if (c >= 0x80 && c <= 0x9f) {
      const ch = text[i]!;
      switch (c) {
        case 0x90:
          return this.#enter(S.DCS_ENTRY, ch);
        case 0x9b:
          return this.#enter(S.CSI_ENTRY, ch);
        case 0x9d:
          return this.#enter(S.OSC_STRING, ch);
        case 0x98:
        case 0x9e:
        case 0x9f:
          return this.#enter(S.SOS_PM_APC_STRING, ch);
        default:
          return this.#enter(S.GROUND, "");
      }
    }
    const state = this.#state;
    if (state === S.GROUND) return;
    // C0 controls inside a sequence are executed or ignored at once, not part of it,
    // except in DCS data, which passes them through.
    if (c < 0x20) {
      if (state === S.OSC_STRING && c === 0x07) return this.#enter(S.GROUND, "");
      if (state === S.DCS_PASSTHROUGH) this.#put(text[i]!);
      return;
    }
    const wide = c >= 0xa0;
    let next: S = state;
    switch (state) {
      case S.ESCAPE:
        if (wide) next = S.GROUND;
        else if (c <= 0x2f) next = S.ESCAPE_INTERMEDIATE;
        else if (c === 0x5b) next = S.CSI_ENTRY;
        else if (c === 0x5d) next = S.OSC_STRING;
        else if (c === 0x50) next = S.DCS_ENTRY;
        else if (c === 0x58 || c === 0x5e || c === 0x5f) next = S.SOS_PM_APC_STRING;
        else if (c !== 0x7f) next = S.GROUND;
        break;
      case S.ESCAPE_INTERMEDIATE:
        if (wide || (c >= 0x30 && c <= 0x7e)) next = S.GROUND;
        break;
      case S.CSI_ENTRY:
      case S.CSI_PARAM:
      case S.CSI_INTERMEDIATE:
        if (wide || (c >= 0x40 && c <= 0x7e)) next = S.GROUND;
        else if (c <= 0x2f) next = S.CSI_INTERMEDIATE;
        else if (c <= 0x3f) {
          if (state === S.CSI_INTERMEDIATE) next = S.CSI_IGNORE;
          else if (c >= 0x3c && state === S.CSI_PARAM) next = S.CSI_IGNORE;
          else next = S.CSI_PARAM;
        }
        break;
      case S.CSI_IGNORE:
        if (c >= 0x40 && c <= 0x7e) next = S.GROUND;
        break;
      case S.SOS_PM_APC_STRING:
        if (wide) next = S.GROUND;
        break;
      case S.DCS_ENTRY:
      case S.DCS_PARAM:
      case S.DCS_INTERMEDIATE:
        if (wide) next = S.GROUND;
        else if (c >= 0x40 && c <= 0x7e) next = S.DCS_PASSTHROUGH;
        else if (c <= 0x2f) next = S.DCS_INTERMEDIATE;
        else if (c <= 0x3f) {
          if (state === S.DCS_INTERMEDIATE) next = S.DCS_IGNORE;
          else if (c >= 0x3c && state === S.DCS_PARAM) next = S.DCS_IGNORE;
          else if (c !== 0x7f) next = S.DCS_PARAM;
        }
        break;
        // OSC_STRING, DCS_IGNORE, DCS_PASSTHROUGH keep everything until a terminator.
    }
    if (next === S.GROUND) return this.#enter(S.GROUND, "");
    this.#state = next;
    this.#put(text[i]!);
  }

  #put(ch: string): void {
    if (this.#prefix.length < MAX_PREFIX) this.#prefix += ch;
  }
}
