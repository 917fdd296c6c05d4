/**
 * Keeps track of the terminal modes a played recording switches on (alternate screen, mouse
 * reporting, bracketed paste, application cursor keys…), so that playback, however it ends,
 * can give the user back a terminal in the state they had it.
 *
 * @module
 */

/** DEC private modes that must not stay on after playback; their numbers as text. */
const TRACKED = new Set([
  "1", // application cursor keys
  "47",
  "1047",
  "1049", // alternate screen
  "9",
  "1000",
  "1001",
  "1002",
  "1003",
  "1005",
  "1006",
  "1015", // mouse reporting
  "1004", // focus events
  "2004", // bracketed paste
]);

/** Alternate screen modes: left first, so the other resets apply to the main screen. */
const ALT_SCREEN = ["1049", "1047", "47"];

const QUESTION = 0x3f;
const ESC = 0x1b;
const BRACKET = 0x5b;
/** Longest tail of a write kept to complete a sequence split across writes. */
const MAX_CARRY = 64;

const encoder = new TextEncoder();

/**
 * Scans played output for `ESC [ ? Pm h` / `ESC [ ? Pm l` and remembers which tracked modes
 * were left on.
 *
 * @example
 * ```ts
 * import { TerminalModes } from "./terminal_modes.ts";
 * const modes = new TerminalModes();
 * modes.feed(new TextEncoder().encode("\x1b[?1049h\x1b[?25l"));
 * new TextDecoder().decode(modes.resetSequence()); // "\x1b[?1049l\x1b[0m\x1b[?25h"
 * ```
 */
export class TerminalModes {
  #on = new Set<string>();
  #carry: Uint8Array | undefined;

  /** Takes the next bytes written to the terminal. */
  feed(bytes: Uint8Array): void {
    let data = bytes;
    if (this.#carry) {
      data = new Uint8Array(this.#carry.length + bytes.length);
      data.set(this.#carry);
      data.set(bytes, this.#carry.length);
      this.#carry = undefined;
    }
    // Search for the rare "?" rather than for ESC, which colourful output is full of.
    let i = data.indexOf(QUESTION, 2);
    while (i !== -1) {
      if (data[i - 1] === BRACKET && data[i - 2] === ESC) {
        const end = this.#parse(data, i + 1);
        if (end === -1) {
          this.#carry = data.slice(i - 2, Math.min(data.length, i - 2 + MAX_CARRY));
          return;
        }
        i = end;
      }
      i = data.indexOf(QUESTION, i + 1);
    }
    // Keep a trailing ESC or ESC [ that the next write may complete.
    const tail = data.lastIndexOf(ESC, data.length - 1);
    if (tail !== -1 && tail >= data.length - 2) this.#carry = data.slice(tail);
  }

  /** Parses the parameters after `ESC [ ?`; returns the index of the final byte, or -1 when cut off. */
  #parse(data: Uint8Array, start: number): number {
    let j = start;
    while (j < data.length) {
      const byte = data[j]!;
      if ((byte >= 0x30 && byte <= 0x39) || byte === 0x3b) {
        j++;
        continue;
      }
      if (byte === 0x68 || byte === 0x6c) {
        const params = String.fromCharCode(...data.subarray(start, j)).split(";");
        for (const mode of params) {
          if (!TRACKED.has(mode)) continue;
          if (byte === 0x68) this.#on.add(mode);
          else this.#on.delete(mode);
        }
      }
      return j;
    }
    return j - start > MAX_CARRY ? j - 1 : -1;
  }

  /** Whether the recording left the alternate screen on. */
  get alternateScreen(): boolean {
    return ALT_SCREEN.some((mode) => this.#on.has(mode));
  }

  /**
   * The bytes that switch off every tracked mode left on, reset colours and attributes
   * (`ESC [ 0 m`) and show the cursor (`ESC [ ? 25 h`).
   */
  resetSequence(): Uint8Array {
    const modes = [
      ...ALT_SCREEN.filter((mode) => this.#on.has(mode)),
      ...[...this.#on].filter((mode) => !ALT_SCREEN.includes(mode)),
    ];
    return encoder.encode(modes.map((mode) => `\x1b[?${mode}l`).join("") + "\x1b[0m\x1b[?25h");
  }
}
