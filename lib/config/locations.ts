/**
 * Where asciinema keeps its files, found the way the asciinema CLI finds them, so that a
 * machine set up for `asciinema` works with asciirec unchanged: the config directory, the
 * state directory, and the system-wide config file.
 *
 * @module
 */

/** Reads one environment variable; `undefined` when unset. */
export type EnvLookup = (name: string) => string | undefined;
/** The system-wide config file read at the lowest priority. */
export const SYSTEM_CONFIG_PATH = "/etc/asciinema/config.toml";

const denoEnv: EnvLookup = (name) => Deno.env.get(name);

function _nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The asciinema config directory: `$ASCIINEMA_CONFIG_HOME`, else
 * `$XDG_CONFIG_HOME/asciinema`, else `$HOME/.config/asciinema`.
 *
 * @throws {Error} when none of these variables is set.
 * @example
 * ```ts
 * import { configHome } from "./config.ts";
 * configHome((n) => ({ HOME: "/home/ann" } as Record<string, string>)[n]);
 * // "/home/ann/.config/asciinema"
 * ```
 */
export function configHome(env: EnvLookup = denoEnv): string {
  const own = _nonEmpty(env("ASCIINEMA_CONFIG_HOME"));
  if (own) return own;
  const xdg = _nonEmpty(env("XDG_CONFIG_HOME"));
  if (xdg) return `${xdg}/asciinema`;
  const home = _nonEmpty(env("HOME"));
  if (home) return `${home}/.config/asciinema`;
  throw new Error(
    "cannot find the config directory: set HOME, XDG_CONFIG_HOME or ASCIINEMA_CONFIG_HOME",
  );
}

/**
 * The asciinema state directory: `$ASCIINEMA_STATE_HOME`, else `$XDG_STATE_HOME/asciinema`,
 * else `$HOME/.local/state/asciinema`.
 *
 * @throws {Error} when none of these variables is set.
 * @example
 * ```ts
 * import { stateHome } from "./config.ts";
 * stateHome((n) => ({ XDG_STATE_HOME: "/s" } as Record<string, string>)[n]); // "/s/asciinema"
 * ```
 */
export function stateHome(env: EnvLookup = denoEnv): string {
  const own = _nonEmpty(env("ASCIINEMA_STATE_HOME"));
  if (own) return own;
  const xdg = _nonEmpty(env("XDG_STATE_HOME"));
  if (xdg) return `${xdg}/asciinema`;
  const home = _nonEmpty(env("HOME"));
  if (home) return `${home}/.local/state/asciinema`;
  throw new Error(
    "cannot find the state directory: set HOME, XDG_STATE_HOME or ASCIINEMA_STATE_HOME",
  );
}
