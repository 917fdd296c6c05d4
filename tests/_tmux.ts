/**
 * A real terminal for end-to-end tests: a private tmux server (its own socket) with one pane
 * running `sh`, driven with send-keys and read back with capture-pane.
 *
 * @module
 */

/** Options for {@linkcode Tmux.start}. */
export interface TmuxOptions {
  /** Pane width in columns. */
  cols: number;
  /** Pane height in rows. */
  rows: number;
  /** The shell command the pane runs. Default: `env PS1='$ ' sh`. */
  command?: string;
  /** How long {@linkcode Tmux.waitFor} waits unless told otherwise, in ms. Default: 20 000. */
  timeoutMs?: number;
}

/** Options for {@linkcode Tmux.waitFor}. */
export interface WaitForOptions {
  /** Capture the screen with its SGR escape sequences (`capture-pane -e`). Default: false. */
  colours?: boolean;
  /** How long to wait, in ms. Default: the server's `timeoutMs`. */
  timeoutMs?: number;
}

/**
 * A private tmux server with one pane running a shell; {@linkcode Tmux.start} returns once
 * the prompt (`$`) shows. Disposing it kills the server.
 *
 * @example
 * ```ts
 * import { Tmux } from "./_tmux.ts";
 * await using tmux = await Tmux.start({ cols: 80, rows: 24 });
 * await tmux.type("echo hi", true);
 * await tmux.waitFor((screen) => /^hi$/m.test(screen), "the output of echo");
 * ```
 */
export class Tmux implements AsyncDisposable {
  /** The server's socket name (`tmux -L`), unique to this server. */
  readonly socket = `asciirec-test-${Deno.pid}-${crypto.randomUUID()}`;
  #timeoutMs = 20_000;

  /**
   * Starts a server whose one pane runs `options.command`, and waits for its prompt; a
   * subclass's `start` returns that subclass.
   */
  static async start<T extends Tmux>(this: new () => T, options: TmuxOptions): Promise<T> {
    const tmux = new this();
    tmux.#timeoutMs = options.timeoutMs ?? tmux.#timeoutMs;
    await tmux.run(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      String(options.cols),
      "-y",
      String(options.rows),
      options.command ?? "env PS1='$ ' sh",
    );
    await tmux.waitFor((screen) => screen.includes("$"), "the shell prompt");
    return tmux;
  }

  /** Runs `tmux ARGS…` against this server; returns its stdout, throws on failure. */
  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", { args: ["-L", this.socket, ...args] }).output();
    if (!out.success) {
      throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  /** Types text (literally) and optionally presses Enter. */
  async type(text: string, enter = false): Promise<void> {
    await this.run("send-keys", "-l", text);
    if (enter) await this.run("send-keys", "Enter");
  }

  /** Presses keys by tmux name, e.g. `C-g`. */
  async press(...keys: string[]): Promise<void> {
    await this.run("send-keys", ...keys);
  }

  /** The pane's text; with `colours`, including its SGR escape sequences. */
  capture(colours = false): Promise<string> {
    return this.run("capture-pane", "-p", ...(colours ? ["-e"] : []));
  }

  /** A tmux format variable of the pane, e.g. `alternate_on`. */
  async flag(name: string): Promise<string> {
    return (await this.run("display-message", "-p", `#{${name}}`)).trim();
  }

  /**
   * Captures the pane every 50 ms until `ok` accepts it, and returns that screen; throws,
   * naming `what` and showing the last screen, on timeout.
   */
  async waitFor(
    ok: (screen: string) => boolean,
    what: string,
    options: WaitForOptions = {},
  ): Promise<string> {
    const deadline = performance.now() + (options.timeoutMs ?? this.#timeoutMs);
    for (;;) {
      const screen = await this.capture(options.colours);
      if (ok(screen)) return screen;
      if (performance.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
      }
      await delay(50);
    }
  }

  /** The pane's terminal settings as `stty -a` names them (`-echo` when off), read from here. */
  async stty(): Promise<Set<string>> {
    return sttyFlags(await this.flag("pane_tty"));
  }

  /** The first child of the pane's shell (the program it runs), if any. */
  async child(): Promise<number | undefined> {
    const shell = await this.flag("pane_pid");
    const children = await Deno.readTextFile(`/proc/${shell}/task/${shell}/children`);
    const first = children.trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  }

  /** Kills the server (and so the pane). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.run("kill-server").catch(() => {});
  }
}

/** The settings of terminal `tty` as `stty -a` names them (`-echo` when off). */
async function sttyFlags(tty: string): Promise<Set<string>> {
  const out = await new Deno.Command("stty", { args: ["-F", tty, "-a"] }).output();
  if (!out.success) throw new Error(`stty -F ${tty}: ${new TextDecoder().decode(out.stderr)}`);
  return new Set(new TextDecoder().decode(out.stdout).split(/[\s;]+/));
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { delay } from "./_tmux.ts";
 * await delay(50);
 * ```
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
