/**
 * Reading and writing the header fields v1, v2 and v3 share (env, theme, tags, numbers),
 * leniently where the asciinema CLI is strict and a better choice exists (asciicast.md §5).
 *
 * @module
 */
import { type Header, sizeProblem, type Theme } from "./event.ts";

/** Called with a warning about input that was accepted anyway. */
export type WarnFn = (message: string) => void;

const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

/** Whether `value` is a plain JSON object. */
export function _isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Returns `value` as an object once checked to be one with the given `version`.
 *
 * @throws {SyntaxError} naming `what` (e.g. "the header") if it is not an object, or the
 * version found if it is another.
 */
export function _readVersioned(
  value: unknown,
  version: number,
  what: string,
): Record<string, unknown> {
  if (!_isObject(value)) throw new SyntaxError(`${what} must be a JSON object`);
  if (value.version !== version) {
    throw new SyntaxError(`expected version ${version}, got ${JSON.stringify(value.version)}`);
  }
  return value;
}

/**
 * Reads the terminal size of a header. A zero size (asciinema 2.2 under `script`) is treated
 * as unknown: 80x24 with a warning.
 */
export function _readSize(
  cols: unknown,
  rows: unknown,
  names: [string, string],
  warn: WarnFn,
): { cols: number; rows: number } {
  for (const [value, name] of [[cols, names[0]], [rows, names[1]]] as const) {
    if (value === undefined || value === null) throw new SyntaxError(`header lacks "${name}"`);
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new SyntaxError(
        `header "${name}" must be an integer from 0 to 65535, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (cols === 0 || rows === 0) {
    warn(`the header gives the terminal size ${cols}x${rows}; assuming 80x24`);
    return { cols: 80, rows: 24 };
  }
  const problem = sizeProblem(cols as number, rows as number);
  if (problem) throw new SyntaxError(problem);
  return { cols: cols as number, rows: rows as number };
}

/** Reads `env`: string values are kept, `null` and other values are dropped. */
export function _readEnv(value: unknown): Record<string, string> | undefined {
  if (!_isObject(value)) return undefined;
  const env: Record<string, string> = {};
  let any = false;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string") {
      env[key] = v;
      any = true;
    }
  }
  return any ? env : undefined;
}

/** Reads `tags`: an array of strings (other entries are dropped). */
export function _readTags(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((tag): tag is string => typeof tag === "string");
}

/** Reads a theme; an invalid one is dropped with a warning rather than failing the file. */
export function _readTheme(value: unknown, warn: WarnFn): Theme | undefined {
  if (value === undefined || value === null) return undefined;
  const fail = (why: string) => {
    warn(`ignoring the header's theme: ${why}`);
    return undefined;
  };
  if (!_isObject(value)) return fail("not an object");
  const { fg, bg, palette } = value;
  if (typeof fg !== "string" || !COLOR_RE.test(fg)) return fail(`bad fg ${JSON.stringify(fg)}`);
  if (typeof bg !== "string" || !COLOR_RE.test(bg)) return fail(`bad bg ${JSON.stringify(bg)}`);
  if (typeof palette !== "string") return fail("palette is not a string");
  const colors = palette.split(":").filter((c) => COLOR_RE.test(c)).map((c) => c.toLowerCase());
  if (colors.length !== 8 && colors.length !== 16) {
    return fail(`palette has ${colors.length} valid colours, expected 8 or 16`);
  }
  return { fg: fg.toLowerCase(), bg: bg.toLowerCase(), palette: colors };
}

/** Writes a theme as the JSON object of the header. */
export function _themeJson(theme: Theme): string {
  return `{"fg":${JSON.stringify(theme.fg)},"bg":${JSON.stringify(theme.bg)},"palette":${
    JSON.stringify(theme.palette.join(":"))
  }}`;
}

/** Reads an optional number field; anything else is ignored. */
export function _readNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Reads an optional string field; anything else is ignored. */
export function _readString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Sets the header's `timestamp` and `idleTimeLimit` from v2/v3 header fields. */
export function _readTiming(header: Header, value: Record<string, unknown>): void {
  const timestamp = _readNumber(value.timestamp);
  if (timestamp !== undefined) header.timestamp = timestamp;
  const idle = _readNumber(value.idle_time_limit);
  if (idle !== undefined) header.idleTimeLimit = idle;
}

/**
 * Sets the header's `command`, `title`, `env` (already read), `tags`, and `extra` (the keys
 * of `value` not in `known`), in that order.
 */
export function _readTrailing(
  header: Header,
  value: Record<string, unknown>,
  env: Record<string, string> | undefined,
  known: ReadonlySet<string>,
): void {
  const command = _readString(value.command);
  if (command !== undefined) header.command = command;
  const title = _readString(value.title);
  if (title !== undefined) header.title = title;
  if (env) header.env = env;
  const tags = _readTags(value.tags);
  if (tags) header.tags = tags;
  const extra = _extraKeys(value, known);
  if (extra) header.extra = extra;
}

/** Formats a float the way serde_json does for the values a header holds: `2.0`, `1.5`. */
export function _formatFloat(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

/** Copies the keys of `source` not in `known` into an `extra` record (undefined when none). */
export function _extraKeys(
  source: Record<string, unknown>,
  known: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(source)) {
    if (!known.has(key)) (extra ??= {})[key] = value;
  }
  return extra;
}

/** JSON members (`,"key":value`) for the header's `idle_time_limit`, `command` and `title`. */
export function _idleCommandTitleMembers(header: Header): string {
  let out = "";
  if (header.idleTimeLimit !== undefined) {
    out += `,"idle_time_limit":${_formatFloat(header.idleTimeLimit)}`;
  }
  if (header.command !== undefined) out += `,"command":${JSON.stringify(header.command)}`;
  if (header.title !== undefined) out += `,"title":${JSON.stringify(header.title)}`;
  return out;
}

/** JSON members (`,"key":value`) for the header's tags and extra keys a format may carry. */
export function _trailingMembers(header: Header, reserved: ReadonlySet<string>): string {
  let out = "";
  if (header.tags !== undefined) out += `,"tags":${JSON.stringify(header.tags)}`;
  if (header.extra) {
    for (const [key, value] of Object.entries(header.extra)) {
      if (reserved.has(key) || key === "tags" || value === undefined) continue;
      out += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    }
  }
  return out;
}

/** JSON object text for an env map, or undefined when it is empty. */
export function _envJson(env: Record<string, string> | undefined): string | undefined {
  if (env === undefined) return undefined;
  const keys = Object.keys(env);
  return keys.length === 0 ? undefined : JSON.stringify(env);
}
