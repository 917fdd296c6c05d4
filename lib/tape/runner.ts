/**
 * Runs a parsed tape: starts its shell headless on our own PTY, feeds every byte of output
 * to the one terminal emulator (`lib/vt`), types and waits as the tape says at its own pace,
 * and hands out the recording's events on the tape's clock (see `timeline.ts`), the screen
 * after each recorded command (for golden text), and screenshots.
 *
 * Real time follows the script: each step's deadline is counted from the start on the
 * scripted clock, so small timer delays never add up; only Waits (and `fast` Sleeps)
 * move the schedule.
 *
 * @module
 */
import type { Event } from "../asciicast/event.ts";
import { Pty, type PtyExit } from "../pty/pty.ts";
import { lineText, type Screen, screenText } from "../vt/screen.ts";
import { Vt } from "../vt/vt.ts";
import { commandPlace, type ScreenshotCommand, type TapeCommand } from "./command.ts";
import { comboBytes, dependsOnCursorMode, isTypedArrow, keyBytes, typedBytes } from "./keys.ts";
import type { Tape } from "./parser.ts";
import { TerminalReplies } from "./replies.ts";
import { DEFAULT_THEME } from "./settings.ts";
import { shellEnvironment, shellLaunch } from "./shells.ts";
import { Timeline } from "./timeline.ts";

/** Options for {@linkcode runTape}. */
export interface TapeRunOptions {
  /** Receives every event of the recording, in order (tape time, µs). */
  onEvent: (event: Event) => void;
  /** The screen after each command that runs while recording (golden text). */
  onScreen?: (screen: Screen, command: TapeCommand) => void;
  /** A `Screenshot`: terminal output that draws the current screen in a fresh terminal. */
  onScreenshot?: (command: ScreenshotCommand, snapshot: string) => Promise<void>;
  /** Called as each command starts (progress). */
  onCommand?: (command: TapeCommand, index: number) => void;
  /** The shell's working directory. Default: this process's. */
  cwd?: string;
  /** The environment to start from. Default: this process's. */
  env?: Record<string, string>;
  /** End a Sleep early once output has been quiet for 100 ms (its full length is still recorded). */
  fast?: boolean;
  /** Stops the run (it then rejects with the signal's reason). */
  signal?: AbortSignal;
  /** How long the shell may take to show its first prompt, ms. Default 10000. */
  startTimeoutMs?: number;
}

/** What a finished run measured. */
export interface TapeRunResult {
  /** The recording's length on the tape's clock, µs. */
  duration: number;
}

/**
 * A tape that failed while running: the command, what happened, and the screen then.
 *
 * @example
 * ```ts
 * import { TapeRunError } from "./runner.ts";
 * const error = new TapeRunError("timed out", { screen: "> " });
 * error.screen; // "> "
 * ```
 */
export class TapeRunError extends Error {
  override name = "TapeRunError";
  /** The command that failed (undefined while the shell was starting). */
  readonly command?: TapeCommand;
  /** The screen's text when it failed (undefined when nothing had started). */
  readonly screen?: string;

  /** Makes the error; `message` says what happened. */
  constructor(message: string, options: { command?: TapeCommand; screen?: string } = {}) {
    super(message);
    if (options.command) this.command = options.command;
    if (options.screen !== undefined) this.screen = options.screen;
  }
}

const START_QUIET_MS = 150;
const PROMPT_QUIET_MS = 20;
const FAST_QUIET_MS = 100;
const READ_YIELD_MS = 2;
const LATE_TIMER_MS = 5;
const STALLED_READ_MS = 25;
const SHOW_QUIET_MS = 100;
const SHOW_SETTLE_MS = 2000;
const FRAME_QUIET_MS = 30;
const FRAME_SETTLE_MS = 500;
/** Falling this far behind the script drops the backlog instead of rushing to catch up. */
const MAX_LATE_MS = 100;
const encoder = new TextEncoder();

