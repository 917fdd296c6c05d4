/**
 * asciicast v1: one JSON document with `width`, `height` and `stdout`, an array of
 * `[delay, text]` frames (delay since the previous frame). Read-only: nothing writes v1.
 *
 * @module
 */
import { type Event, type Header, MAX_TIME } from "./event.ts";
import { describeJson, secondsToMicros } from "./event_line.ts";
import { _readEnv, _readSize, _readTrailing, _readVersioned } from "./_fields.ts";

const V1_KEYS: ReadonlySet<string> = new Set([
  "version",
  "width",
  "height",
  "duration",
  "command",
  "title",
  "env",
  "stdout",
  "tags",
]);

/** A whole v1 recording: its header and its output events with absolute times. */
export interface V1Recording {
  /** The header (`version: 1`). */
  header: Header;
  /** `o` events, times summed from the frame delays (microseconds). */
  events: Event[];
}

/**
 * Decodes a v1 document (already parsed from JSON). Delays are summed into absolute times;
 * `duration` is ignored; `env.TERM` becomes `termType`.
 *
 * @example
 * ```ts
 * import { decodeV1 } from "./v1.ts";
 * const { events } = decodeV1({
 *   version: 1, width: 80, height: 24, stdout: [[0.5, "a"], [0.25, "b\r\n"]],
 * });
 * // events[1] is { time: 750000, code: "o", data: "b\r\n" }
 * ```
 */
export function decodeV1(value: unknown, warn: (message: string) => void = () => {}): V1Recording {
  const doc = _readVersioned(value, 1, "the document");
  const { cols, rows } = _readSize(doc.width, doc.height, ["width", "height"], warn);
  const header: Header = { version: 1, cols, rows };
  const env = _readEnv(doc.env);
  if (env?.TERM !== undefined) header.termType = env.TERM;
  _readTrailing(header, doc, env, V1_KEYS);

  const stdout = doc.stdout;
  if (!Array.isArray(stdout)) throw new SyntaxError(`"stdout" must be an array of frames`);
  const events: Event[] = [];
  let time = 0;
  for (let i = 0; i < stdout.length; i++) {
    const frame: unknown = stdout[i];
    if (
      !Array.isArray(frame) || frame.length !== 2 || typeof frame[0] !== "number" ||
      typeof frame[1] !== "string"
    ) {
      throw new SyntaxError(
        `stdout frame ${i + 1} must be a [delay, text] pair, got ${describeJson(frame)}`,
      );
    }
    if (frame[0] < 0) throw new SyntaxError(`stdout frame ${i + 1} has a negative delay`);
    time += secondsToMicros(frame[0]);
    if (!(time <= MAX_TIME)) {
      throw new SyntaxError(
        `stdout frame ${i + 1}: the time ${time / 1e6} s is out of range (at most ${
          MAX_TIME / 1e6
        } s)`,
      );
    }
    events.push({ time, code: "o", data: frame[1] });
  }
  return { header, events };
}
