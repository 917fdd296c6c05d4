/**
 * `asciirec edit` as a user runs it: the listing, edits from and to files and pipes, the
 * header kept, the rules for output files, and every kind of bad input refused plainly
 * (usage errors with status 2, others with 1, never a stack trace, never an OUT).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli, TEST_ENV } from "./_cli.ts";

const V2 =
  `{"version":2,"width":20,"height":3,"timestamp":1700000000,"idle_time_limit":2.5,"title":"demo","env":{"SHELL":"/bin/bash"},"theme":{"fg":"#ffffff","bg":"#000000","palette":"#000000:#111111:#222222:#333333:#444444:#555555:#666666:#777777"},"x_tool":{"keep":true}}
[0.5, "o", "$ make\\r\\n"]
[1.0, "m", "build"]
[2.0, "o", "\\u001b[32mcompiling\\u001b[0m\\r\\n"]
[2.5, "i", "\\r"]
[9.0, "r", "30x4"]
[10.0, "o", "\\u001b[2J\\u001b[Hdone\\r\\n"]
[11.0, "m", "test"]
[12.0, "o", "$ "]
[13.0, "x", "0"]
`;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-edit-test-" });
  try {
    await Deno.writeTextFile(`${dir}/in.cast`, V2);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

function assertNoStack(stderr: string) {
  assert(!/^\s+at /m.test(stderr), `no stack trace expected:\n${stderr}`);
}

/** Lines of a cast file, the header parsed and each event as [time, code, data]. */
function parseCast(text: string): { header: Record<string, unknown>; events: unknown[][] } {
  const [first, ...rest] = text.trimEnd().split("\n");
  return { header: JSON.parse(first!), events: rest.map((l) => JSON.parse(l)) };
}

Deno.test("edit --list prints the duration, markers, resizes and pauses to choose times from", async () => {
  await withDir(async (dir) => {
    const r = await runCli(["edit", `${dir}/in.cast`, "--list"]);
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals(
      r.stdout,
      `${dir}/in.cast: asciicast v2, 20x3, 9 events
duration  00:13.000
title     "demo"
idle_time_limit  2.5 s (players apply it)
markers   2
  m1  00:01.000  "build"
  m2  00:11.000  "test"
resizes   1
  00:09.000  30x4
pauses over 2.5 s   1
  00:02.500..00:09.000  6.500 s
`,
    );
    const limit = await runCli(["edit", "-", "--list", "--idle-limit", "0.9"], { stdin: V2 });
    assertStringIncludes(limit.stdout, "stdin: asciicast v2");
    assertStringIncludes(limit.stdout, "pauses over 0.9 s   6\n");
  });
});