/**
 * Runs `tape` (already parsed without errors) to its end.
 *
 * @throws {TapeRunError} when a command fails (a Wait times out, the shell exits early…).
 *
 * @example
 * ```ts
 * import { parseTape } from "./parser.ts";
 * import { runTape } from "./runner.ts";
 * const { tape } = parseTape('Set Shell sh\nType "echo hi" Enter Sleep 200ms');
 * const events: unknown[] = [];
 * await runTape(tape, { onEvent: (e) => events.push(e) });
 * ```
 */
export async function runTape(tape: Tape, options: TapeRunOptions): Promise<TapeRunResult> {
  const run = new _Run(tape, options);
  try {
    return await run.run();
  } finally {
    await run.close();
  }
}

class _Run {
  #tape: Tape;
  #options: TapeRunOptions;
  #vt: Vt;
  #timeline: Timeline;
  #pty: Pty | undefined;
  #reader: Promise<void> | undefined;
  #exit: PtyExit | undefined;
  #ended = false;
  #lastOutput = -Infinity;
  #lastInput = -Infinity;
  #gotOutput = false;
  #wakers = new Set<() => void>();
  #anchor = 0;
  #script = 0;
  #typingSpeed: number;
  #clipboard = "";
  #command: TapeCommand | undefined;

  constructor(tape: Tape, options: TapeRunOptions) {
    this.#tape = tape;
    this.#options = options;
    this.#vt = new Vt(tape.size.cols, tape.size.rows, { sync: true });
    this.#timeline = new Timeline({ framerate: tape.settings.framerate, emit: options.onEvent });
    this.#typingSpeed = tape.settings.typingSpeed;
  }

