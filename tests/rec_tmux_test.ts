/**
 * `asciirec rec` in a real terminal: a tmux pane (private server socket), driven with
 * send-keys and resize-window, read back with capture-pane and from the recorded file.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import type { Event } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";

let servers = 0;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** A private tmux server with one 100x30 pane running `sh`. */
class Tmux implements AsyncDisposable {
  readonly socket = `asciirec-rec-${Deno.pid}-${servers++}`;

  static async start(): Promise<Tmux> {
    const tmux = new Tmux();
    await tmux.run(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      "100",
      "-y",
      "30",
      "env PS1='$ ' sh",
    );
    await tmux.waitFor((s) => s.includes("$"), "the shell prompt");
    return tmux;
  }

  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", { args: ["-L", this.socket, ...args] }).output();
    if (!out.success) {
      throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  /** Types text literally, then Enter if asked. */
  async type(text: string, enter = false): Promise<void> {
    await this.run("send-keys", "-l", text);
    if (enter) await this.run("send-keys", "Enter");
  }

  /** Presses keys by tmux name, e.g. `C-g`. */
  async press(...keys: string[]): Promise<void> {
    await this.run("send-keys", ...keys);
  }

  async waitFor(ok: (screen: string) => boolean, what: string): Promise<string> {
    const deadline = performance.now() + 30_000;
    for (;;) {
      const screen = await this.run("capture-pane", "-p");
      if (ok(screen)) return screen;
      if (performance.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
      }
      await delay(50);
    }
  }

  /** The pane's terminal settings as `stty -a` names them (`-echo` when off), read from here. */
  async stty(): Promise<Set<string>> {
    const tty = (await this.run("display-message", "-p", "#{pane_tty}")).trim();
    const out = await new Deno.Command("stty", { args: ["-F", tty, "-a"] }).output();
    if (!out.success) throw new Error(`stty -F ${tty}: ${new TextDecoder().decode(out.stderr)}`);
    return new Set(new TextDecoder().decode(out.stdout).split(/[\s;]+/));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run("kill-server").catch(() => {});
  }
}

async function events(path: string): Promise<{ header: Record<string, unknown>; events: Event[] }> {
  const recording = await openRecording(path);
  const list: Event[] = [];
  for await (const e of recording.events) list.push(e);
  return { header: recording.header as unknown as Record<string, unknown>, events: list };
}

Deno.test({
  name: "rec in tmux: typing, resize, pause, marker and exit status are recorded",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "asciirec-rec-tmux-" });
    const path = `${dir}/session.cast`;
    try {
      await using tmux = await Tmux.start();
      const rec = [...cliArgv(), "rec", "--return", "--marker-key", "^g", path];
      await tmux.type(`env SHELL=/bin/sh PS1='rec> ' ${rec.map(shellQuote).join(" ")}`, true);
      await tmux.waitFor((s) => /^rec>/m.test(s), "the recorded shell's prompt");
      // The host terminal is raw as cfmakeraw makes it, output processing off included.
      const raw = await tmux.stty();
      for (const flag of ["-icanon", "-echo", "-isig", "-opost"]) {
        assert(raw.has(flag), `${flag} while recording: ${[...raw].join(" ")}`);
      }

      await tmux.type("echo hello-$((6*7))", true);
      await tmux.waitFor((s) => s.includes("hello-42"), "the command's output");

      await tmux.run("resize-window", "-x", "90", "-y", "25");
      await tmux.type("stty size", true);
      await tmux.waitFor((s) => s.includes("25 90"), "the new size inside the session");

      await tmux.press("C-g"); // marker
      await tmux.press("C-\\"); // pause
      await tmux.type("echo paused-$((1+1))", true);
      await tmux.waitFor((s) => s.includes("paused-2"), "output while paused");
      await tmux.press("C-\\"); // resume
      await tmux.type("echo resumed-$((2+1))", true);
      await tmux.waitFor((s) => s.includes("resumed-3"), "output after resuming");

      await tmux.type("exit 3", true);
      await tmux.waitFor((s) => s.includes("::: Recorded to"), "the end of the recording");
      await tmux.type('echo "rc=$?"', true);
      await tmux.waitFor((s) => s.includes("rc=3"), "--return's exit status");
      // The terminal is back in canonical mode with echo and output processing.
      await tmux.type(
        "stty -a | tr ' ;' '\\n\\n' | grep -x -e opost -e onlcr -e icanon -e echo | tr '\\n' ' '",
        true,
      );
      await tmux.waitFor(
        (s) => s.includes("opost onlcr icanon echo"),
        "output processing, canonical mode and echo back on",
      );
      const cooked = await tmux.stty();
      for (const flag of ["icanon", "echo", "isig", "opost", "onlcr"]) {
        assert(cooked.has(flag), `${flag} after recording: ${[...cooked].join(" ")}`);
      }
      const screen = await tmux.waitFor((s) => s.includes("::: Recording to"), "the start line");
      assertStringIncludes(screen, "Press <ctrl+d> or type 'exit' to end");

      const { header, events: evs } = await events(path);
      assertEquals([header.cols, header.rows], [100, 30]);
      assertMatch(String(header.termType), /^(tmux|screen)/);
      assertMatch(String(header.termVersion), /^tmux /); // tmux answers XTVERSION
      const out = evs.filter((e) => e.code === "o").map((e) => e.data).join("");
      assertStringIncludes(out, "hello-42");
      assertStringIncludes(out, "25 90");
      assertStringIncludes(out, "resumed-3");
      assert(!out.includes("paused-2"), "output while paused was recorded");
      assert(!out.includes("\x1c") && !out.includes("\x07"), "a hotkey reached the shell");
      assertEquals(evs.filter((e) => e.code === "r").map((e) => e.data), ["90x25"]);
      assertEquals(evs.filter((e) => e.code === "m").length, 1);
      assertEquals(evs.at(-1)?.code, "x");
      assertEquals(evs.at(-1)?.data, "3");
      assertEquals(evs.filter((e) => e.code === "i").length, 0); // input capture is opt-in
      let last = 0;
      for (const e of evs) {
        assert(e.time >= last, "times go backwards");
        last = e.time;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "rec in tmux with -I records typed input and the prefix key guards the hotkeys",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "asciirec-rec-tmux-" });
    const path = `${dir}/input.cast`;
    try {
      await using tmux = await Tmux.start();
      const rec = [...cliArgv(), "rec", "-I", "--prefix-key", "^a", "--marker-key", "m", path];
      await tmux.type(`env SHELL=/bin/sh PS1='rec> ' ${rec.map(shellQuote).join(" ")}`, true);
      await tmux.waitFor((s) => /^rec>/m.test(s), "the recorded shell's prompt");
      // "m" alone is typed; prefix + "m" is a marker.
      await tmux.type("echo m", true);
      await tmux.waitFor((s) => /^m$/m.test(s), "the echo of m");
      await tmux.press("C-a");
      await tmux.type("m");
      await tmux.type("exit", true);
      await tmux.waitFor((s) => s.includes("::: Recorded to"), "the end of the recording");

      const { events: evs } = await events(path);
      const input = evs.filter((e) => e.code === "i").map((e) => e.data).join("");
      assertEquals(input, "echo m\rexit\r");
      assertEquals(evs.filter((e) => e.code === "m").length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
