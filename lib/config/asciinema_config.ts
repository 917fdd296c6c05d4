/**
 * asciinema 3.x's configuration files, read the same way so that a user switching to
 * asciirec keeps their settings: `/etc/asciinema/config.toml`, then
 * `{config_home}/defaults.toml`, then `{config_home}/config.toml` (each overriding the one
 * before). The values are defaults for the command-line flags, which always win. Only the
 * `[session]` and `[playback]` keys asciirec uses are read; unknown keys are ignored.
 *
 * @module
 */
import { configHome, type EnvLookup, SYSTEM_CONFIG_PATH } from "./locations.ts";
import { parseKey } from "./key_notation.ts";
import { parseConfigToml, type TomlValue } from "./toml.ts";

/** `[session]` settings for `rec`, `stream` and `session`. */
export interface SessionConfig {
  /** `session.command`: the command to record (default `$SHELL`). */
  command?: string;
  /** `session.capture_input`: record keyboard input. */
  captureInput?: boolean;
  /** `session.capture_env`: comma-separated variable names for the header. */
  captureEnv?: string;
  /** `session.idle_time_limit`: seconds, saved in the recording's header. */
  idleTimeLimit?: number;
  /** `session.prefix_key`: empty bytes when disabled (`""`). */
  prefixKey?: Uint8Array;
  /** `session.pause_key`: empty bytes when disabled (`""`). */
  pauseKey?: Uint8Array;
  /** `session.add_marker_key`: empty bytes when disabled (`""`). */
  addMarkerKey?: Uint8Array;
}

/** `[playback]` settings for `play`. */
export interface PlaybackConfig {
  /** `playback.speed`: a positive factor. */
  speed?: number;
  /** `playback.idle_time_limit`: seconds (0 or more), over the recording's own limit. */
  idleTimeLimit?: number;
  /** `playback.pause_key`: one byte, or empty to disable (default space). */
  pauseKey?: Uint8Array;
  /** `playback.step_key`: one byte, or empty to disable (default `.`). */
  stepKey?: Uint8Array;
  /** `playback.next_marker_key`: one byte, or empty to disable (default `]`). */
  nextMarkerKey?: Uint8Array;
}

/** `[redact]` settings (asciirec's own section) for `rec`, `stream`, `session`, `serve`. */
export interface RedactConfig {
  /** `redact.builtin`: the built-in detectors (default true). */
  builtin?: boolean;
  /** `redact.pattern`: one more pattern. */
  pattern?: string;
  /** `redact.env`: comma-separated variables whose values are secret. */
  env?: string;
  /** `redact.file`: a file of patterns, one per line. */
  file?: string;
  /** `redact.hold_ms`: how long a possible secret is held back (ms). */
  holdMs?: number;
}

/** The settings asciirec reads from asciinema's config files; absent means not set. */
export interface AsciinemaConfig {
  /** `[session]` keys. */
  session: SessionConfig;
  /** `[playback]` keys. */
  playback: PlaybackConfig;
  /** `[redact]` keys, when the files have any. */
  redact?: RedactConfig;
}

/** Options for {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Environment lookup for the config home; default `Deno.env.get`. */
  env?: EnvLookup;
  /** The system-wide file; default `/etc/asciinema/config.toml`. */
  systemConfigPath?: string;
}

/**
 * Parses one config file's text into settings.
 *
 * @throws {Error} `PATH: line N: …` for text that is not TOML, `PATH: KEY: …` for a value
 * of the wrong type or out of range.
 * @example
 * ```ts
 * import { parseConfig } from "./asciinema_config.ts";
 * const config = parseConfig("[playback]\nspeed = 2\n", "config.toml");
 * config.playback.speed; // 2
 * ```
 */
