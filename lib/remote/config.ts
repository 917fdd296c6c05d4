/**
 * Where the asciinema server is: the server URL resolved exactly as the asciinema CLI does
 * (flag, environment, config files, then a one-time interactive prompt), so that a machine
 * already set up for `asciinema` works with asciirec unchanged, and API URLs built under the
 * server's base path.
 *
 * @module
 */

import { configHome, type EnvLookup, SYSTEM_CONFIG_PATH } from "../config/locations.ts";
import { parseConfigToml } from "../config/toml.ts";

/** The server asciinema offers by default in its first-use prompt. */
export const DEFAULT_SERVER_URL = "https://asciinema.org";

const denoEnv: EnvLookup = (name) => Deno.env.get(name);

function _nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Reads `server.url` from TOML text: the `url` key of the `[server]` table (or the dotted
 * key `server.url` at the top level). Lines that are not TOML are skipped; `undefined` when
 * absent or not a string.
 *
 * @example
 * ```ts
 * import { serverUrlFromToml } from "./config.ts";
 * serverUrlFromToml('[server]\nurl = "https://example.com"\n'); // "https://example.com"
 * ```
 */
export function serverUrlFromToml(text: string): string | undefined {
  const value = parseConfigToml(text).get("server.url");
  return typeof value === "string" ? value : undefined;
}

/**
 * Checks a server URL the way asciinema does (an `http:` or `https:` URL with a host) and
 * returns it without a trailing slash.
 *
 * @throws {TypeError} for anything else, naming where the value came from.
 * @example
 * ```ts
 * import { validateServerUrl } from "./config.ts";
 * validateServerUrl("https://example.com/asciinema/", "--server-url");
 * // "https://example.com/asciinema"
 * ```
 */
export function validateServerUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TypeError(`invalid server URL ${JSON.stringify(value)} (from ${source})`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new TypeError(
      `invalid server URL ${JSON.stringify(value)} (from ${source}): ` +
        "expected an http:// or https:// URL with a host",
    );
  }
  url.search = "";
  url.hash = "";
  return url.href.replace(/\/+$/, "");
}

/**
 * Builds the URL of an API path under the server's base URL, keeping the base path (so a
 * server hosted under a sub-path works, unlike with the asciinema CLI).
 *
 * @example
 * ```ts
 * import { apiUrl } from "./config.ts";
 * apiUrl("https://example.com/cast", "/api/v1/streams").href;
 * // "https://example.com/cast/api/v1/streams"
 * ```
 */
export function apiUrl(serverUrl: string, path: string): URL {
  const base = serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`;
  return new URL(path.replace(/^\/+/, ""), base);
}

/** Options for {@linkcode resolveServerUrl}. */
export interface ResolveServerUrlOptions {
  /** The `--server-url` flag value, highest priority. */
  flag?: string;
  /** Environment lookup; default `Deno.env.get`. */
  env?: EnvLookup;
  /** The system-wide config file; default {@linkcode SYSTEM_CONFIG_PATH}. */
  systemConfigPath?: string;
  /**
   * Whether a person can answer a prompt; default: stdin and stdout are terminals. When no
   * URL is configured, an interactive run asks and saves the answer to
   * `{config_home}/defaults.toml`; a non-interactive run fails.
   */
  interactive?: boolean;
  /**
   * Asks the question with a pre-filled answer and returns the reply (`null` when the user
   * gave none); default Deno's `prompt`.
   */
  ask?: (question: string, prefilled: string) => string | null;
}

/** A resolved server URL and where it came from. */
export interface ServerUrl {
  /** The base URL without a trailing slash. */
  url: string;
  /** Where it was found: `--server-url`, an environment variable or a file path. */
  source: string;
}

async function _readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Resolves the asciinema server URL, highest priority first: `--server-url`,
 * `ASCIINEMA_SERVER_URL`, `ASCIINEMA_API_URL` (deprecated), `{config_home}/config.toml`,
 * `{config_home}/defaults.toml`, `/etc/asciinema/config.toml` (each `[server] url`). When
 * nothing is set: in a terminal, asks (pre-filled with asciinema.org) and saves the answer
 * to `defaults.toml`; otherwise throws an Error that says how to configure one.
 *
 * @example
 * ```ts
 * import { resolveServerUrl } from "./config.ts";
 * const { url } = await resolveServerUrl({ flag: "http://127.0.0.1:4040" });
 * ```
 */
export async function resolveServerUrl(options: ResolveServerUrlOptions = {}): Promise<ServerUrl> {
  const env = options.env ?? denoEnv;
  if (options.flag !== undefined) {
    return { url: validateServerUrl(options.flag, "--server-url"), source: "--server-url" };
  }
  for (const name of ["ASCIINEMA_SERVER_URL", "ASCIINEMA_API_URL"]) {
    const value = _nonEmpty(env(name));
    if (value) return { url: validateServerUrl(value, name), source: name };
  }
  const home = configHome(env);
  const files = [
    `${home}/config.toml`,
    `${home}/defaults.toml`,
    options.systemConfigPath ?? SYSTEM_CONFIG_PATH,
  ];
  for (const path of files) {
    const text = await _readTextIfExists(path);
    if (text === undefined) continue;
    const value = serverUrlFromToml(text);
    if (value !== undefined) return { url: validateServerUrl(value, path), source: path };
  }
  const interactive = options.interactive ??
    (Deno.stdin.isTerminal() && Deno.stdout.isTerminal());
  if (!interactive) {
    throw new Error(
      "no asciinema server configured: pass --server-url URL, set ASCIINEMA_SERVER_URL, " +
        `or put [server] url = "…" in ${home}/config.toml`,
    );
  }
  const ask = options.ask ?? ((question, prefilled) => prompt(question, prefilled));
  const answer = ask("asciinema server URL:", DEFAULT_SERVER_URL);
  const chosen = answer === null || answer.trim() === "" ? DEFAULT_SERVER_URL : answer.trim();
  const url = validateServerUrl(chosen, "the prompt");
  const defaultsPath = `${home}/defaults.toml`;
  await Deno.mkdir(home, { recursive: true });
  await Deno.writeTextFile(defaultsPath, `[server]\nurl = ${JSON.stringify(url)}\n`);
  return { url, source: defaultsPath };
}
