/**
 * `asciirec rec` as a process without a terminal (CI-like): headless recording, file rules
 * (refuse, overwrite, append), exit statuses, signals, and crash safety after `kill -9`.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli } from "./_cli.ts";
import { shellQuote } from "./_shell_quote.ts";
import type { Event, Header } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";

/** The shell words that run asciirec. */
const ASCIIREC = cliArgv().map(shellQuote).join(" ");

async function readBack(
  path: string,
): Promise<{ header: Header; events: Event[]; warnings: string[] }> {
  const warnings: string[] = [];
  const recording = await openRecording(path, { onWarning: (w) => warnings.push(w) });
  const events: Event[] = [];
  for await (const e of recording.events) events.push(e);
  return { header: recording.header, events, warnings };
}

const output = (events: Event[]) =>
  events.filter((e) => e.code === "o").map((e) => e.data).join("");

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-rec-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("rec records headless with no terminal at all: `< /dev/null | cat`", async () => {
  await withDir(async (dir) => {
    const out = await new Deno.Command("sh", {
      args: ["-c", `${ASCIIREC} rec -c 'echo hi' sub/dir/out.cast < /dev/null | cat`],
      cwd: dir,
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertStringIncludes(stderr, "::: Recording to sub/dir/out.cast");
    assertStringIncludes(stderr, "::: Recorded to sub/dir/out.cast");
    assert(!stderr.includes("Press <ctrl+d>"), "the exit hint is for interactive shells only");
    const { header, events } = await readBack(`${dir}/sub/dir/out.cast`);
    assertEquals(header.version, 3);
    assertEquals([header.cols, header.rows], [80, 24]);
    assertEquals(header.command, "echo hi");
    assertEquals(header.termType, undefined);
    assertEquals(Object.keys(header.env ?? {}), Deno.env.get("SHELL") ? ["SHELL"] : []);
    assertEquals(output(events), "hi\r\n");
    assertEquals(events.at(-1), { time: events.at(-1)!.time, code: "x", data: "0" });
  });
});

Deno.test("rec writes the header fields from the flags and gives the child ASCIINEMA_REC", async () => {
  await withDir(async (dir) => {
    const res = await runCli([
      "rec",
      "-c",
      'printf "%s %s %s|" "$ASCIINEMA_REC" "$ASCIIREC" "$ASCIINEMA_SESSION"; stty size',
      "-t",
      "My title",
      "-i",
      "1.5",
      "--capture-env",
      "HOME,NOT_SET_ANYWHERE",
      "--window-size",
      "132x",
      "-q",
      "a.cast",
    ], { cwd: dir });
    assertEquals(res.code, 0, res.stderr);
    assertEquals(res.stderr, ""); // -q
    const { header, events } = await readBack(`${dir}/a.cast`);
    assertEquals(header.title, "My title");
    assertEquals(header.idleTimeLimit, 1.5);
    assertEquals(header.env, { HOME: Deno.env.get("HOME")! });
    assertEquals([header.cols, header.rows], [132, 24]);
    assertMatch(output(events), /^1 1 [0-9a-f]+\|24 132\r\n$/);
  });
});

Deno.test("rec --return exits with the child's status; without it, 0", async (t) => {
  const cases: [string, string[], number, string][] = [
    ["exit code", ["--return", "-c", "exit 3"], 3, "3"],
    ["killed by a signal", ["--return", "-c", "kill -9 $$"], 137, "137"],
    ["no --return", ["-c", "exit 3"], 0, "3"],
  ];
  for (const [name, args, code, x] of cases) {
    await t.step(name, async () => {
      await withDir(async (dir) => {
        const res = await runCli(["rec", ...args, "r.cast"], { cwd: dir });
        assertEquals(res.code, code, res.stderr);
        const { events } = await readBack(`${dir}/r.cast`);
        assertEquals(events.at(-1)?.code, "x");
        assertEquals(events.at(-1)?.data, x);
      });
    });
  }
});

Deno.test("rec refuses an existing non-empty file and leaves it untouched", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/keep.cast`;
    await Deno.writeTextFile(path, "precious\n");
    const res = await runCli(["rec", "-c", "echo no", path]);
    assertEquals(res.code, 1);
    assertStringIncludes(res.stderr, "file exists, use --overwrite or --append");
    assertEquals(await Deno.readTextFile(path), "precious\n");

    const over = await runCli(["rec", "--overwrite", "-c", "echo yes", path]);
    assertEquals(over.code, 0, over.stderr);
    assertEquals(output((await readBack(path)).events), "yes\r\n");

    const both = await runCli(["rec", "--overwrite", "--append", "-c", "true", path]);
    assertEquals(both.code, 2);
  });
});

Deno.test("rec overwrites an existing empty file silently", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/empty.cast`;
    await Deno.writeTextFile(path, "");
    const res = await runCli(["rec", "-c", "echo x", path]);
    assertEquals(res.code, 0, res.stderr);
    assertEquals(output((await readBack(path)).events), "x\r\n");
  });
});

