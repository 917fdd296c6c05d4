/**
 * `asciirec tape` as a process: real shells (bash, sh, zsh) on a real PTY, the files it
 * writes read back by the asciicast reader and replayed into a fresh terminal, determinism
 * over repeated runs, `--check`/`--update` against a program that changes, `--validate`, and
 * every way a tape is refused before it runs or fails while it runs.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { skipWithoutPeer } from "./_peers.ts";
import type { Event, Header } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { GOLDEN_SEPARATOR, splitGolden } from "../lib/tape/golden.ts";
import { lineText } from "../lib/vt/screen.ts";
import { Vt } from "../lib/vt/vt.ts";

const FIXTURES = new URL("./fixtures/tape/", import.meta.url).pathname;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-tape-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readCast(path: string): Promise<{ header: Header; events: Event[] }> {
  const warnings: string[] = [];
  const recording = await openRecording(path, { onWarning: (w) => warnings.push(w) });
  const events: Event[] = [];
  for await (const e of recording.events) events.push(e);
  assertEquals(warnings, [], `${path} reads back cleanly`);
  return { header: recording.header, events };
}

/** The rows a fresh terminal shows after replaying a recording's output. */
function replayRows(header: Header, events: Event[]): string[] {
  using vt = new Vt(header.cols, header.rows, { sync: true });
  for (const e of events) if (e.code === "o") vt.feed(e.data);
  return vt.screen().lines.map((line) => lineText(line).trimEnd());
}

async function tape(dir: string, name: string, text: string): Promise<string> {
  await Deno.writeTextFile(`${dir}/${name}`, text);
  return name;
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

for (const shell of ["bash", "sh", "zsh"]) {
  Deno.test({
    name: `tape runs ${shell}: the recording's final screen equals the golden text's last screen`,
    ignore: skipWithoutPeer(`/usr/bin/${shell}`),
    sanitizeOps: false,
    sanitizeResources: false,
  }, async () => {
    await withDir(async (dir) => {
      const name = await tape(
        dir,
        "demo.tape",
        [
          "Output out/demo.cast",
          "Output out/demo.txt",
          `Set Shell ${shell}`,
          "Set Cols 50",
          "Set Rows 8",
          "Hide",
          'Type "export SECRET=swordfish; clear" Enter',
          "Show",
          'Type "echo one; echo two" Enter',
          "Wait",
          "Sleep 200ms",
        ].join("\n"),
      );
      const r = await runCli(["tape", name], { cwd: dir });
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stderr, `::: Running demo.tape (${shell}, 50x8)`);
      assertStringIncludes(r.stderr, "::: Wrote out/demo.cast, out/demo.txt");
      assertEquals(await files(`${dir}/out`), ["demo.cast", "demo.txt"], "no temporary files");

      const raw = await Deno.readTextFile(`${dir}/out/demo.cast`);
      const { header, events } = await readCast(`${dir}/out/demo.cast`);
      assertEquals([header.version, header.cols, header.rows], [3, 50, 8]);
      assertEquals(header.timestamp, undefined, "no wall-clock time in the header");
      assertEquals(header.termType, "xterm-256color");
      assert(!raw.includes("swordfish"), "nothing typed while hidden is in the recording");

      const golden = await Deno.readTextFile(`${dir}/out/demo.txt`);
      assert(golden.endsWith(`${GOLDEN_SEPARATOR}\n`));
      const screens = splitGolden(golden);
      // Show, Type, Enter, Wait, Sleep: one screen after each.
      assertEquals(screens.length, 5);
      assert(screens.every((s) => s.length === 8), "each screen has every row");
      assertEquals(screens[0]![0], ">", "Show shows the cleared screen with the prompt");
      assertEquals(replayRows(header, events), screens.at(-1));
      assertEquals(screens.at(-1)!.slice(0, 4), ["> echo one; echo two", "one", "two", ">"]);
    });
  });
}

Deno.test({
  name:
    "tape gives byte-identical recordings over 5 runs: shell, printf, ls, a full-screen program",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withDir(async (dir) => {
    await Deno.copyFile(`${FIXTURES}/determinism.tape`, `${dir}/determinism.tape`);
    await Deno.copyFile(`${FIXTURES}/r.sh`, `${dir}/r.sh`);
    await Deno.mkdir(`${dir}/files`);
    for (const f of ["alpha", "beta.txt", "gamma.md"]) {
      await Deno.writeTextFile(`${dir}/files/${f}`, "");
    }
    const casts: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await runCli(["tape", "-q", "determinism.tape", "-o", `run${i}.cast`], {
        cwd: dir,
        env: { LC_ALL: "C" },
      });
      assertEquals(r.code, 0, r.stderr);
      casts.push(await Deno.readTextFile(`${dir}/run${i}.cast`));
    }
    for (let i = 1; i < 5; i++) assertEquals(casts[i], casts[0], `run ${i} differs from run 0`);
    const { header, events } = await readCast(`${dir}/run0.cast`);
    const rows = replayRows(header, events);
    assertEquals(rows[0], "> printf 'a\\n'");
    assertStringIncludes(rows.join("\n"), "alpha  beta.txt  gamma.md");
    const all = events.map((e) => e.data).join("");
    for (const screen of ["ready", " j ", " k "]) assertStringIncludes(all, screen);
  });
});