export function parseConfig(text: string, path: string): AsciinemaConfig {
  let values: Map<string, TomlValue>;
  try {
    values = parseConfigToml(text, { strict: true });
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const read = <T>(key: string, convert: (value: TomlValue) => T): T | undefined => {
    if (!values.has(key)) return undefined;
    try {
      return convert(values.get(key)!);
    } catch (error) {
      throw new Error(`${path}: ${key}: ${(error as Error).message}`);
    }
  };
  const session: SessionConfig = {};
  const playback: PlaybackConfig = {};
  const redact: RedactConfig = {};
  _set(redact, "builtin", read("redact.builtin", _boolean));
  _set(redact, "pattern", read("redact.pattern", _string));
  _set(redact, "env", read("redact.env", _string));
  _set(redact, "file", read("redact.file", _string));
  _set(redact, "holdMs", read("redact.hold_ms", _number(true)));
  _set(session, "command", read("session.command", _string));
  _set(session, "captureInput", read("session.capture_input", _boolean));
  _set(session, "captureEnv", read("session.capture_env", _string));
  _set(session, "idleTimeLimit", read("session.idle_time_limit", _number(false)));
  _set(session, "prefixKey", read("session.prefix_key", _key));
  _set(session, "pauseKey", read("session.pause_key", _key));
  _set(session, "addMarkerKey", read("session.add_marker_key", _key));
  _set(playback, "speed", read("playback.speed", _number(false)));
  _set(playback, "idleTimeLimit", read("playback.idle_time_limit", _number(true)));
  _set(playback, "pauseKey", read("playback.pause_key", _playKey));
  _set(playback, "stepKey", read("playback.step_key", _playKey));
  _set(playback, "nextMarkerKey", read("playback.next_marker_key", _playKey));
  return Object.keys(redact).length > 0 ? { session, playback, redact } : { session, playback };
}

/**
 * Reads and merges asciinema's config files, lowest priority first:
 * `/etc/asciinema/config.toml`, `{config_home}/defaults.toml`, `{config_home}/config.toml`.
 * Missing files are skipped, and so are the user's files when no config home can be
 * determined (no `HOME`, `XDG_CONFIG_HOME` or `ASCIINEMA_CONFIG_HOME`).
 *
 * @throws {Error} `PATH: …` for a malformed file, a bad value or an unreadable file.
 * @example
 * ```ts
 * import { loadConfig } from "./asciinema_config.ts";
 * const config = await loadConfig();
 * const speed = config.playback.speed ?? 1;
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<AsciinemaConfig> {
  const paths = [options.systemConfigPath ?? SYSTEM_CONFIG_PATH];
  let home: string | undefined;
  try {
    home = configHome(options.env);
  } catch {
    home = undefined;
  }
  if (home !== undefined) paths.push(`${home}/defaults.toml`, `${home}/config.toml`);
  const merged: AsciinemaConfig = { session: {}, playback: {} };
  for (const path of paths) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        continue;
      }
      throw new Error(`${path}: ${(error as Error).message}`);
    }
    const config = parseConfig(text, path);
    Object.assign(merged.session, config.session);
    Object.assign(merged.playback, config.playback);
    if (config.redact) merged.redact = { ...merged.redact, ...config.redact };
  }
  return merged;
}

/** Sets `target[key]` only for a defined value (the config types are exact-optional). */
function _set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined) {
  if (value !== undefined) target[key] = value;
}

function _describe(value: TomlValue): string {
  return value === null ? "an array, table or date" : JSON.stringify(value);
}

function _string(value: TomlValue): string {
  if (typeof value === "string") return value;
  throw new TypeError(`expected a string, got ${_describe(value)}`);
}

function _boolean(value: TomlValue): boolean {
  if (typeof value === "boolean") return value;
  throw new TypeError(`expected true or false, got ${_describe(value)}`);
}

function _number(zeroAllowed: boolean): (value: TomlValue) => number {
  return (value) => {
    if (
      typeof value === "number" && Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0)
    ) {
      return value;
    }
    const expected = zeroAllowed ? "a number of seconds, 0 or more" : "a positive number";
    throw new RangeError(`expected ${expected}, got ${_describe(value)}`);
  };
}

function _key(value: TomlValue): Uint8Array {
  if (typeof value !== "string") {
    throw new TypeError(`expected a key definition string, got ${_describe(value)}`);
  }
  return parseKey(value);
}

/** The player reads one byte per key: a playback key is a single byte (or none). */
function _playKey(value: TomlValue): Uint8Array {
  const key = _key(value);
  if (key.length > 1) {
    throw new RangeError(`a playback key must be a single byte, got ${_describe(value)}`);
  }
  return key;
}