  async run(): Promise<TapeRunResult> {
    let failed = true;
    try {
      await this.#run();
      failed = false;
    } finally {
      this.#timeline.finish(failed ? undefined : 0);
    }
    return { duration: this.#timeline.now };
  }

  async #run(): Promise<void> {
    const tape = this.#tape;
    const options = this.#options;
    const launch = shellLaunch(tape.settings.shell);
    const env = shellEnvironment(launch, {
      inherited: options.env ?? Deno.env.toObject(),
      env: tape.env,
    });
    if (tape.commands[tape.bodyStart]?.kind === "hide") this.#timeline.setHidden(true);
    try {
      this.#pty = Pty.spawn({
        argv: launch.argv,
        env,
        cwd: options.cwd,
        cols: tape.size.cols,
        rows: tape.size.rows,
      });
    } catch (error) {
      throw new TapeRunError(
        `cannot start ${launch.argv[0]}: ${(error as Error).message}`,
        this.#shellPlace(),
      );
    }
    this.#pty.wait().then((exit) => {
      this.#exit = exit;
      this.#wake();
    });
    this.#reader = this.#read(this.#pty);
    await this.#awaitPrompt();

    this.#anchor = performance.now();
    for (let i = tape.bodyStart; i < tape.commands.length; i++) {
      const command = tape.commands[i]!;
      this.#checkAbort();
      this.#command = command;
      options.onCommand?.(command, i);
      const recorded = await this.#step(command);
      if (recorded && !this.#timeline.hidden && options.onScreen) {
        // Golden screens are taken once the command's output has come in, so they do not
        // depend on whether a program's last line came just before or after the step ended.
        // The schedule stays: the next steps catch up (or it moves on past MAX_LATE_MS).
        await this.#settle(FRAME_QUIET_MS, FRAME_SETTLE_MS);
        options.onScreen(this.#vt.screen(), command);
      }
    }
  }

  async close(): Promise<void> {
    const pty = this.#pty;
    if (pty) {
      pty.close();
      if (this.#exit === undefined) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const exited = await Promise.race([
          pty.wait().then(() => true),
          new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 1000)),
        ]);
        clearTimeout(timer);
        if (!exited) {
          pty.kill("SIGKILL", { group: true });
          await pty.wait();
        }
      }
      await this.#reader;
    }
    this.#vt.dispose();
  }

  // ---- output ---------------------------------------------------------------------------

  async #read(pty: Pty): Promise<void> {
    const decoder = new TextDecoder();
    const replies = new TerminalReplies({
      cursor: () => this.#vt.screen().cursor,
      theme: this.#tape.settings.theme.colors ?? DEFAULT_THEME,
    });
    try {
      for await (const chunk of pty.readable) {
        const now = performance.now();
        this.#vt.feed(chunk);
        this.#timeline.output(chunk, now);
        const answer = replies.scan(decoder.decode(chunk, { stream: true }));
        if (answer !== "") pty.write(encoder.encode(answer)).catch(() => {});
        this.#lastOutput = now;
        this.#gotOutput = true;
        this.#wake();
      }
    } catch {
      // A read error ends the output like a hang-up: the next step reports the shell gone.
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const wake of wakers) wake();
  }

  /** Resolves on the next output (or end), or after `ms`, or when aborted. */
  #nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        this.#options.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#wakers.add(done);
      this.#options.signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Waits until real time `deadline` (ms), or until aborted. */
  #until(deadline: number): Promise<void> {
    const ms = deadline - performance.now();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#options.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#options.signal?.addEventListener("abort", done, { once: true });
    });
  }

  #checkAbort(): void {
    const signal = this.#options.signal;
    if (signal?.aborted) throw signal.reason ?? new Error("stopped");
  }

  #screenText(): string {
    return screenText(this.#vt.screen());
  }

  #shellPlace(): { command?: TapeCommand } {
    return this.#tape.shellCommand ? { command: this.#tape.shellCommand } : {};
  }

  #exitText(): string {
    const exit = this.#exit;
    if (!exit) return "the shell closed its terminal";
    return exit.signal !== undefined
      ? `the shell was killed by signal ${exit.signal}`
      : `the shell exited with status ${exit.code ?? exit.status}`;
  }

  /** Waits for the shell's first prompt, and for its start-up output to settle. */
  async #awaitPrompt(): Promise<void> {
    const limit = this.#options.startTimeoutMs ?? 10_000;
    const deadline = performance.now() + limit;
    for (;;) {
      this.#checkAbort();
      const now = performance.now();
      const quiet = now - this.#lastOutput;
      if (this.#gotOutput) {
        const prompt = this.#tape.settings.waitPattern.test(this.#currentLine());
        if ((prompt && quiet >= PROMPT_QUIET_MS) || quiet >= START_QUIET_MS) return;
      }
      if (this.#ended || this.#exit) {
        throw new TapeRunError(
          `${this.#exitText()} before showing its prompt`,
          { ...this.#shellPlace(), screen: this.#screenText() },
        );
      }
      if (now >= deadline) {
        throw new TapeRunError(
          `the shell (${this.#tape.settings.shell}) showed no prompt within ${limit / 1000} s`,
          { ...this.#shellPlace(), screen: this.#screenText() },
        );
      }
      await this.#nextChange(Math.min(deadline - now, START_QUIET_MS));
    }
  }

  #currentLine(): string {
    const screen = this.#vt.screen();
    const line = screen.lines[Math.min(screen.cursor.y, screen.rows - 1)];
    return line ? lineText(line).trimEnd() : "";
  }

  #wholeScreen(): string {
    return this.#vt.screen().lines.map((line) => lineText(line).trimEnd()).join("\n");
  }

  // ---- steps ----------------------------------------------------------------------------

  /** Runs one command; returns whether VHS would record a screen after it. */
  async #step(command: TapeCommand): Promise<boolean> {
    switch (command.kind) {
      case "type": {
        const speed = command.speed ?? this.#typingSpeed;
        for (const char of command.text) {
          const applicationCursor = isTypedArrow(char) && await this.#applicationCursor();
          await this.#timed(speed, typedBytes(char, { applicationCursor }));
        }
        return true;
      }
      case "key": {
        const speed = command.speed ?? this.#typingSpeed;
        const applicationCursor = dependsOnCursorMode(command.key) &&
          await this.#applicationCursor();
        const bytes = keyBytes(command.key, { applicationCursor });
        for (let i = 0; i < command.repeat; i++) await this.#timed(speed, bytes);
        return true;
      }
      case "combo": {
        const applicationCursor = dependsOnCursorMode(command.key) &&
          await this.#applicationCursor();
        await this.#timed(0, comboBytes(command.key, { ...command.modifiers, applicationCursor }));
        return true;
      }
      case "paste": {
        const applicationCursor = [...this.#clipboard].some(isTypedArrow) &&
          await this.#applicationCursor();
        let bytes = "";
        for (const char of this.#clipboard) bytes += typedBytes(char, { applicationCursor });
        await this.#timed(0, bytes);
        return true;
      }
      case "sleep":
        await this.#sleep(command.duration);
        return true;
      case "wait":
        await this.#wait(command);
        return true;
      case "hide":
        this.#instant(() => this.#timeline.setHidden(true));
        return false;
      case "show": {
        await this.#settle(SHOW_QUIET_MS, SHOW_SETTLE_MS);
        const snapshot = await this.#vt.snapshot();
        // A reset first: the viewer's terminal still holds what was shown before Hide.
        this.#instant(() => this.#timeline.setHidden(false, "\x1bc" + snapshot));
        return true;
      }
      case "screenshot": {
        const snapshot = await this.#vt.snapshot();
        await this.#options.onScreenshot?.(command, snapshot);
        return true;
      }
      case "copy":
        this.#clipboard = command.text;
        return true;
      case "set":
        if (command.name === "TypingSpeed") {
          this.#typingSpeed = command.value as number;
          return true;
        }
        return false;
      case "require":
        return false;
      case "output":
      case "env":
        return true;
    }
  }

  /**
   * Waits until nothing has been typed or printed for `quietMs` (at most `limitMs`), so the
   * screen read next is the result of what was typed (at `Show`: a `Ctrl+L` just before it
   * has cleared the screen). Returns how long it waited, ms.
   */
  async #settle(quietMs: number, limitMs: number): Promise<number> {
    const start = performance.now();
    const limit = start + limitMs;
    for (let waited = false;; waited = true) {
      this.#checkAbort();
      const now = performance.now();
      const quietUntil = Math.max(this.#lastOutput, this.#lastInput) + quietMs;
      if (now >= quietUntil || now >= limit || this.#ended) return waited ? now - start : 0;
      await this.#nextChange(Math.min(quietUntil, limit) - now);
    }
  }

  #instant(action: () => void): void {
    this.#timeline.begin(performance.now(), 0);
    action();
    this.#timeline.end();
  }

  /** Whether the program asked for application cursor keys (DECCKM), as the screen says. */
  async #applicationCursor(): Promise<boolean> {
    return (await this.#vt.snapshot()).includes("\x1b[?1h");
  }

  #checkShell(): void {
    if (this.#ended || this.#exit) {
      throw new TapeRunError(
        `${this.#exitText()}; nothing is left to type into`,
        { command: this.#command, screen: this.#screenText() },
      );
    }
  }

  /** The real time this step should start at, dropping a backlog larger than MAX_LATE_MS. */
  #stepStart(): number {
    const now = performance.now();
    if (now - (this.#anchor + this.#script) > MAX_LATE_MS) {
      this.#anchor = now - this.#script;
      this.#timeline.resync();
    }
    return now;
  }

  /** Sends `bytes` and lets the step last `length` µs on both clocks. */
  async #timed(length: number, bytes: string): Promise<void> {
    // A key that takes no time (Ctrl+…, Paste) still has the typing interval for its output.
    const grace = length > 0 ? length : this.#typingSpeed;
    this.#checkAbort();
    this.#checkShell();
    const start = this.#stepStart();
    this.#timeline.begin(start, length, { key: true, grace });
    if (bytes !== "") {
      try {
        await this.#pty!.write(encoder.encode(bytes));
        this.#lastInput = performance.now();
      } catch (error) {
        this.#checkShell();
        throw new TapeRunError(`cannot type into the shell: ${(error as Error).message}`, {
          command: this.#command,
          screen: this.#screenText(),
        });
      }
    }
    this.#script += length / 1000;
    const due = this.#anchor + this.#script;
    if (length > 0) await this.#until(due);
    // A moment for the reader, so output that came during this key is read in its step. When
    // the timer fired late, this process was waiting for the CPU, and so was its reader:
    // give it longer (the wait ends as soon as output comes).
    const late = performance.now() - due;
    if (late > LATE_TIMER_MS) await this.#nextChange(STALLED_READ_MS);
    else await new Promise((resolve) => setTimeout(resolve, READ_YIELD_MS));
    this.#timeline.end();
  }

  async #sleep(length: number): Promise<void> {
    this.#checkAbort();
    const start = this.#stepStart();
    this.#timeline.begin(start, length);
    this.#script += length / 1000;
    const deadline = this.#anchor + this.#script;
    if (!this.#options.fast) await this.#until(deadline);
    else {
      for (;;) {
        this.#checkAbort();
        const now = performance.now();
        if (now >= deadline) break;
        const quietSince = Math.max(this.#lastOutput, start);
        if (now - quietSince >= FAST_QUIET_MS) {
          // The rest of the Sleep is idle: skip it in real time, keep it in the recording.
          this.#anchor = now - this.#script;
          this.#timeline.resync();
          break;
        }
        await this.#nextChange(Math.min(deadline, quietSince + FAST_QUIET_MS) - now);
      }
    }
    this.#timeline.end();
  }

  async #wait(command: Extract<TapeCommand, { kind: "wait" }>): Promise<void> {
    const pattern = command.pattern ?? this.#tape.settings.waitPattern;
    const timeout = (command.timeout ?? this.#tape.settings.waitTimeout) / 1000;
    const start = this.#stepStart();
    this.#timeline.begin(start, undefined);
    const deadline = start + timeout;
    const read = () => command.scope === "Line" ? this.#currentLine() : this.#wholeScreen();
    for (;;) {
      this.#checkAbort();
      const value = read();
      if (pattern.test(value)) break;
      const now = performance.now();
      const where = command.scope === "Line" ? "the line the cursor is on" : "the screen";
      if (this.#ended || this.#exit) {
        this.#timeline.end();
        throw new TapeRunError(
          `${this.#exitText()} while waiting for ${pattern} to match ${where}; ` +
            `it was: ${JSON.stringify(value)}`,
          { command, screen: this.#screenText() },
        );
      }
      if (now >= deadline) {
        this.#timeline.end();
        throw new TapeRunError(
          `timed out after ${formatSeconds(timeout)} waiting for ${pattern} to match ${where}; ` +
            `it was: ${JSON.stringify(value)}`,
          { command, screen: this.#screenText() },
        );
      }
      await this.#nextChange(deadline - now);
    }
    const length = this.#timeline.end();
    this.#script += length / 1000;
    this.#anchor = performance.now() - this.#script;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * A failure as the user reads it: the command (`FILE:LINE: command`), what happened, then
 * the screen at that moment, indented.
 *
 * @example
 * ```ts
 * import { describeRunError, TapeRunError } from "./runner.ts";
 * describeRunError(new TapeRunError("timed out", { screen: "> make" }));
 * // "timed out\nthe screen was:\n  │> make"
 * ```
 */
export function describeRunError(error: TapeRunError): string {
  const command = error.command;
  let out = command
    ? `${commandPlace(command)}: ${command.source}: ${error.message}`
    : error.message;
  if (error.screen !== undefined) {
    const lines = error.screen === "" ? ["(empty)"] : error.screen.split("\n");
    out += "\nthe screen was:\n" + lines.map((line) => `  │${line}`).join("\n");
  }
  return out;
}