Deno.test("edit cuts, rebuilds the screen after the cut, and keeps the header", async () => {
  await withDir(async (dir) => {
    const r = await runCli([
      "edit",
      `${dir}/in.cast`,
      `${dir}/out.cast`,
      "--cut",
      "0:03..marker:test",
      "--title",
      "short demo",
    ]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const out = parseCast(await Deno.readTextFile(`${dir}/out.cast`));
    assertEquals(out.header, {
      version: 3,
      term: {
        cols: 20,
        rows: 3,
        theme: {
          fg: "#ffffff",
          bg: "#000000",
          palette: "#000000:#111111:#222222:#333333:#444444:#555555:#666666:#777777",
        },
      },
      timestamp: 1700000000,
      idle_time_limit: 2.5,
      title: "short demo",
      env: { SHELL: "/bin/bash" },
      x_tool: { keep: true },
    });
    assertEquals(out.events.slice(0, 4), [
      [0.5, "o", "$ make\r\n"],
      [0.5, "m", "build"],
      [1.0, "o", "\x1b[32mcompiling\x1b[0m\r\n"],
      [0.5, "i", "\r"],
    ]);
    // At 3 s the cut starts; at 11 s (marker "test") the screen is rebuilt: a resize to
    // the size then, the snapshot, then the marker and the rest.
    assertEquals(out.events.slice(4).map(([t, c]) => [t, c]), [
      [0.5, "r"],
      [0.0, "o"],
      [0.0, "m"],
      [1.0, "o"],
      [1.0, "x"],
    ]);
    assertEquals(out.events[4]![2], "30x4");
    const snapshot = out.events[5]![2] as string;
    assert(snapshot.startsWith("\x1bc") && snapshot.includes("done"), snapshot);
  });
});

Deno.test("edit reads stdin and writes stdout, looking markers up in a copy of stdin", async () => {
  const r = await runCli(
    ["edit", "-", "-", "-f", "asciicast-v2", "--keep", "m1..m2", "--speed", "2"],
    { stdin: V2 },
  );
  assertEquals(r.code, 0, r.stderr);
  const out = parseCast(r.stdout);
  assertEquals(out.header.version, 2);
  assertEquals([out.header.width, out.header.height], [20, 3]);
  assertEquals(out.events.map(([t, c]) => [t, c]), [
    [0, "o"],
    [0, "m"],
    [0.5, "o"],
    [0.75, "i"],
    [4.0, "r"],
    [4.5, "o"],
    [5.0, "m"],
  ]);
  const txt = await runCli(["edit", "-", "-", "-f", "txt", "--cut", "5.."], { stdin: V2 });
  assertEquals(txt.stdout, "$ make\ncompiling\n");
});

Deno.test("edit --drop resizes keeps one size, the largest, and --idle-limit caps pauses", async () => {
  await withDir(async (dir) => {
    const r = await runCli([
      "edit",
      `${dir}/in.cast`,
      `${dir}/out.cast`,
      "--drop",
      "resizes,input",
      "--idle-limit",
      "1",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const out = parseCast(await Deno.readTextFile(`${dir}/out.cast`));
    assertEquals(out.header.term, {
      cols: 30,
      rows: 4,
      theme: (out.header.term as { theme: unknown }).theme,
    });
    assertEquals(out.events.map(([t, c]) => [t, c]), [
      [0.5, "o"],
      [0.5, "m"],
      [1.0, "o"],
      [1.0, "o"],
      [1.0, "m"],
      [1.0, "o"],
      [1.0, "x"],
    ]);
  });
});

Deno.test("edit follows convert's rules for the output file, and writes it whole or not at all", async (t) => {
  await withDir(async (dir) => {
    const input = `${dir}/in.cast`;
    await t.step(
      "a non-empty file needs --overwrite, and keeps its mode when replaced",
      async () => {
        await Deno.writeTextFile(`${dir}/taken.cast`, "keep me");
        await Deno.chmod(`${dir}/taken.cast`, 0o640);
        const r = await runCli(["edit", input, `${dir}/taken.cast`, "--speed", "2"]);
        assertEquals(r.code, 1);
        assertEquals(
          r.stderr,
          `error: ${dir}/taken.cast: file exists, use --overwrite option to overwrite the file\n`,
        );
        assertEquals(await Deno.readTextFile(`${dir}/taken.cast`), "keep me");
        const again = await runCli(["edit", "--overwrite", input, `${dir}/taken.cast`]);
        assertEquals(again.code, 0, again.stderr);
        assertStringIncludes(await Deno.readTextFile(`${dir}/taken.cast`), '"version":3');
        assertEquals((await Deno.stat(`${dir}/taken.cast`)).mode! & 0o777, 0o640);
      },
    );
    await t.step("the input itself is never the output", async () => {
      const r = await runCli(["edit", "--overwrite", input, input, "--cut", "1..2"]);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, "is the input file");
      assertEquals(await Deno.readTextFile(input), V2);
    });
    await t.step("parent directories are not created", async () => {
      const r = await runCli(["edit", input, `${dir}/no/such/out.cast`]);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, `error: cannot create ${dir}/no/such/out.cast`);
    });
    await t.step("a failed edit leaves nothing beside the output", async () => {
      const before = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      const r = await runCli(["edit", input, `${dir}/late.cast`, "--keep", "5..99"]);
      assertEquals(r.code, 1);
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), before);
    });
  });
});

