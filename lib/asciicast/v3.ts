/**
 * asciicast v3: a header line with a `term` object, then `[interval, code, data]` lines with
 * intervals since the previous event, and `#` comment lines. Encoding is byte-compatible with
 * asciinema CLI 3.x (asciicast.md §2.5), with intervals rounded to whole milliseconds from
 * the absolute times, so rounding errors never accumulate (§2.4).
 *
 * @module
 */
import { checkWritableTime, type Event, type Header } from "./event.ts";
import {
  _envJson,
  _idleCommandTitleMembers,
  _isObject,
  _readEnv,
  _readSize,
  _readString,
  _readTheme,
  _readTiming,
  _readTrailing,
  _readVersioned,
  _themeJson,
  _trailingMembers,
} from "./_fields.ts";

const V3_KEYS: ReadonlySet<string> = new Set([
  "version",
  "term",
  "timestamp",
  "idle_time_limit",
  "command",
  "title",
  "env",
  "tags",
]);

/**
 * Reads a v3 header object (already parsed from JSON). Unknown keys go to `extra`; an
 * invalid theme is dropped with a warning; a zero size becomes 80x24 with a warning.
 *
 * @example
 * ```ts
 * import { parseV3Header } from "./v3.ts";
 * const header = parseV3Header({ version: 3, term: { cols: 80, rows: 24, type: "xterm" } });
 * // header.termType === "xterm"
 * ```
 */
export function parseV3Header(value: unknown, warn: (message: string) => void = () => {}): Header {
  const fields = _readVersioned(value, 3, "the header");
  const term = fields.term;
  if (!_isObject(term)) throw new SyntaxError(`header lacks the "term" object`);
  const { cols, rows } = _readSize(term.cols, term.rows, ["term.cols", "term.rows"], warn);
  const header: Header = { version: 3, cols, rows };
  const type = _readString(term.type);
  if (type !== undefined) header.termType = type;
  const version = _readString(term.version);
  if (version !== undefined) header.termVersion = version;
  const theme = _readTheme(term.theme, warn);
  if (theme) header.theme = theme;
  _readTiming(header, fields);
  _readTrailing(header, fields, _readEnv(fields.env), V3_KEYS);
  return header;
}

/**
 * Encodes a header as a v3 header line (without the newline), in the CLI's key order
 * `version, term{cols, rows, type, version, theme}, timestamp, idle_time_limit, command,
 * title, env`, then `tags` and extra keys.
 *
 * @example
 * ```ts
 * import { encodeV3Header } from "./v3.ts";
 * encodeV3Header({ version: 3, cols: 80, rows: 24, idleTimeLimit: 2 });
 * // '{"version":3,"term":{"cols":80,"rows":24},"idle_time_limit":2.0}'
 * ```
 */
export function encodeV3Header(header: Header): string {
  let out = `{"version":3,"term":{"cols":${header.cols},"rows":${header.rows}`;
  if (header.termType !== undefined) out += `,"type":${JSON.stringify(header.termType)}`;
  if (header.termVersion !== undefined) {
    out += `,"version":${JSON.stringify(header.termVersion)}`;
  }
  if (header.theme) out += `,"theme":${_themeJson(header.theme)}`;
  out += "}";
  if (header.timestamp !== undefined) out += `,"timestamp":${Math.trunc(header.timestamp)}`;
  out += _idleCommandTitleMembers(header);
  const envJson = _envJson(header.env);
  if (envJson !== undefined) out += `,"env":${envJson}`;
  return out + _trailingMembers(header, V3_KEYS) + "}";
}

/**
 * Formats whole milliseconds as a v3 interval: exactly three decimals.
 *
 * @example
 * ```ts
 * import { formatV3Interval } from "./v3.ts";
 * formatV3Interval(1457); // "1.457"
 * formatV3Interval(0); // "0.000"
 * ```
 */
export function formatV3Interval(millis: number): string {
  const seconds = Math.floor(millis / 1000);
  const ms = millis - seconds * 1000;
  return `${seconds}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
}

/**
 * Encodes events with absolute times as v3 lines. Each absolute time is rounded (half up) to
 * whole milliseconds and the interval is the difference of rounded times — the CLI's
 * carried-error quantizer in another form — so the written intervals always sum to the true
 * elapsed time within 0.5 ms. Times that go backwards are written as a zero interval.
 *
 * @example
 * ```ts
 * import { V3EventEncoder } from "./v3.ts";
 * const encoder = new V3EventEncoder();
 * encoder.encode({ time: 12_600, code: "o", data: "a" }); // '[0.013, "o", "a"]\n'
 * encoder.encode({ time: 13_100, code: "o", data: "b" }); // '[0.000, "o", "b"]\n'
 * ```
 */
export class V3EventEncoder {
  #lastMillis = 0;

  /** Encodes one event (absolute microseconds) as a line, newline included. */
  encode(event: Event): string {
    checkWritableTime(event.time);
    let millis = Math.floor((event.time + 500) / 1000);
    if (millis < this.#lastMillis) millis = this.#lastMillis;
    const interval = millis - this.#lastMillis;
    this.#lastMillis = millis;
    const code = event.code;
    const codeJson = code === "o" ? '"o"' : JSON.stringify(code);
    return `[${formatV3Interval(interval)}, ${codeJson}, ${JSON.stringify(event.data)}]\n`;
  }
}
