/**
 * `asciirec play` in a real terminal: tmux panes (private server sockets), driven with
 * send-keys and read back with capture-pane.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import { shellQuote } from "./_shell_quote.ts";
import { delay, Tmux } from "./_tmux.ts";

/** A tmux pane that also runs asciirec's player and checks the shell afterwards. */
class PlayTmux extends Tmux {
  /** Runs `asciirec play ARGS…` at the prompt. */
  async play(...args: string[]): Promise<void> {
    await this.type([...cliArgv(), "play", ...args].map(shellQuote).join(" "), true);
  }

  /** Checks that the shell is usable: typing echoes, and a command runs. */
  async assertShellUsable(): Promise<void> {
    await this.type("clear", true);
    await this.waitFor((s) => s.trim() === "$", "a cleared screen");
    await this.type(
      "stty -a | tr ' ;' '\\n\\n' | grep -x -e opost -e onlcr -e icanon -e echo | tr '\\n' ' '",
      true,
    );
    await this.waitFor(
      (s) => s.includes("opost onlcr icanon echo"),
      "output processing, canonical mode and echo back on",
    );
    assertCooked(await this.stty());
    await this.type("echo o''k", true);
    await this.waitFor((s) => /^ok$/m.test(s), "the output of echo");
    assertEquals(await this.flag("alternate_on"), "0", "still in the alternate screen");
    assertEquals(await this.flag("cursor_flag"), "1", "the cursor is hidden");
  }
}

/** Asserts raw mode as `cfmakeraw` sets it: no echo, no line editing, no output processing. */
function assertRaw(flags: Set<string>): void {
  for (const flag of ["-icanon", "-echo", "-isig", "-opost"]) {
    assert(flags.has(flag), `${flag} in raw mode: ${[...flags].join(" ")}`);
  }
}

/** Asserts the usual (cooked) settings of a shell's terminal. */
function assertCooked(flags: Set<string>): void {
  for (const flag of ["icanon", "echo", "isig", "opost", "onlcr"]) {
    assert(flags.has(flag), `${flag} after playback: ${[...flags].join(" ")}`);
  }
}

async function castFile(lines: unknown[]): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "asciirec-play-", suffix: ".cast" });
  await Deno.writeTextFile(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
  return path;
}

const V3 = { version: 3, term: { cols: 80, rows: 24 } };

/** Output, then a marker 30 s in, then more output 30 s later: pausing at it is visible. */
const MARKER_CAST = [
  V3,
  [0.1, "o", "start\r\n"],
  [30, "o", "before the marker\r\n"],
  [0, "m", "one"],
  [30, "o", "after the marker\r\n"],
];

const tmuxTest = (name: string, fn: (tmux: PlayTmux) => Promise<void>) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      await using tmux = await PlayTmux.start({ cols: 80, rows: 24 });
      await fn(tmux);
    },
  });

tmuxTest(
  "play shows an alternate-screen program's output and ends with the expected screen",
  async (tmux) => {
    // A v2 file, as asciinema 2.x writes them; -m pauses inside the alternate screen.
    const file = await castFile([
      { version: 2, width: 80, height: 24 },
      [0.1, "o", "hello \x1b[31mred\x1b[0m \x1b[1;32mbold green\x1b[0m\r\n"],
      [0.2, "o", "\x1b[?1049h\x1b[H\x1b[2J\x1b[44min the alternate screen\x1b[0m\x1b[?25l"],
      [0.2, "m", "inside"],
      [0.4, "o", "\x1b[?1049l\x1b[?25h"],
      [0.5, "o", "back \x1b[7mreverse\x1b[0m\r\n"],
    ]);
    try {
      await tmux.play("-m", file);
      const alt = await tmux.waitFor(
        (s) => s.includes("in the alternate screen"),
        "the alternate screen",
        { colours: true },
      );
      assertStringIncludes(alt, "\x1b[44min the alternate screen");
      assert(!alt.includes("hello"), "the main screen showed through");
      await delay(400); // past the time of the next event: -m must have paused at the marker
      assertEquals(await tmux.flag("alternate_on"), "1", "did not pause at the marker");
      assertRaw(await tmux.stty());
      await tmux.type(" ");
      const end = await tmux.waitFor(
        (s) => s.includes("::: Playback ended"),
        "the end of playback",
        { colours: true },
      );
      assertStringIncludes(end, "hello \x1b[31mred");
      assertStringIncludes(end, "\x1b[32mbold green");
      assertStringIncludes(end, "back \x1b[7mreverse");
      assert(!end.includes("in the alternate screen"), "the alternate screen was not left");
      assertMatch(end, /::: Replaying session from .*\.cast\n/);
      await tmux.assertShellUsable();
    } finally {
      await Deno.remove(file);
    }
  },
);

