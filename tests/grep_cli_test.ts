/**
 * `asciirec grep` as a process, on recordings of real programs made with
 * `asciirec rec --headless`: a curses program (text placed by cursor addressing that never
 * appears as such in the file), vim (the alternate screen, a jump that rewrites the screen),
 * a burst of output that scrolls lines away within one event, and text that exists only
 * inside escape sequences. Then the flags, the exit statuses, and `play --from` at a match.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { skipWithoutPeer } from "./_peers.ts";
import type { Event } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { Vt } from "../lib/vt/vt.ts";

const PYTHON = "/usr/bin/python3";
const VIM = "/usr/bin/vim";
const ENV = { TERM: "xterm-256color", LANG: "C.UTF-8" };

let dir: string | undefined;
async function workDir(): Promise<string> {
  return dir ??= await Deno.makeTempDir({ prefix: "asciirec-grep-" });
}

/** Records `command` headless (80x24) into NAME.cast and returns the path. */
async function record(name: string, command: string): Promise<string> {
  const path = `${await workDir()}/${name}.cast`;
  const result = await runCli(["rec", "-q", "--headless", "--overwrite", "-c", command, path], {
    cwd: await workDir(),
    env: ENV,
  });
  assertEquals(result.code, 0, result.stderr);
  return path;
}

interface JsonMatch {
  file: string;
  time: number;
  clock: string;
  marker: { number: number; label: string; time: number } | null;
  line: string;
  ranges: [number, number][];
  screen: string;
}

async function grepJson(args: string[]): Promise<JsonMatch[]> {
  const result = await runCli(["grep", "--json", ...args]);
  assert(result.code === 0 || result.code === 1, result.stderr);
  return result.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

async function events(path: string): Promise<Event[]> {
  const recording = await openRecording(path);
  const all: Event[] = [];
  for await (const event of recording.events) all.push(event);
  return all;
}

const CURSES = `
import curses, time
def main(s):
    curses.curs_set(0)
    s.addstr(2, 4, "Build monitor")
    s.addstr(10, 20, "STATUS: waiting")
    s.refresh(); time.sleep(0.3)
    s.addstr(10, 20, "STATUS: ready  ")
    s.refresh(); time.sleep(0.3)
curses.wrapper(main)
`;

Deno.test({
  name:
    "grep finds text a curses program drew by cursor addressing, which the file never holds whole",
  ignore: skipWithoutPeer(PYTHON),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.writeTextFile(`${await workDir()}/monitor.py`, CURSES);
    const path = await record("curses", `${PYTHON} monitor.py`);
    // curses sends only what changed ("ready"), after a cursor movement.
    assert(!(await Deno.readTextFile(path)).includes("STATUS: ready"));
    const matches = await grepJson(["STATUS: ready", path]);
    assertEquals(matches.map((m) => [m.line, m.ranges, m.screen]), [
      ["                    STATUS: ready", [[20, 33]], "alternate"],
    ]);
    // Its time is that of the event that wrote "ready".
    const drew = (await events(path)).find((e) => e.data.includes("ready"))!;
    assertEquals(Math.round(matches[0]!.time * 1000), Math.round(drew.time / 1000));
  },
});

Deno.test({
  name: "grep finds text in vim's alternate screen, also after a jump that rewrites it in place",
  ignore: skipWithoutPeer(VIM),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lines = Array.from({ length: 300 }, (_, i) => `needle-${i + 1} in a haystack`);
    await Deno.writeTextFile(`${await workDir()}/hay.txt`, lines.join("\n") + "\n");
    const path = await record(
      "vim",
      "vim -u NONE -N -n -i NONE -c redraw -c 'sleep 300m' -c 'normal 150G' -c redraw " +
        "-c 'sleep 300m' -c 'qa!' hay.txt",
    );
    const matches = await grepJson(["needle-(5|150) ", path]);
    assertEquals(matches.map((m) => [m.line, m.screen]), [
      ["needle-5 in a haystack", "alternate"],
      ["needle-150 in a haystack", "alternate"],
    ]);
    assert(matches[0]!.time < matches[1]!.time);
    // vim rewrites only the digits that differ ("needle-" stays): the rows show new lines,
    // so every line of both screens counts.
    const count = await runCli(["grep", "-c", "needle", path]);
    assertEquals(count.stdout, "46\n", count.stderr);
  },
});

Deno.test({
  name: "grep finds lines that scrolled away within one event, each with that event's time",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A line before the burst, then 200 lines in one write, then a last line.
    const path = await record(
      "burst",
      "echo early-line; sleep 0.3; seq -f 'burst-%g' 1 200 | tr '\\n' '\\n' > burst.txt; " +
        "cat burst.txt; sleep 0.3; echo late-line",
    );
    const all = await events(path);
    const matches = await grepJson(["^(early-line|burst-(1|17|200)|late-line)$", path]);
    assertEquals(matches.map((m) => m.line), [
      "early-line",
      "burst-1",
      "burst-17",
      "burst-200",
      "late-line",
    ]);
    const timeOf = (text: string) =>
      Math.round(all.find((e) => e.code === "o" && e.data.includes(text))!.time / 1000);
    for (const m of matches) assertEquals(Math.round(m.time * 1000), timeOf(m.line), m.line);
    // "early-line" scrolled off with the burst: it is still reported once, at its own time.
    assert(matches[0]!.time < matches[1]!.time);
  },
});

