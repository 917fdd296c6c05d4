/**
 * `asciirec rec` in a real terminal: a tmux pane (private server socket), driven with
 * send-keys and resize-window, read back with capture-pane and from the recorded file.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import { shellQuote } from "./_shell_quote.ts";
import { Tmux } from "./_tmux.ts";
import type { Event } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";

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
      await using tmux = await Tmux.start({ cols: 100, rows: 30, timeoutMs: 30_000 });
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
      await using tmux = await Tmux.start({ cols: 100, rows: 30, timeoutMs: 30_000 });
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
