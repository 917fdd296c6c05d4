/**
 * How tapes start their shell: as VHS does, without rc files, with history off, and with a
 * `> ` prompt (in VHS's indigo), which is what the default Wait pattern `/>$/` looks for.
 *
 * | shell | started as | prompt from |
 * | --- | --- | --- |
 * | bash | `bash --noprofile --norc --login +o history` | `PS1` |
 * | sh | `sh` (no `ENV` file) | `PS1` |
 * | zsh | `zsh --histnostore --no-rcs` | `PROMPT` |
 * | fish | `fish --login --no-config --private` with a `fish_prompt` function | `-C` |
 *
 * @module
 */

/** What to start, and the environment it needs on top of the inherited one. */
export interface ShellLaunch {
  /** The program and its arguments. */
  argv: string[];
  /** Variables to set (the tape's own `Env` values win over these). */
  env: Record<string, string>;
}

/**
 * Inherited variables that would change what the shell prints or how programs size
 * themselves, so they are not passed on: the tape's output must not depend on the
 * environment asciirec was started from.
 */
export const UNSET_VARIABLES: readonly string[] = [
  "PROMPT_COMMAND",
  "PS0",
  "PS1",
  "PS2",
  "PROMPT",
  "RPROMPT",
  "RPS1",
  "ENV",
  "BASH_ENV",
  "LINES",
  "COLUMNS",
  "HISTFILE",
];

const INDIGO = "\x1b[38;2;90;86;224m";
const RESET = "\x1b[0m";

/**
 * How to start `shell` (one of `RUNNABLE_SHELLS` in `settings.ts`).
 *
 * @throws {RangeError} for a shell asciirec cannot start.
 *
 * @example
 * ```ts
 * import { shellLaunch } from "./shells.ts";
 * shellLaunch("bash").argv; // ["bash", "--noprofile", "--norc", "--login", "+o", "history"]
 * ```
 */
export function shellLaunch(shell: string): ShellLaunch {
  switch (shell) {
    case "bash":
      return {
        argv: ["bash", "--noprofile", "--norc", "--login", "+o", "history"],
        env: { PS1: `\\[${INDIGO}\\]> \\[${RESET}\\]`, BASH_SILENCE_DEPRECATION_WARNING: "1" },
      };
    case "sh":
      return { argv: ["sh"], env: { PS1: `${INDIGO}> ${RESET}` } };
    case "zsh":
      return {
        argv: ["zsh", "--histnostore", "--no-rcs"],
        env: { PROMPT: "%F{#5B56E0}> %F{reset_color}" },
      };
    case "fish":
      return {
        argv: [
          "fish",
          "--login",
          "--no-config",
          "--private",
          "-C",
          "function fish_greeting; end",
          "-C",
          'function fish_prompt; set_color 5B56E0; echo -n "> "; set_color normal; end',
        ],
        env: {},
      };
  }
  throw new RangeError(
    `asciirec cannot start the shell ${JSON.stringify(shell)}; it runs bash, sh, zsh and fish`,
  );
}

/** Options for {@linkcode shellEnvironment}. */
export interface ShellEnvironmentOptions {
  /** The environment to start from. Default: this process's. */
  inherited?: Record<string, string>;
  /** The tape's `Env` variables. */
  env?: Record<string, string>;
}

/**
 * The environment a tape's shell gets: the inherited one without
 * {@linkcode UNSET_VARIABLES}, then `TERM=xterm-256color` (what VHS's terminal is), the
 * shell's prompt, then the tape's `Env`.
 *
 * @example
 * ```ts
 * import { shellEnvironment, shellLaunch } from "./shells.ts";
 * const env = shellEnvironment(shellLaunch("sh"), {
 *   inherited: { PATH: "/bin", PS1: "$ " },
 *   env: { FOO: "1" },
 * });
 * // env.PS1 is the tape's prompt, env.FOO === "1", env.TERM === "xterm-256color"
 * ```
 */
export function shellEnvironment(
  launch: ShellLaunch,
  options: ShellEnvironmentOptions = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.inherited ?? Deno.env.toObject())) {
    if (!UNSET_VARIABLES.includes(key)) env[key] = value;
  }
  return { ...env, TERM: "xterm-256color", ...launch.env, ...options.env };
}

/**
 * The full path of `program` found on `path` (a `$PATH` value) as an executable file, or
 * undefined. A name with a `/` is checked as it is.
 *
 * @example
 * ```ts
 * import { findProgram } from "./shells.ts";
 * findProgram("sh", "/usr/bin:/bin"); // "/usr/bin/sh"
 * ```
 */
export function findProgram(program: string, path: string): string | undefined {
  const candidates = program.includes("/")
    ? [program]
    : path.split(":").map((dir) => `${dir === "" ? "." : dir}/${program}`);
  for (const candidate of candidates) {
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return candidate;
    } catch {
      // not there: try the next directory
    }
  }
  return undefined;
}
