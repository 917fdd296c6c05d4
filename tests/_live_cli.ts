/**
 * Runs asciirec as a process that keeps running: stdin types into the session (headless
 * sessions read a piped stdin as their keyboard), stderr and stdout are collected as they come.
 *
 * @module
 */
import { cliArgv, TEST_ENV } from "./_cli.ts";

/** A running asciirec whose stdin types into the session and whose stderr is collected. */
export class LiveCli {
  readonly child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  stderr = "";
  stdout = "";
  readonly #done: Promise<unknown>;

  /**
   * Starts `asciirec ARGS…`; `limits.ulimit` caps its open file descriptors (only the soft
   * limit with `softUlimit`), `limits.env` adds variables to its environment.
   */
  constructor(
    args: string[],
    cwd?: string,
    limits: { ulimit?: number; softUlimit?: boolean; env?: Record<string, string> } = {},
  ) {
    let [cmd, ...rest] = cliArgv();
    if (limits.ulimit !== undefined) {
      const which = limits.softUlimit ? "-S " : "";
      rest = ["-c", `ulimit ${which}-n ${limits.ulimit} && exec "$@"`, "sh", cmd!, ...rest];
      cmd = "/bin/sh";
    }
    this.child = new Deno.Command(cmd!, {
      args: [...rest, ...args],
      cwd,
      env: { ...TEST_ENV, ...limits.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    const collect = async (stream: ReadableStream<Uint8Array>, into: "stderr" | "stdout") => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) this[into] += text;
    };
    this.#done = Promise.all([
      collect(this.child.stderr, "stderr"),
      collect(this.child.stdout, "stdout"),
    ]);
  }

  /** The first `Live streaming at URL` line's URL. */
  async url(): Promise<string> {
    const start = Date.now();
    while (true) {
      const m = /Live streaming at (\S+)/.exec(this.stderr);
      if (m) return m[1]!;
      if (Date.now() - start > 30_000) throw new Error(`no URL printed; stderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Types into the session. */
  async type(text: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Waits for the process to end; returns its exit code. */
  async exit(): Promise<number> {
    await this.#stdin.close().catch(() => {});
    const { code } = await this.child.status;
    await this.#done;
    return code;
  }
}