Deno.test("edit refuses bad input plainly, and writes no output", async (t) => {
  await withDir(async (dir) => {
    const input = `${dir}/in.cast`;
    await Deno.writeTextFile(
      `${dir}/bad.cast`,
      '{"version":2,"width":20,"height":3}\n[0.5, "o", "a"]\n[1.0, "o"]\n',
    );
    const cases: [string, string[], number, string][] = [
      [
        "an unparseable time is a usage error naming the option and the value",
        ["--cut", "12x..20"],
        2,
        `error: option '--cut <range>' argument '12x..20' is invalid. "12x" is not a time`,
      ],
      [
        "an unparseable speed is a usage error",
        ["--speed", "fast"],
        2,
        `error: option '--speed <x[@range]>' argument 'fast' is invalid.`,
      ],
      [
        "an unknown kind to drop is a usage error",
        ["--drop", "output"],
        2,
        '"output" is not an event kind to drop (one of input, markers, resizes)',
      ],
      [
        "a range outside the recording names the range and the duration",
        ["--keep", "20..30"],
        1,
        "error: --keep 20..30 starts after the end of the recording, which lasts 00:13.000\n",
      ],
      [
        "a range ending after the recording says how to reach the end",
        ["--cut", "5..20"],
        1,
        "error: --cut 5..20 ends after the end of the recording, which lasts 00:13.000; leave the end open (FROM..) to go to the end\n",
      ],
      [
        "FROM after TO names the range and the duration",
        ["--keep", "0:10..0:05"],
        1,
        "error: --keep 0:10..0:05: 00:10.000 is after 00:05.000; write FROM..TO (the recording lasts 00:13.000)\n",
      ],
      [
        "a marker label that does not exist lists the labels that do",
        ["--keep", "marker:deploy.."],
        1,
        'error: there is no marker labelled "deploy"; the markers are "build", "test" (the recording lasts 00:13.000)\n',
      ],
      [
        "an edit that leaves nothing is an error",
        ["--cut", "..13"],
        1,
        "error: the edit leaves nothing of the recording, which lasts 00:13.000\n",
      ],
      [
        "an edit that keeps no event is an error",
        ["--keep", "..0.4"],
        1,
        "error: the edit leaves nothing of the recording, which lasts 00:13.000\n",
      ],
    ];
    for (const [name, args, code, message] of cases) {
      await t.step(name, async () => {
        const r = await runCli(["edit", input, `${dir}/out.cast`, ...args]);
        assertEquals(r.code, code, r.stderr);
        if (message.endsWith("\n")) assertEquals(r.stderr, message);
        else assertStringIncludes(r.stderr, message);
        assertNoStack(r.stderr);
        assertEquals(await exists(`${dir}/out.cast`), false, "no output is written");
      });
    }
    await t.step("a malformed IN is reported as FILE:LINE: what", async () => {
      const r = await runCli(["edit", `${dir}/bad.cast`, `${dir}/out.cast`, "--speed", "2"]);
      assertEquals(r.code, 1);
      assertMatch(r.stderr, new RegExp(`^error: ${dir}/bad.cast:3: `));
      assertNoStack(r.stderr);
      assertEquals(await exists(`${dir}/out.cast`), false);
    });
    await t.step("--list takes no output and no edit", async () => {
      const withOut = await runCli(["edit", input, `${dir}/out.cast`, "--list"]);
      assertEquals(withOut.code, 2);
      const withCut = await runCli(["edit", input, "--list", "--cut", "1..2"]);
      assertEquals(withCut.code, 2);
      const noOut = await runCli(["edit", input, "--cut", "1..2"]);
      assertEquals([noOut.code, noOut.stderr], [
        2,
        "error: give the OUTPUT file (or - for stdout), or --list\n",
      ]);
    });
  });
});