for (const format of ["asciicast-v3", "asciicast-v2"] as const) {
  Deno.test(`rec --append continues an ${format} file's format and timeline`, async () => {
    await withDir(async (dir) => {
      const path = `${dir}/a.cast`;
      const first = await runCli([
        "rec",
        "-f",
        format,
        "-c",
        "echo one; sleep 0.2; echo two",
        path,
      ]);
      assertEquals(first.code, 0, first.stderr);
      const before = await readBack(path);
      const lastTime = before.events.at(-1)!.time;
      assert(lastTime >= 200_000, `two outputs 0.2 s apart, last at ${lastTime}`);

      const second = await runCli([
        "rec",
        "--append",
        "--window-size",
        "100x30",
        "-c",
        "echo three",
        path,
      ]);
      assertEquals(second.code, 0, second.stderr);
      const after = await readBack(path);
      assertEquals(after.header, before.header);
      assertEquals(after.events.slice(0, before.events.length), before.events);
      const added = after.events.slice(before.events.length);
      assertEquals(added[0]?.code, "r");
      assertEquals(added[0]?.data, "100x30");
      assertEquals(output(added), "three\r\n");
      assertEquals(added.at(-1)?.data, "0");
      for (const e of added) assert(e.time >= lastTime, `event at ${e.time} before ${lastTime}`);
      const other = format === "asciicast-v3" ? "asciicast-v2" : "asciicast-v3";
      const mixed = await runCli(["rec", "-a", "-f", other, "-c", "true", path]);
      assertEquals(mixed.code, 2, mixed.stderr);
      assertStringIncludes(mixed.stderr, "cannot append");
      assertEquals((await readBack(path)).events.length, after.events.length);
    });
  });
}