tmuxTest("space pauses and resumes; q quits and the prompt is usable afterwards", async (tmux) => {
  const events = Array.from({ length: 200 }, (_, i) => [0.1, "o", `\rcount ${i}  `]);
  const file = await castFile([V3, ...events]);
  const count = (screen: string) => Number(/count (\d+)/.exec(screen)?.[1] ?? -1);
  try {
    await tmux.play(file);
    await tmux.waitFor((s) => count(s) >= 3, "the counter");
    await tmux.type(" ");
    // Paused once the counter (every 100 ms while playing) stands still for 300 ms.
    let paused = await tmux.capture();
    for (const deadline = performance.now() + 10_000; performance.now() < deadline;) {
      await delay(300);
      const now = await tmux.capture();
      if (now === paused) break;
      paused = now;
    }
    await delay(1000);
    assertEquals(await tmux.capture(), paused, "the screen changed while paused");
    await tmux.type(" ");
    await tmux.waitFor((s) => count(s) > count(paused) + 2, "the counter to move on");
    await tmux.type("q");
    const end = await tmux.waitFor((s) => s.includes("::: Playback interrupted"), "the quit");
    assert(count(end) < 150, "the quit did not stop playback");
    await tmux.assertShellUsable();
  } finally {
    await Deno.remove(file);
  }
});

tmuxTest("] plays up to the next marker and pauses there", async (tmux) => {
  const file = await castFile(MARKER_CAST);
  try {
    await tmux.play(file);
    await tmux.waitFor((s) => s.includes("start"), "the first event");
    await tmux.type("]");
    await tmux.waitFor((s) => s.includes("before the marker"), "the output before the marker");
    await delay(500);
    assert(!(await tmux.capture()).includes("after the marker"), "did not pause at the marker");
    await tmux.type("\x03");
    await tmux.waitFor((s) => s.includes("::: Playback interrupted"), "ctrl+c to quit");
    await tmux.assertShellUsable();
  } finally {
    await Deno.remove(file);
  }
});

tmuxTest(
  "a malformed line mid-file gives the reader's error and the terminal back",
  async (tmux) => {
    const file = await castFile([
      V3,
      [0.2, "o", "\x1b[?1049h\x1b[?25l\x1b[?1000hplaying in the alternate screen"],
      [1.5, "o", " and more"],
      [0.5, "o"],
    ]);
    try {
      await tmux.play(file);
      await tmux.waitFor((s) => s.includes("playing in the alternate screen"), "playback");
      const screen = await tmux.waitFor((s) => s.includes("error:"), "the error");
      assertStringIncludes(screen, `error: ${file}:4: `);
      assertEquals(await tmux.flag("mouse_any_flag"), "0", "mouse reporting left on");
      await tmux.type("echo status=$?", true);
      await tmux.waitFor((s) => s.includes("status=1"), "exit status 1");
      await tmux.assertShellUsable();
    } finally {
      await Deno.remove(file);
    }
  },
);

tmuxTest("SIGTERM during playback gives the terminal back", async (tmux) => {
  const file = await castFile([
    V3,
    [0.1, "o", "\x1b[?1049h\x1b[?25lfull screen program"],
    [60, "o", "never shown"],
  ]);
  try {
    await tmux.play(file);
    await tmux.waitFor((s) => s.includes("full screen program"), "playback");
    assertRaw(await tmux.stty());
    const pid = await tmux.child();
    assert(pid !== undefined, "no player process in the pane");
    Deno.kill(pid, "SIGTERM");
    await tmux.waitFor((s) => s.includes("$ ") && !s.includes("full screen"), "the prompt");
    await tmux.type("echo status=$?", true);
    await tmux.waitFor((s) => s.includes("status=143"), "exit status 143");
    await tmux.assertShellUsable();
  } finally {
    await Deno.remove(file);
  }
});

tmuxTest("play warns once when the recording's size differs from the terminal's", async (tmux) => {
  const file = await castFile([{ version: 3, term: { cols: 100, rows: 30 } }, [0.1, "o", "x\r\n"]]);
  try {
    await tmux.play(file);
    const screen = await tmux.waitFor((s) => s.includes("::: Playback ended"), "the end");
    assertStringIncludes(screen, "!!! The recording is 100x30 but this terminal is 80x24");
    assertEquals(screen.split("!!!").length, 2, "warned more than once");
  } finally {
    await Deno.remove(file);
  }
});

tmuxTest("playback keys rebound in asciinema's config.toml take effect", async (tmux) => {
  const config = await Deno.makeTempDir({ prefix: "asciirec-play-config-" });
  await Deno.writeTextFile(`${config}/config.toml`, '[playback]\nnext_marker_key = "n"\n');
  const file = await castFile(MARKER_CAST);
  try {
    const play = [...cliArgv(), "play", file].map(shellQuote).join(" ");
    await tmux.type(`env ASCIINEMA_CONFIG_HOME=${shellQuote(config)} ${play}`, true);
    await tmux.waitFor((s) => s.includes("start"), "the first event");
    await tmux.type("]");
    await delay(500);
    assert(!(await tmux.capture()).includes("before the marker"), "] still jumps");
    await tmux.type("n");
    await tmux.waitFor((s) => s.includes("before the marker"), "n to jump to the marker");
    await tmux.type("q");
    await tmux.waitFor((s) => s.includes("::: Playback interrupted"), "q to quit");
  } finally {
    await Deno.remove(file);
    await Deno.remove(config, { recursive: true });
  }
});