Deno.test({
  name: "tape --check passes while screens stay the same and shows a diff when a program changes",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/show.sh`, "echo 'version 1'\necho 'stable line'\n");
    const name = await tape(
      dir,
      "check.tape",
      // Sourced, not run: echo is built in, so its output comes within the key press even on a
      // busy machine (a golden screen is taken when each command ends).
      'Output golden.txt\nSet Shell sh\nSet Cols 40\nSet Rows 5\nType ". ./show.sh" Enter\nWait\nSleep 100ms\n',
    );
    const written = await runCli(["tape", name], { cwd: dir });
    assertEquals(written.code, 0, written.stderr);
    const golden = await Deno.readTextFile(`${dir}/golden.txt`);

    const same = await runCli(["tape", "--check", name], { cwd: dir });
    assertEquals(same.code, 0, same.stderr);
    assertStringIncludes(same.stderr, "golden.txt: the screens match (4 screens)");

    await Deno.writeTextFile(`${dir}/show.sh`, "echo 'version 2'\necho 'stable line'\n");
    const changed = await runCli(["tape", "--check", name], { cwd: dir });
    assertEquals(changed.code, 1, changed.stderr);
    assertStringIncludes(
      changed.stderr,
      "error: golden.txt: the screens differ after check.tape:5: Enter (screen 2)",
    );
    assertStringIncludes(
      changed.stderr,
      "    > . ./show.sh\n  - version 1\n  + version 2\n    stable line",
    );
    assertStringIncludes(
      changed.stderr,
      "if the change is intended: asciirec tape --update check.tape",
    );
    assertEquals(await Deno.readTextFile(`${dir}/golden.txt`), golden, "--check writes nothing");

    const updated = await runCli(["tape", "--update", name], { cwd: dir });
    assertEquals(updated.code, 0, updated.stderr);
    assertStringIncludes(updated.stderr, "golden.txt: updated");
    assertStringIncludes(await Deno.readTextFile(`${dir}/golden.txt`), "version 2");
    const again = await runCli(["tape", "--check", name], { cwd: dir });
    assertEquals(again.code, 0, again.stderr);
  });
});

Deno.test("tape --validate lists every error with FILE:LINE:COL and exits 2, or exits 0", async () => {
  await withDir(async (dir) => {
    await tape(dir, "parser.tape", "Set Foo Bar\n\nFoo\n\nType Enter\n\nBar Backspace@\n\nfoo\n");
    await tape(dir, "good.tape", 'Output demo.cast\nType "echo hi" Enter\nSleep 1\n');
    const good = await runCli(["tape", "--validate", "good.tape"], { cwd: dir });
    assertEquals(good.code, 0, good.stderr);
    assertStringIncludes(good.stderr, "::: good.tape: valid (4 commands)");

    const bad = await runCli(["tape", "--validate", "good.tape", "parser.tape"], { cwd: dir });
    assertEquals(bad.code, 2);
    const lines = bad.stderr.split("\n").filter((l) => l.startsWith("parser.tape:"));
    assertEquals(lines.map((l) => l.split(": ")[0]), [
      "parser.tape:1:5",
      "parser.tape:3:1",
      "parser.tape:5:6",
      "parser.tape:7:1",
      "parser.tape:7:15",
      "parser.tape:9:1",
    ]);
    assertStringIncludes(bad.stderr, "error: parser.tape: 6 errors; nothing was run");
    assertEquals(await files(dir), ["good.tape", "parser.tape"], "validate writes nothing");
  });
});

Deno.test("tape refuses a bad tape, output or command line with exit 2 before starting anything", async (t) => {
  await withDir(async (dir) => {
    const cases: [string, string[], string][] = [
      ["parse errors", ["bad.tape"], "bad.tape:2:1: unknown command"],
      ["video output", ["video.tape"], "video.tape:1:1: demo.mp4: asciirec does not write video"],
      ["frame folder", ["frames.tape"], "frames.tape:1:1: frames/: folders of PNG frames"],
      [
        "a shell asciirec cannot start",
        ["pwsh.tape"],
        "pwsh.tape:2:1: asciirec cannot start the shell",
      ],
      ["no outputs", ["none.tape"], "error: nothing to write: none.tape has no Output"],
      [
        "--check without golden text",
        ["--check", "none.tape", "-o", "x.cast"],
        "--check compares golden text",
      ],
      ["two files", ["none.tape", "bad.tape"], "tape runs one file at a time"],
      ["--check with --update", ["--check", "--update", "none.tape"], "cannot be used together"],
      ["a missing file", ["missing.tape"], "error: cannot read missing.tape: no such file"],
    ];
    await tape(dir, "bad.tape", 'Output x.cast\nTypo "x"\n');
    await tape(dir, "video.tape", 'Output demo.mp4\nType "x"\n');
    await tape(dir, "frames.tape", 'Output frames/\nType "x"\n');
    await tape(dir, "pwsh.tape", 'Output x.cast\nSet Shell pwsh\nType "x"\n');
    await tape(dir, "none.tape", 'Type "x"\n');
    const before = await files(dir);
    for (const [name, args, message] of cases) {
      await t.step(name, async () => {
        const r = await runCli(["tape", ...args], { cwd: dir });
        assertEquals(r.code, 2, r.stderr);
        assertStringIncludes(r.stderr, message);
        assertEquals(await files(dir), before, "nothing written");
      });
    }
  });
});

Deno.test({
  name: "tape writes GIF, SVG and Screenshot PNG through the export formats, in the tape's theme",
  ignore: skipWithoutPeer("/usr/bin/identify"),
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withDir(async (dir) => {
    const name = await tape(
      dir,
      "img.tape",
      "Output demo.gif\nOutput demo.svg\nSet Shell sh\nSet Theme Dracula\nSet Cols 40\n" +
        'Set Rows 6\nType "echo pictures" Enter\nSleep 300ms\nScreenshot shot.png\nSleep 100ms\n',
    );
    const r = await runCli(["tape", name], { cwd: dir });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await files(dir), ["demo.gif", "demo.svg", "img.tape", "shot.png"]);
    const identify = async (file: string) =>
      new TextDecoder().decode(
        (await new Deno.Command("/usr/bin/identify", {
          args: ["-format", "%m %w %h|", `${dir}/${file}`],
          stdout: "piped",
        }).output()).stdout,
      );
    const gif = (await identify("demo.gif")).split("|").filter(Boolean);
    assert(gif.length > 2, `an animated GIF: ${gif}`);
    assertMatch(gif[0]!, /^GIF \d+ \d+$/);
    assertMatch(await identify("shot.png"), /^PNG \d+ \d+\|$/);
    // The screenshot's corner is Dracula's background (#282a36).
    const pixel = new TextDecoder().decode(
      (await new Deno.Command("/usr/bin/convert", {
        args: [`${dir}/shot.png`, "-format", "%[hex:p{2,2}]", "info:"],
        stdout: "piped",
      }).output()).stdout,
    );
    assertEquals(pixel.slice(0, 6).toLowerCase(), "282a36");
    assertStringIncludes(await Deno.readTextFile(`${dir}/demo.svg`), "pictures");
  });
});

Deno.test({
  name: "tape fails on a missing Require before running, with its file and line",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withDir(async (dir) => {
    const name = await tape(
      dir,
      "req.tape",
      'Output x.cast\nRequire sh\nRequire no-such-program-zz9\nType "x"\n',
    );
    const r = await runCli(["tape", name], { cwd: dir });
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(
      r.stderr,
      "req.tape:3: Require no-such-program-zz9: no-such-program-zz9 is not found on $PATH",
    );
    assertStringIncludes(r.stderr, "error: nothing was run");
    assertEquals(await files(dir), ["req.tape"]);
  });
});

Deno.test({
  name: "tape reports a timed-out Wait with the command and the screen, and keeps complete files",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withDir(async (dir) => {
    const name = await tape(
      dir,
      "wait.tape",
      'Output x.cast\nOutput x.txt\nSet Shell sh\nSet Rows 4\nType "echo almost" Enter\nWait@500ms /done$/\nType "never typed"\n',
    );
    const r = await runCli(["tape", name], { cwd: dir });
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(
      r.stderr,
      'wait.tape:6: Wait@500ms /done$/: timed out after 500 ms waiting for /done$/ to match the line the cursor is on; it was: ">"',
    );
    assertStringIncludes(r.stderr, "the screen was:\n  │> echo almost\n  │almost\n  │>\n");
    assertStringIncludes(r.stderr, "wrote what ran before the failure to x.cast, x.txt");
    const { events } = await readCast(`${dir}/x.cast`);
    assert(events.some((e) => e.data.includes("almost")));
    assert(!events.some((e) => e.code === "x"), "no exit event for a run that failed");
    assertEquals(splitGolden(await Deno.readTextFile(`${dir}/x.txt`)).length, 2);
  });
});

Deno.test({
  name: "tape writes asciicast v2 with -f, and only -o outputs with --no-tape-outputs",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withDir(async (dir) => {
    const name = await tape(
      dir,
      "v2.tape",
      'Output tape.cast\nSet Shell sh\nType "echo v2" Enter\n',
    );
    const r = await runCli([
      "tape",
      "--no-tape-outputs",
      "-f",
      "asciicast-v2",
      name,
      "-o",
      "mine.cast",
    ], {
      cwd: dir,
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await files(dir), ["mine.cast", "v2.tape"]);
    const text = await Deno.readTextFile(`${dir}/mine.cast`);
    assertMatch(text, /^\{"version":2,"width":76,"height":16,/);
    assert(!text.split("\n")[0]!.includes("timestamp"));
  });
});
