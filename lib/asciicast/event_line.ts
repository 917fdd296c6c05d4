/**
 * Checking one parsed `[time, code, data]` event line of asciicast v2 or v3: the hot path of every
 * reader, so it allocates nothing beyond the Event it returns.
 *
 * @module
 */
import { type Event, MAX_TIME } from "./event.ts";

/**
 * Converts seconds (a JSON number) to whole microseconds, rounding to the nearest: `x * 1e6`
 * is often a hair below the integer (`1.000001 * 1e6 = 1000000.9999999999`), so truncating
 * would lose a microsecond.
 */
export function secondsToMicros(seconds: number): number {
  return Math.round(seconds * 1e6);
}

/**
 * Makes an Event from a parsed event line. The returned `time` is the line's own number in
 * microseconds: the absolute time in v2, the interval in v3 (`timeName` says which, for
 * messages). Throws `SyntaxError` saying what was wrong (no file or line prefix).
 */
export function eventFromJson(value: unknown, timeName: "time" | "interval"): Event {
  if (!Array.isArray(value) || value.length !== 3) {
    throw new SyntaxError(
      `expected a 3-element array [${timeName}, code, data], got ${describeJson(value)}`,
    );
  }
  const time = value[0];
  const code = value[1];
  const data = value[2];
  if (typeof time !== "number") {
    throw new SyntaxError(`the ${timeName} must be a number, got ${describeJson(time)}`);
  }
  if (time < 0) throw new SyntaxError(`negative ${timeName} ${time}`);
  checkTime(time, timeName);
  if (typeof code !== "string" || code.length === 0) {
    throw new SyntaxError(`the event code must be a non-empty string, got ${describeJson(code)}`);
  }
  if (typeof data !== "string") {
    throw new SyntaxError(`the event data must be a string, got ${describeJson(data)}`);
  }
  return { time: secondsToMicros(time), code, data };
}

/**
 * Throws a `SyntaxError` unless `seconds` is a finite time within
 * {@linkcode MAX_TIME} (JSON reads `1e309` as Infinity, and times past 1e21 would be written
 * in exponent notation). `what` names the value in the message.
 */
export function checkTime(seconds: number, what = "time"): void {
  if (!(seconds * 1e6 <= MAX_TIME)) {
    throw new SyntaxError(
      `the ${what} ${seconds} s is out of range (at most ${MAX_TIME / 1e6} s)`,
    );
  }
}

/** A short description of a JSON value for error messages. */
export function describeJson(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
