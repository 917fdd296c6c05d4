/**
 * A progress bar on stderr for long work (rendering a GIF), drawn only when stderr is a
 * terminal, at most ten times a second, and erased when done.
 *
 * @module
 */
import { formatClock } from "../asciicast/time_spec.ts";

const encoder = new TextEncoder();
const WIDTH = 30;

/** A progress bar over a known total (or a counter when the total is unknown). */
export class ProgressBar {
  #total: number | undefined;
  #label: string;
  #last = 0;
  #drawn = false;
  #write: (text: string) => void;

  /**
   * `total` in the same unit as {@linkcode ProgressBar.update}'s `done` (microseconds of the
   * recording here); undefined shows a counter instead of a bar.
   */
  constructor(label: string, total: number | undefined, write?: (text: string) => void) {
    this.#label = label;
    this.#total = total;
    this.#write = write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
  }

  /** Redraws (at most every 100 ms) with `done` microseconds rendered. */
  update(done: number, detail = ""): void {
    const now = performance.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    let line: string;
    if (this.#total !== undefined && this.#total > 0) {
      const f = Math.min(1, done / this.#total);
      const full = Math.round(f * WIDTH);
      line = `${this.#label} [${"#".repeat(full)}${"-".repeat(WIDTH - full)}] ${
        Math.floor(f * 100)
      }%`;
    } else {
      line = `${this.#label} ${formatClock(done)}`;
    }
    this.#write(`\r\x1b[2K${line}${detail ? ` ${detail}` : ""}`);
    this.#drawn = true;
  }

  /** Erases the bar. */
  done(): void {
    if (this.#drawn) this.#write("\r\x1b[2K");
    this.#drawn = false;
  }
}
