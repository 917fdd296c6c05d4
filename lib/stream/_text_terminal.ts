/**
 * A stand-in terminal for this folder's tests: its "screen" is the text fed so far; like
 * the real one, a snapshot reflects exactly what was fed before the call and resolves later.
 *
 * @module
 */
import type { LiveTerminal } from "./live_state.ts";

/** See the module. */
export class TextTerminal implements LiveTerminal {
  /** Everything fed so far. */
  text = "";
  /** Whether `dispose` was called. */
  disposed = false;
  /** A terminal of `cols` × `rows`. */
  constructor(public cols: number, public rows: number) {}
  /** Appends `data` to the text. */
  feed(data: string | Uint8Array): void {
    this.text += typeof data === "string" ? data : new TextDecoder().decode(data);
  }
  /** Takes the new size. */
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
  }
  /** The text as of the call, 5 ms later. */
  snapshot(): Promise<string> {
    const text = this.text;
    return new Promise((resolve) => setTimeout(() => resolve(text), 5));
  }
  /** Marks it disposed. */
  dispose(): void {
    this.disposed = true;
  }
}
