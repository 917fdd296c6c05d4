/**
 * asciicast v2: a header line (`width`, `height`, …) then `[time, code, data]` lines with
 * **absolute** times in seconds. Encoding is byte-compatible with asciinema CLI 3.x
 * (asciicast.md §3): compact header, `[1.5, "o", "…"]` event lines.
 *
 * @module
 */
import { checkWritableTime, type Event, type Header } from "./event.ts";
import {
  _envJson,
  _idleCommandTitleMembers,
  _readEnv,
  _readSize,
  _readTheme,
  _readTiming,
  _readTrailing,
  _readVersioned,
  _themeJson,
  _trailingMembers,
} from "./_fields.ts";

const V2_KEYS: ReadonlySet<string> = new Set([
  "version",
  "width",
  "height",
  "timestamp",
  "duration",
  "idle_time_limit",
  "command",
  "title",
  "env",
  "theme",
  "tags",
]);

/**
 * Reads a v2 header object (already parsed from JSON). `env.TERM` becomes `termType` (and
 * stays in `env`); unknown keys go to `extra`; `duration` is dropped (it is stale after any
 * edit, and players compute it). A zero size becomes 80x24 with a warning.
 *
 * @example
 * ```ts
 * import { parseV2Header } from "./v2.ts";
 * const header = parseV2Header({ version: 2, width: 80, height: 24, env: { TERM: "xterm" } });
 * // header.cols === 80, header.termType === "xterm"
 * ```
 */
export function parseV2Header(value: unknown, warn: (message: string) => void = () => {}): Header {
  const fields = _readVersioned(value, 2, "the header");
  const { cols, rows } = _readSize(fields.width, fields.height, ["width", "height"], warn);
  const header: Header = { version: 2, cols, rows };
  const env = _readEnv(fields.env);
  if (env?.TERM !== undefined) header.termType = env.TERM;
  const theme = _readTheme(fields.theme, warn);
  if (theme) header.theme = theme;
  _readTiming(header, fields);
  _readTrailing(header, fields, env, V2_KEYS);
  return header;
}

/**
 * Encodes a header as a v2 header line (without the newline), in the CLI's key order
 * `version, width, height, timestamp, idle_time_limit, command, title, env, theme`, then
 * `tags` and extra keys. `termType` goes into `env.TERM` when `env` lacks it (the CLI drops
 * it); `termVersion` has no place in v2 and is dropped.
 *
 * @example
 * ```ts
 * import { encodeV2Header } from "./v2.ts";
 * encodeV2Header({ version: 3, cols: 80, rows: 24, termType: "xterm" });
 * // '{"version":2,"width":80,"height":24,"env":{"TERM":"xterm"}}'
 * ```
 */
export function encodeV2Header(header: Header): string {
  let out = `{"version":2,"width":${header.cols},"height":${header.rows}`;
  if (header.timestamp !== undefined) out += `,"timestamp":${JSON.stringify(header.timestamp)}`;
  out += _idleCommandTitleMembers(header);
  let env = header.env;
  if (header.termType !== undefined && env?.TERM === undefined) {
    env = { ...env, TERM: header.termType };
  }
  const envJson = _envJson(env);
  if (envJson !== undefined) out += `,"env":${envJson}`;
  if (header.theme) out += `,"theme":${_themeJson(header.theme)}`;
  return out + _trailingMembers(header, V2_KEYS) + "}";
}

/**
 * Formats an absolute time in microseconds as v2 seconds: trailing zeros removed but at
 * least one decimal, as the CLI writes them.
 *
 * @example
 * ```ts
 * import { formatV2Time } from "./v2.ts";
 * formatV2Time(0); // "0.0"
 * formatV2Time(12_300_000); // "12.3"
 * formatV2Time(1_000_001); // "1.000001"
 * ```
 */
export function formatV2Time(micros: number): string {
  checkWritableTime(micros);
  const seconds = Math.floor(micros / 1e6);
  const frac = micros - seconds * 1e6;
  if (frac === 0) return `${seconds}.0`;
  let digits = String(frac).padStart(6, "0");
  let end = 6;
  while (digits.charCodeAt(end - 1) === 48) end--;
  if (end < 6) digits = digits.slice(0, end);
  return `${seconds}.${digits}`;
}

/**
 * Encodes an event as a v2 line, newline included. `event.time` is absolute microseconds.
 *
 * @example
 * ```ts
 * import { encodeV2Event } from "./v2.ts";
 * encodeV2Event({ time: 1_500_000, code: "o", data: "hi\r\n" });
 * // '[1.5, "o", "hi\\r\\n"]\n'
 * ```
 */
export function encodeV2Event(event: Event): string {
  const code = event.code;
  const codeJson = code === "o" ? '"o"' : JSON.stringify(code);
  return `[${formatV2Time(event.time)}, ${codeJson}, ${JSON.stringify(event.data)}]\n`;
}