Deno.test({
  name: "kill -9 during an edit leaves IN untouched and no OUT",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await withDir(async (dir) => {
    // A recording long enough, and an edit that parses nearly all of it (a cut near the
    // end needs the screen there), so the edit is still running when it is killed.
    const lines = ['{"version":2,"width":80,"height":24}'];
    for (let i = 0; i < 300_000; i++) {
      lines.push(JSON.stringify([i / 100, "o", `\x1b[3${i % 8}mline ${i} ${"x".repeat(60)}\r\n`]));
    }
    const text = lines.join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/big.cast`, text);
    const child = spawnCli([
      "edit",
      `${dir}/big.cast`,
      `${dir}/out.cast`,
      "--cut",
      "10..20",
      "--cut",
      "2990..2991",
    ]);
    await untilWriting(dir);
    child.kill("SIGKILL");
    const status = await child.status;
    assertEquals(status.signal, "SIGKILL", "killed while still editing");
    assertEquals(await exists(`${dir}/out.cast`), false);
    assertEquals(await Deno.readTextFile(`${dir}/big.cast`), text);
  });
});

Deno.test({
  name: "an interrupted edit removes its temporary file and leaves no OUT",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await withDir(async (dir) => {
    // The recording comes through a pipe that stays open: the edit waits for more.
    const fifo = `${dir}/in.fifo`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert(made.success, "mkfifo");
    const child = spawnCli(["edit", fifo, `${dir}/out.cast`, "--speed", "2"]);
    const pipe = await Deno.open(fifo, { write: true });
    try {
      await pipe.write(new TextEncoder().encode(V2.split("\n").slice(0, 4).join("\n") + "\n"));
      await untilWriting(dir);
      child.kill("SIGINT");
      const status = await child.status;
      assertEquals(status.code, 130);
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["in.cast", "in.fifo"]);
    } finally {
      pipe.close();
    }
  });
});

function spawnCli(args: string[]): Deno.ChildProcess {
  const [cmd, ...rest] = cliArgv();
  return new Deno.Command(cmd!, {
    args: [...rest, ...args],
    env: TEST_ENV,
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** Resolves once an edit in `dir` has started writing (its temporary file is there). */
async function untilWriting(dir: string): Promise<void> {
  const started = Date.now();
  while (![...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".asciirec-tmp"))) {
    if (Date.now() - started > 30_000) throw new Error("the edit never started writing");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("edit shows its progress on stderr only when stderr is a terminal, and -q hides it", async () => {
  await withDir(async (dir) => {
    const lines = ['{"version":2,"width":20,"height":3}'];
    for (let i = 0; i < 5000; i++) lines.push(JSON.stringify([i / 10, "o", `${i}\r\n`]));
    await Deno.writeTextFile(`${dir}/long.cast`, lines.join("\n") + "\n");
    const edit = [...cliArgv(), "edit", `${dir}/long.cast`, "--cut", "10..20"];
    // script(1) gives the command a terminal; its own output is the terminal's. Its stdin
    // stays open meanwhile: at end of input, script may end before the command does.
    const inTerminal = async (args: string[]) => {
      // (A pause after it: script can lose the output of a command that ends at once.)
      const line = [...edit, ...args].map((a) => `'${a}'`).join(" ") + "; sleep 0.3";
      const child = new Deno.Command("script", {
        args: ["-qec", line, "/dev/null"],
        env: TEST_ENV,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = new Response(child.stdout).text();
      const errors = new Response(child.stderr).text();
      await child.status;
      await errors;
      await child.stdin.close();
      return await output;
    };
    assertMatch(await inTerminal([`${dir}/a.cast`]), /editing \d\d:\d\d\.\d{3}/);
    assertEquals((await inTerminal([`${dir}/b.cast`, "-q"])).includes("editing"), false);
    const piped = await runCli(["edit", `${dir}/long.cast`, `${dir}/c.cast`, "--cut", "10..20"]);
    assertEquals([piped.code, piped.stderr], [0, ""]);
  });
});
