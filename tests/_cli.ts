/**
 * Runs asciirec as a separate process, the way a user does, for end-to-end tests.
 *
 * @module
 */

/** Absolute path of the program's entry point. */
export const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The permissions the shipped binary is compiled with (see deno.json `compile`). */
export const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-ffi",
  "--allow-run",
  "--allow-sys",
];

/**
 * The environment every test process gets on top of the inherited one: asciinema's config
 * home points nowhere, so a developer's own `~/.config/asciinema/config.toml` cannot change
 * what the tests see (a test that wants a config passes its own `ASCIINEMA_CONFIG_HOME`).
 */
export const TEST_ENV: Record<string, string> = {
  ASCIINEMA_CONFIG_HOME: "/nonexistent/asciirec-tests/config",
};

/**
 * The V8 settings the shipped binary is compiled with (see deno.json `compile`): a young
 * generation of at most 3 x 4 MB and an old generation that grows by 10% past what is live.
 * Left to itself, V8 grows the young generation to 3 x 32 MB for any program that
 * allocates steadily, and lets the old one grow far past what is live: a long conversion or
 * search then sits at 150-200 MB for no use (measured on 1 GB recordings; see
 * tests/big_memory_test.ts). These cost no measurable time.
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=10";

/**
 * The argv prefix that runs asciirec from source: `[deno, run, …flags, main.ts]`. Flags in
 * `ASCIIREC_DENO_FLAGS` are added (to profile a test's or a benchmark's asciirec with
 * `--cpu-prof --cpu-prof-dir=DIR`).
 */
export function cliArgv(): string[] {
  const extra = Deno.env.get("ASCIIREC_DENO_FLAGS")?.split(" ").filter(Boolean) ?? [];
  return [Deno.execPath(), "run", "--quiet", ...extra, V8_FLAGS, ...PERMISSIONS, MAIN];
}

/** What a finished asciirec process left behind. */
export interface CliResult {
  /** Exit status. */
  code: number;
  /** Everything written to stdout, as bytes. */
  stdoutBytes: Uint8Array;
  /** stdout decoded as UTF-8. */
  stdout: string;
  /** stderr decoded as UTF-8. */
  stderr: string;
}

/** Options for {@linkcode runCli}. */
export interface RunCliOptions {
  /** Bytes (or text) for stdin; stdin is /dev/null when absent. */
  stdin?: Uint8Array | string;
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Runs `asciirec ARGS…` to completion and returns what it printed. */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const [cmd, ...rest] = cliArgv();
  const child = new Deno.Command(cmd!, {
    args: [...rest, ...args],
    cwd: options.cwd,
    env: { ...TEST_ENV, ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    const input = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    await writer.write(input);
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdoutBytes: out.stdout,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}
