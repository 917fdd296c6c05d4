/**
 * The terminal asciirec runs in: raw mode (always restored), its size, resize signals, and the
 * one reader of its keyboard input. Uses `Deno.stdin`/`Deno.stdout` when both are the
 * terminal.
 *
 * Raw mode is Deno's (`Deno.stdin.setRaw`) with output post-processing (`OPOST`) switched off
 * as well, through libc's `tcsetattr` on Linux, as `cfmakeraw` does: bytes reach the terminal
 * as written (a `"\n"` is not turned into `"\r\n"`), and the kernel copies them in bulk
 * instead of byte by byte. Deno saves the terminal's settings when raw mode goes on and puts
 * them back, exactly (`OPOST` and `ONLCR` included), when it goes off, and also by itself when
 * the process exits with raw mode still on.
 *
 * @module
 */
import type { Size } from "../asciicast/event.ts";
import { outputProcessingOff } from "../pty/termios.ts";

/** The size used when the terminal does not report one. */
export const DEFAULT_SIZE: Readonly<Size> = Object.freeze({ cols: 80, rows: 24 });

/** Signals that end asciirec; the terminal is restored before it exits on one. */
const TERMINATING: readonly Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGINT"];
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Options for {@linkcode HostTerminal.open}. */
export interface HostTerminalOptions {
  /**
   * Restore the terminal and exit (status 128 + signal) on SIGTERM, SIGHUP or SIGINT from
   * outside. Default true; a caller that handles these signals itself (and restores in a
   * `finally`) turns it off.
   */
  exitOnSignal?: boolean;
}

/**
 * The host terminal, when stdin and stdout are one.
 *
 * @example
 * ```ts
 * import { HostTerminal } from "./host_terminal.ts";
 * using term = HostTerminal.open();
 * if (term) {
 *   term.setRaw(true);
 *   term.write(new TextEncoder().encode(`size ${term.size().cols}x${term.size().rows}\r\n`));
 * } // raw mode is switched off here, whatever happened
 * ```
 */
export class HostTerminal implements Disposable {
  #raw = false;
  #restored = false;
  #input: ReadableStream<Uint8Array> | undefined;
  #resizeListeners = new Set<(size: Size) => void>();
  #signalHandlers: [Deno.Signal, () => void][] = [];
  #onWinch = () => {
    const size = this.size();
    for (const listener of [...this.#resizeListeners]) listener(size);
  };
  #onUnload = () => this.restore();

  private constructor(options: HostTerminalOptions) {
    if (options.exitOnSignal ?? true) {
      for (const signal of TERMINATING) {
        const handler = () => {
          this.restore();
          Deno.exit(128 + SIGNAL_NUMBERS[signal]!);
        };
        Deno.addSignalListener(signal, handler);
        this.#signalHandlers.push([signal, handler]);
      }
    }
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /** Opens the terminal; `undefined` when stdin or stdout is not a terminal. */
  static open(options: HostTerminalOptions = {}): HostTerminal | undefined {
    if (!Deno.stdin.isTerminal() || !Deno.stdout.isTerminal()) return undefined;
    return new HostTerminal(options);
  }

  /** The terminal's size, or 80x24 when it reports none. */
  size(): Size {
    try {
      const { columns, rows } = Deno.consoleSize();
      if (columns > 0 && rows > 0) return { cols: columns, rows };
    } catch {
      // not a terminal after all: fall back
    }
    return { ...DEFAULT_SIZE };
  }

  /**
   * Switches raw mode (no echo, no line editing, no signals from keys, no output
   * post-processing) on or off. Off brings back the settings the terminal had before.
   */
  setRaw(raw: boolean): void {
    if (this.#restored && raw) throw new Deno.errors.BadResource("the terminal was restored");
    if (raw === this.#raw) return;
    Deno.stdin.setRaw(raw);
    this.#raw = raw;
    if (!raw) return;
    try {
      outputProcessingOff(0);
    } catch (error) {
      Deno.stdin.setRaw(false);
      this.#raw = false;
      throw error;
    }
  }

  /** Writes all of `bytes` to the terminal, synchronously. */
  write(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  }

  /**
   * The keyboard input. There is one reader of stdin per process: take keys only from here.
   * Reading starts on the first `read()`, never before.
   */
  get input(): ReadableStream<Uint8Array> {
    this.#input ??= new ReadableStream<Uint8Array>({
      async pull(controller) {
        const buf = new Uint8Array(4096);
        const n = await Deno.stdin.read(buf);
        if (n === null) controller.close();
        else controller.enqueue(buf.subarray(0, n));
      },
    }, { highWaterMark: 0 });
    return this.#input;
  }

  /** Calls `listener` with the new size on every SIGWINCH; returns the unsubscribe function. */
  onResize(listener: (size: Size) => void): () => void {
    if (this.#resizeListeners.size === 0 && !this.#restored) {
      Deno.addSignalListener("SIGWINCH", this.#onWinch);
    }
    this.#resizeListeners.add(listener);
    return () => {
      if (!this.#resizeListeners.delete(listener)) return;
      if (this.#resizeListeners.size === 0 && !this.#restored) {
        Deno.removeSignalListener("SIGWINCH", this.#onWinch);
      }
    };
  }

  /** Switches raw mode off and removes every signal listener. Idempotent. */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    try {
      if (this.#raw) Deno.stdin.setRaw(false);
    } catch {
      // the terminal may be gone (SIGHUP): nothing left to restore
    }
    this.#raw = false;
    if (this.#resizeListeners.size > 0) Deno.removeSignalListener("SIGWINCH", this.#onWinch);
    this.#resizeListeners.clear();
    for (const [signal, handler] of this.#signalHandlers) {
      Deno.removeSignalListener(signal, handler);
    }
    this.#signalHandlers = [];
    globalThis.removeEventListener("unload", this.#onUnload);
  }

  /** Same as {@linkcode restore}. */
  [Symbol.dispose](): void {
    this.restore();
  }
}