Deno.test({
  name: "grep does not find text that was only inside escape sequences (titles, links, DCS)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const path = await record(
      "escapes",
      "printf '\\033]0;title-secret\\007\\033]8;;https://link-secret.example/\\033\\\\" +
        "shown-text\\033]8;;\\033\\\\ \\033P$qsecret-dcs\\033\\\\\\033[1;31mred-text\\033[0m\\n'",
    );
    assertStringIncludes(await Deno.readTextFile(path), "secret");
    const none = await runCli(["grep", "secret", path]);
    assertEquals([none.code, none.stdout], [1, ""]);
    const found = await runCli(["grep", "shown-text red-text", path]);
    assertEquals([found.code, found.stdout.trimEnd().split(": ").at(-1)], [
      0,
      "shown-text red-text",
    ]);
  },
});

Deno.test({
  name: "grep flags: -i, -F, -c, -l, --json, --context, several files, exit 0/1/2",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const root = await workDir();
    const a = `${root}/a.cast`;
    const b = `${root}/b.cast`;
    await Deno.writeTextFile(
      a,
      [
        { version: 3, term: { cols: 40, rows: 10 } },
        [1, "o", "Error: disk full\r\n"],
        [1, "m", "deploy"],
        [1, "o", "price: a.c costs 3$\r\n"],
        [1, "o", "later line\r\n"],
        [30, "o", "error again\r\n"],
      ].map((l) => JSON.stringify(l)).join("\n") + "\n",
    );
    await Deno.writeTextFile(
      b,
      JSON.stringify({ version: 2, width: 20, height: 5 }) + "\n" +
        JSON.stringify([0.5, "o", "nothing here\r\n"]) + "\n",
    );
    const run = (args: string[]) => runCli(["grep", ...args]);
    await t.step("a match exits 0 and prints TIME (MARKER): LINE", async () => {
      const r = await run(["error", a]);
      assertEquals([r.code, r.stdout], [0, "00:34.000 (m1 deploy): error again\n"]);
    });
    await t.step("-i ignores case; several files get FILE: in front", async () => {
      const r = await run(["-i", "error", a, b]);
      assertEquals(
        r.stdout,
        `${a}:00:01.000: Error: disk full\n${a}:00:34.000 (m1 deploy): error again\n`,
      );
    });
    await t.step("-F takes the pattern as it is", async () => {
      assertEquals((await run(["-F", "a.c costs 3$", a])).code, 0);
      assertEquals((await run(["-F", "a.. costs", a])).code, 1);
      assertEquals((await run(["a.. costs 3\\$", a])).code, 0);
    });
    await t.step("-c counts per file, -l names the files with a match", async () => {
      assertEquals((await run(["-c", "-i", "error", a, b])).stdout, `${a}:2\n${b}:0\n`);
      assertEquals((await run(["-l", "-i", "error", a, b])).stdout, `${a}\n`);
    });
    await t.step("--json: one object per match", async () => {
      const [m] = await grepJson(["disk", a]);
      assertEquals(m, {
        file: a,
        time: 1,
        clock: "00:01.000",
        marker: null,
        line: "Error: disk full",
        ranges: [[7, 11]],
        screen: "normal",
      });
    });
    await t.step(
      "--context N: the lines that changed N seconds around, -- between groups",
      async () => {
        const r = await run(["--context", "2.5", "-i", "error", a]);
        assertEquals(
          r.stdout,
          "00:01.000: Error: disk full\n" +
            "00:03.000- price: a.c costs 3$\n" +
            "--\n" +
            "00:34.000 (m1 deploy): error again\n",
        );
      },
    );
    await t.step("no match exits 1; an error exits 2 even when another file matched", async () => {
      assertEquals((await run(["absent", a])).code, 1);
      const r = await run(["disk", `${root}/missing.cast`, a]);
      assertEquals(r.code, 2);
      assertStringIncludes(r.stderr, "missing.cast");
      assertStringIncludes(r.stdout, "disk full");
      assertEquals((await run(["(unclosed", a])).code, 2);
      assertEquals((await run(["disk"])).code, 2);
    });
  },
});

Deno.test({
  name: "play --from a grep result starts with the screen as it was at that moment",
  ignore: skipWithoutPeer(PYTHON),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.writeTextFile(`${await workDir()}/monitor.py`, CURSES);
    const path = await record("curses-from", `${PYTHON} monitor.py`);
    const [match] = await grepJson(["STATUS: ready", path]);
    const from = await runCli(["play", "-q", "--from", match!.clock, path]);
    assertEquals(from.code, 0, from.stderr);
    // What play wrote, in a fresh terminal: first the screen at the match…
    const all = await events(path);
    using expected = new Vt(80, 24, { sync: true });
    using played = new Vt(80, 24, { sync: true });
    const at = all.findIndex((e) => e.time >= match!.time * 1e6);
    for (const e of all.slice(0, at)) if (e.code === "o") expected.feed(e.data);
    const text = from.stdout;
    const firstEvent = all[at]!.data;
    const snapshotEnd = text.indexOf(firstEvent);
    assert(snapshotEnd > 0, "the output goes on with the event at the match");
    played.feed(text.slice(0, snapshotEnd));
    assertEquals(await played.text(), await expected.text());
    assertStringIncludes(await played.text(), "STATUS: waiting");
    // …then the rest, ending as the whole recording ends.
    played.feed(text.slice(snapshotEnd));
    for (const e of all.slice(at)) if (e.code === "o") expected.feed(e.data);
    assertEquals(await played.snapshot(), await expected.snapshot());
  },
});

Deno.test({
  name: "grep test files are removed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (dir) await Deno.remove(dir, { recursive: true });
  },
});
