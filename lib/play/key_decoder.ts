/**
 * Turns the bytes typed during playback into player actions. A small state machine scans
 * every byte, so keys are found however the terminal splits its reads (a fast typist or a
 * paste may deliver several keys in one read), and the bytes of escape sequences (arrow
 * keys, mouse reports a played recording may have switched on, bracketed pastes) are never
 * taken for keys.
 *
 * @module
 */

/** What a key asks the player to do. */
export type PlayerAction =
  | "pause" // space: pause / resume
  | "step" // `.`: while paused, play the next event that shows something
  | "next-marker" // `]`: play up to and including the next marker, then pause
  | "faster" // `+`: double the speed
  | "slower" // `-`: halve the speed
  | "quit"; // `q` or ctrl+c

const ACTIONS: Partial<Record<number, PlayerAction>> = {
  0x20: "pause",
  0x2e: "step",
  0x5d: "next-marker",
  0x2b: "faster",
  0x2d: "slower",
  0x71: "quit",
  0x03: "quit",
};

/**
 * Rebindable player keys (asciinema's `playback.pause_key`, `step_key`, `next_marker_key`):
 * one byte each, or an empty array to disable the action. Absent = the default key.
 */
export interface PlayerKeys {
  /** Pause / resume; default space. */
  pause?: Uint8Array;
  /** Step while paused; default `.`. */
  step?: Uint8Array;
  /** Play to the next marker; default `]`. */
  nextMarker?: Uint8Array;
}

const ESC = 0x1b;

function _actionTable(keys: PlayerKeys): Partial<Record<number, PlayerAction>> {
  const table = { ...ACTIONS };
  const rebind = (action: PlayerAction, key: Uint8Array | undefined) => {
    if (key === undefined) return;
    if (key.length > 1) throw new RangeError(`a player key must be a single byte`);
    for (const byte of Object.keys(table)) {
      if (table[Number(byte)] === action) delete table[Number(byte)];
    }
    if (key.length === 1) table[key[0]!] = action;
  };
  rebind("pause", keys.pause);
  rebind("step", keys.step);
  rebind("next-marker", keys.nextMarker);
  return table;
}

const enum State {
  Ground,
  Escape,
  Csi,
  Ss3,
  Skip,
  Paste,
}

/**
 * A streaming decoder of player keys: feed it each read from the terminal.
 *
 * @example
 * ```ts
 * import { KeyDecoder } from "./key_decoder.ts";
 * const keys = new KeyDecoder();
 * keys.decode(new TextEncoder().encode(" \x1b[A.q")); // ["pause", "step", "quit"]
 * ```
 */
export class KeyDecoder {
  #actions: Partial<Record<number, PlayerAction>>;
  #state = State.Ground;
  #params = "";
  #skip = 0;
  #pasteMatch = 0;

  /** Makes a decoder; `keys` rebinds pause, step and next-marker (each one byte). */
  constructor(keys: PlayerKeys = {}) {
    this.#actions = _actionTable(keys);
  }

  /** Returns the actions of the keys in `bytes`, in order; other keys are ignored. */
  decode(bytes: Uint8Array): PlayerAction[] {
    const actions: PlayerAction[] = [];
    for (const byte of bytes) {
      switch (this.#state) {
        case State.Ground: {
          if (byte === ESC) {
            this.#state = State.Escape;
            break;
          }
          const action = this.#actions[byte];
          if (action) actions.push(action);
          break;
        }
        case State.Escape:
          if (byte === 0x5b) {
            this.#state = State.Csi;
            this.#params = "";
          } else if (byte === 0x4f) {
            this.#state = State.Ss3;
          } else if (byte === ESC) {
            // ESC ESC: the first was a lone Escape key; start over with the second.
          } else {
            // alt+key: ESC followed by the key, which is not ours.
            this.#state = State.Ground;
          }
          break;
        case State.Csi:
          if (byte >= 0x40 && byte <= 0x7e) {
            this.#endCsi(byte);
          } else if (this.#params.length < 32) {
            this.#params += String.fromCharCode(byte);
          }
          break;
        case State.Ss3:
          this.#state = State.Ground;
          break;
        case State.Skip:
          if (--this.#skip === 0) this.#state = State.Ground;
          break;
        case State.Paste:
          this.#scanPaste(byte);
          break;
      }
    }
    // A lone Escape key at the end of a read is not the start of a sequence.
    if (this.#state === State.Escape) this.#state = State.Ground;
    return actions;
  }

  #endCsi(final: number): void {
    if (final === 0x4d && this.#params === "") {
      // X10 mouse report: ESC [ M and three raw bytes (a press of button 1 is a space).
      this.#state = State.Skip;
      this.#skip = 3;
    } else if (final === 0x7e && this.#params === "200") {
      this.#state = State.Paste;
      this.#pasteMatch = 0;
    } else {
      this.#state = State.Ground;
    }
  }

  #scanPaste(byte: number): void {
    // Pasted text is not keys: wait for the end marker ESC [ 2 0 1 ~.
    const expected = PASTE_END[this.#pasteMatch];
    if (byte === expected) {
      this.#pasteMatch++;
      if (this.#pasteMatch === PASTE_END.length) this.#state = State.Ground;
    } else {
      this.#pasteMatch = byte === ESC ? 1 : 0;
    }
  }
}

const PASTE_END = [ESC, 0x5b, 0x32, 0x30, 0x31, 0x7e];