Deno.test("rec writes plain text for a .txt file and raw output with -f raw", async () => {
  await withDir(async (dir) => {
    const txt = await runCli(["rec", "-c", "printf 'abc\\033[2Dx\\n'", `${dir}/out.txt`]);
    assertEquals(txt.code, 0, txt.stderr);
    assertMatch(await Deno.readTextFile(`${dir}/out.txt`), /^axc\n/);
    const raw = await runCli(["rec", "-f", "raw", "-c", "printf 'r\\033[1mb'", `${dir}/out.raw`]);
    assertEquals(raw.code, 0, raw.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/out.raw`), "\x1b[8;24;80tr\x1b[1mb");
  });
});

Deno.test("rec keeps a UTF-8 character split across PTY reads intact in the file", async () => {
  await withDir(async (dir) => {
    const res = await runCli([
      "rec",
      "-c",
      "printf '\\342\\202'; sleep 0.3; printf '\\254\\n'",
      `${dir}/u.cast`,
    ]);
    assertEquals(res.code, 0, res.stderr);
    const text = await Deno.readTextFile(`${dir}/u.cast`);
    assert(!text.includes("\\ufffd") && !text.includes("\ufffd"), text);
    assertEquals(output((await readBack(`${dir}/u.cast`)).events), "€\r\n");
  });
});

Deno.test("rec takes piped stdin as keyboard input when headless", async () => {
  await withDir(async (dir) => {
    const res = await runCli(["rec", "-I", "--return", "-c", "sh", `${dir}/p.cast`], {
      stdin: "echo piped-$((2*3))\nexit 4\n",
    });
    assertEquals(res.code, 4, res.stderr);
    const { events } = await readBack(`${dir}/p.cast`);
    assertStringIncludes(output(events), "piped-6");
    assertEquals(
      events.filter((e) => e.code === "i").map((e) => e.data).join(""),
      "echo piped-$((2*3))\nexit 4\n",
    );
  });
});

Deno.test("rec rejects bad flag values as usage errors", async (t) => {
  for (
    const args of [
      ["--window-size", "big"],
      ["--marker-key", "abc"],
      ["-i", "-1"],
      ["-f", "asciicast-v9"],
    ]
  ) {
    await t.step(args.join(" "), async () => {
      const res = await runCli(["rec", ...args, "-c", "true", "/tmp/never-written.cast"]);
      assertEquals(res.code, 2, res.stderr);
    });
  }
});

Deno.test({
  name: "rec ends the session on SIGTERM by terminating the child, and finishes the file",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withDir(async (dir) => {
      const path = `${dir}/t.cast`;
      const [cmd, ...args] = cliArgv();
      const child = new Deno.Command(cmd!, {
        args: [...args, "rec", "-c", "echo started; exec sleep 100", path],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      await waitForFile(path, (text) => text.includes("started"));
      child.kill("SIGTERM");
      const status = await child.status;
      assertEquals(status.code, 0);
      const { events } = await readBack(path);
      assertEquals(events.at(-1)?.code, "x");
      assertEquals(events.at(-1)?.data, "143");
      await child.stderr.cancel();
    });
  },
});

/** Waits until the file exists and its text satisfies `ok`. */
async function waitForFile(path: string, ok: (text: string) => boolean): Promise<string> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const text = await Deno.readTextFile(path).catch(() => "");
    if (ok(text)) return text;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${path}: ${text}`);
    await delay(50);
  }
}

Deno.test({
  name: "rec killed with SIGKILL leaves a file with every event written before the kill",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withDir(async (dir) => {
      const path = `${dir}/k.cast`;
      const [cmd, ...args] = cliArgv();
      const child = new Deno.Command(cmd!, {
        args: [
          ...args,
          "rec",
          "-c",
          'echo "pid=$$"; i=0; while :; do i=$((i+1)); echo "line-$i"; done',
          path,
        ],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      // Wait until the file shows steady output, then kill without warning.
      const seen = await waitForFile(path, (text) => /line-5000\b/.test(text));
      child.kill("SIGKILL");
      await child.status;

      const { header, events, warnings } = await readBack(path);
      assertEquals(header.version, 3);
      assert(warnings.length <= 1, `at most a cut-off last line: ${warnings}`);
      const text = output(events);
      const lines = [...text.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
      // Every line up to the last one in the file, in order, none missing…
      assertEquals(lines, Array.from({ length: lines.length }, (_, i) => i + 1));
      // …and at least everything that was already in the file before the kill.
      assert(lines.length >= 5000, `only ${lines.length} lines survived`);
      assert(text.length >= output(parseLoose(seen)).length);
      let last = 0;
      for (const e of events) {
        assert(e.time >= last, "times go backwards");
        last = e.time;
      }
      // The recorded shell did not outlive asciirec: its terminal was hung up.
      const pid = Number(/pid=(\d+)/.exec(text)?.[1]);
      assert(pid > 0);
      const deadline = performance.now() + 10_000;
      while (await Deno.stat(`/proc/${pid}`).then(() => true, () => false)) {
        if (performance.now() > deadline) throw new Error(`the recorded shell ${pid} lives on`);
        await delay(50);
      }
    });
  },
});

/** Events of a v3 file's complete lines (times ignored). */
function parseLoose(text: string): Event[] {
  return text.split("\n").slice(1).flatMap((line) => {
    try {
      const [, code, data] = JSON.parse(line);
      return [{ time: 0, code, data }];
    } catch {
      return [];
    }
  });
}
