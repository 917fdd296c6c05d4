/**
 * How a streamer sees how many watch, without it entering the recording or disturbing the
 * session: in a terminal, the window title (OSC 2, which the terminal shows in its title
 * bar or tab and tmux in its pane title), written between the session's output, never into
 * the PTY, and put back (the title stack, CSI 22/23 t) at the end; without a terminal
 * (headless), a status line on stderr each time the count changes, which is then not the
 * session's screen. A status line in a terminal would be drawn over the session's screen
 * (a full-screen program's included), which is why the title is used there.
 *
 * @module
 */
import type { LiveEvent, LiveInit, LiveSubscriber } from "../stream/live_state.ts";
import { info } from "./_output.ts";

/** How long the session's output must have been quiet before the title is written (ms). */
const QUIET_MS = 40;
const encoder = new TextEncoder();

type _Scan = "ground" | "esc" | "csi" | "string" | "string-esc";

/** Where a terminal parser stands after `data`: in the middle of an escape sequence or not. */
function _scan(state: _Scan, data: string): _Scan {
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    switch (state) {
      case "ground":
        if (c === 0x1b) state = "esc";
        else if (c === 0x9b) state = "csi";
        break;
      case "esc":
        state = c === 0x5b
          ? "csi"
          : c === 0x5d || c === 0x50 || c === 0x5f || c === 0x5e || c === 0x58
          ? "string"
          : c >= 0x20 && c <= 0x2f
          ? "esc" // intermediate bytes
          : "ground";
        break;
      case "csi":
        if (c >= 0x40 && c <= 0x7e) state = "ground";
        else if (c === 0x1b) state = "esc";
        break;
      case "string":
        if (c === 0x07) state = "ground";
        else if (c === 0x1b) state = "string-esc";
        break;
      case "string-esc":
        state = c === 0x5c ? "ground" : "string";
        break;
    }
  }
  return state;
}

/** Options for {@linkcode ViewerCountDisplay}. */
export interface ViewerCountOptions {
  /** The session shows in this terminal (stdout): use its title. Else status lines. */
  terminal: boolean;
  /** Writes to the terminal. Default: stdout. */
  write?: (bytes: Uint8Array) => void;
}

/**
 * Shows the viewer count: subscribe it to the session's live state (so it knows when the
 * output is between escape sequences and quiet), and call {@linkcode ViewerCountDisplay.count}
 * on every change.
 *
 * @example
 * ```ts
 * import { ViewerCountDisplay } from "./_viewer_count.ts";
 * const display = new ViewerCountDisplay({ terminal: false });
 * display.count(2); // ::: 2 viewers watching
 * display.close();
 * ```
 */
export class ViewerCountDisplay implements LiveSubscriber {
  readonly #terminal: boolean;
  readonly #write: (bytes: Uint8Array) => void;
  #scan: _Scan = "ground";
  #lastOutput = 0;
  #pending: number | undefined;
  #shown: number | undefined;
  #pushed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** A display for a terminal or for status lines. */
  constructor(options: ViewerCountOptions) {
    this.#terminal = options.terminal;
    this.#write = options.write ?? ((bytes) => {
      for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
    });
  }

  init(_init: LiveInit): void {}

  event(event: LiveEvent): void {
    if (event.code !== "o" || !this.#terminal) return; // status lines need neither
    this.#lastOutput = performance.now();
    const data = event.data;
    // Plain text leaves the parser where it was: only text with an escape is scanned.
    if (this.#scan === "ground" && !data.includes("\x1b") && !data.includes("\x9b")) return;
    this.#scan = _scan(this.#scan, data);
  }

  end(): void {}

  /** The number of viewers changed. */
  count(n: number): void {
    if (this.#closed) return;
    this.#pending = n;
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#show();
    }, delay);
  }

  #show(): void {
    const n = this.#pending;
    if (n === undefined || this.#closed) return;
    if (!this.#terminal) {
      this.#pending = undefined;
      if (n !== this.#shown) info(`${n === 0 ? "no" : n} viewer${n === 1 ? "" : "s"} watching`);
      this.#shown = n;
      // At most one line a second, with the latest count.
      this.#schedule(1000);
      return;
    }
    const quietFor = performance.now() - this.#lastOutput;
    if (quietFor < QUIET_MS || this.#scan !== "ground") {
      this.#schedule(QUIET_MS);
      return;
    }
    this.#pending = undefined;
    if (n === this.#shown) return;
    this.#shown = n;
    let out = "";
    if (!this.#pushed) {
      this.#pushed = true;
      out += "\x1b[22;2t"; // save the window title, to put it back at the end
    }
    out += `\x1b]2;asciirec: ${n === 0 ? "no one" : n} watching\x07`;
    this.#safeWrite(out);
  }

  #safeWrite(text: string): void {
    try {
      this.#write(encoder.encode(text));
    } catch {
      // The terminal went away: nothing to show it on.
    }
  }

  /** Stops; in a terminal, puts the window title back as it was. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#pushed) this.#safeWrite("\x1b[23;2t");
  }
}
