/**
 * Redaction as a transform of a session's events, applied once where the session emits
 * them, before any output: output and typed input are redacted (see `text_redactor.ts`),
 * text that may still be part of a secret is held back — and every event after it, so order
 * is kept — for at most the hold time, and the events then go on with their own times.
 *
 * @module
 */
import { Timer } from "../base/timer.ts";
import type { Event } from "../asciicast/event.ts";
import type { CompiledRules } from "./rules.ts";
import { type FoundSecret, TextRedactor } from "./text_redactor.ts";

/** Options for {@linkcode RedactTransform}. */
export interface RedactTransformOptions {
  /**
   * How long (ms) text that may be the start of a secret is held back before it is let
   * through as it is. Default 30. `Infinity` holds until the secret is decided or the
   * stream ends (for files).
   */
  holdMs?: number;
  /**
   * Lets an event out only whole, never the part of it that is already decided ahead of the
   * rest, so events keep their boundaries: a file without secrets comes out as it went in.
   * For files (with `holdMs: Infinity`), where nothing waits; a live session lets the
   * decided part through at once.
   */
  wholeEvents?: boolean;
  /**
   * When the last key was typed (ms on `now`'s clock). While the user types, a secret being
   * echoed is held until the typing pauses for `typingMs`, however slowly it is typed.
   */
  lastKeyAt?: () => number | undefined;
  /** See `lastKeyAt`. Default 1000 ms. */
  typingMs?: number;
  /** No hold lasts longer than this (ms). Default 10 000. */
  maxHoldMs?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
  /** Told about each secret found (rule and length, never the secret). */
  onFound?: (found: FoundSecret & { time: number; code: string }) => void;
}

type _Item =
  | { kind: "text"; stream: TextRedactor; time: number; code: string; end: number; at: number }
  | { kind: "event"; event: Event; at: number };

/**
 * Redacts a stream of events and hands them on, in order, to `deliver`.
 *
 * @example
 * ```ts
 * import { BUILTIN_RULES, compileRules } from "./rules.ts";
 * import { RedactTransform } from "./redact_transform.ts";
 * const out: string[] = [];
 * const t = new RedactTransform(compileRules(BUILTIN_RULES), (e) => out.push(e.data));
 * t.push({ time: 0, code: "o", data: "password=hunter2\r\n" });
 * t.flush();
 * // out.join("") === "password=*******\r\n"
 * ```
 */
export class RedactTransform {
  readonly #deliver: (event: Event) => void;
  readonly #output: TextRedactor;
  readonly #input: TextRedactor;
  readonly #holdMs: number;
  readonly #wholeEvents: boolean;
  readonly #typingMs: number;
  readonly #maxHoldMs: number;
  readonly #lastKeyAt: () => number | undefined;
  readonly #now: () => number;
  readonly #queue: _Item[] = [];
  readonly #timer = new Timer(() => this.#holdExpired());
  /** When the hold of the event at the head of the queue began. */
  #holdFrom = 0;
  #current: { time: number; code: string } = { time: 0, code: "o" };
  #paused = false;
  /** When the recording last resumed: a hold runs from then at the earliest. */
  #resumedAt = -Infinity;

  /** A transform running `rules`; events come out through `deliver`. */
  constructor(
    rules: CompiledRules,
    deliver: (event: Event) => void,
    options: RedactTransformOptions = {},
  ) {
    this.#deliver = deliver;
    const onFound = options.onFound;
    const found = onFound && ((f: FoundSecret) => onFound({ ...f, ...this.#current }));
    this.#output = new TextRedactor(rules, "terminal", found);
    this.#input = new TextRedactor(rules, "input", found);
    this.#holdMs = options.holdMs ?? 30;
    this.#wholeEvents = options.wholeEvents ?? false;
    this.#typingMs = options.typingMs ?? 1000;
    this.#maxHoldMs = options.maxHoldMs ?? 10_000;
    this.#lastKeyAt = options.lastKeyAt ?? (() => undefined);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Events held back now. */
  get held(): number {
    return this.#queue.length;
  }

  /** Takes one event (in time order); it comes out now or after a hold. */
  push(event: Event): void {
    const at = this.#now();
    this.#current = { time: event.time, code: event.code };
    if (event.code === "o" || event.code === "i") {
      const stream = event.code === "o" ? this.#output : this.#input;
      const nothingHeld = this.#queue.length === 0 && stream.released === stream.end;
      stream.append(event.data);
      if (nothingHeld && stream.releasable() === stream.end) {
        // The common case: nothing held, and nothing to hold.
        const data = stream.take(stream.end);
        if (data !== "") this.#deliver({ time: event.time, code: event.code, data });
        return;
      }
      this.#queue.push({
        kind: "text",
        stream,
        time: event.time,
        code: event.code,
        end: stream.end,
        at,
      });
    } else {
      this.#queue.push({ kind: "event", event, at });
    }
    this.#pump();
  }

  /** Ends the stream: completes what can complete and hands everything on. */
  flush(): void {
    this.#timer.cancel();
    this.#output.finish();
    this.#input.finish();
    this.#pump();
  }

  /**
   * The recording is paused (`true`) or resumed. While it is paused nothing is released: a
   * secret printed in part before a pause and in part after it is still one secret. After
   * it resumes, the hold starts again.
   */
  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (!paused) this.#resumedAt = this.#now();
    this.#arm();
  }

  /** Stops the hold timer (events still held stay unsent). */
  dispose(): void {
    this.#timer.cancel();
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.kind === "event") {
        this.#queue.shift();
        this.#deliver(head.event);
        continue;
      }
      const limit = Math.min(head.stream.releasable(), head.end);
      if (this.#wholeEvents && limit < head.end) break;
      if (limit > head.stream.released) {
        const data = head.stream.take(limit);
        if (data !== "") this.#deliver({ time: head.time, code: head.code, data });
      }
      if (limit < head.end) break;
      this.#queue.shift();
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#queue.length === 0 || this.#holdMs === Infinity || this.#paused) {
      this.#timer.cancel();
      return;
    }
    const head = this.#queue[0]!;
    const from = Math.max(head.at, this.#resumedAt);
    this.#holdFrom = from;
    let deadline = from + this.#holdMs;
    const key = this.#lastKeyAt();
    if (key !== undefined) deadline = Math.max(deadline, key + this.#typingMs);
    deadline = Math.min(deadline, from + this.#maxHoldMs);
    this.#timer.arm(deadline - this.#now());
  }

  #holdExpired(): void {
    const key = this.#lastKeyAt();
    const now = this.#now();
    if (
      key !== undefined && now < key + this.#typingMs && now < this.#holdFrom + this.#maxHoldMs
    ) {
      this.#arm(); // still typing: keep holding
      return;
    }
    this.#output.settle();
    this.#input.settle();
    this.#pump();
  }
}
