/**
 * `asciirec play` as a process without a terminal: the output goes to stdout with the
 * recording's timing, which is also how its timing is measured here.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli } from "./_cli.ts";

async function castFile(lines: unknown[]): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "asciirec-play-", suffix: ".cast" });
  await Deno.writeTextFile(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
  return path;
}

const V3 = { version: 3, term: { cols: 80, rows: 24 } };

/** Runs `asciirec play ARGS…` and notes when each piece of stdout arrived. */
async function playTimed(
  args: string[],
): Promise<{ code: number; chunks: { at: number; text: string }[] }> {
  const [cmd, ...rest] = cliArgv();
  const child = new Deno.Command(cmd!, {
    args: [...rest, "play", "-q", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const chunks: { at: number; text: string }[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    chunks.push({ at: performance.now(), text: decoder.decode(chunk, { stream: true }) });
  }
  return { code: (await child.status).code, chunks };
}

/** Time from the chunk holding `first` to the chunk holding `last`, in ms. */
function span(chunks: { at: number; text: string }[], first: string, last: string): number {
  const find = (needle: string) => {
    const text = chunks.map((c) => c.text).join("");
    const offset = text.indexOf(needle);
    assert(offset !== -1, `${needle} was not played`);
    let seen = 0;
    for (const chunk of chunks) {
      seen += chunk.text.length;
      if (seen > offset) return chunk.at;
    }
    throw new Error("unreachable");
  };
  return find(last) - find(first);
}

Deno.test("play writes v3, v2 and v1 recordings' output to stdout without a terminal", async (t) => {
  const cases = [
    {
      name: "v3",
      lines: [V3, [0.01, "o", "héllo "], [0.01, "i", "typed"], [0.01, "m", ""], [
        0.01,
        "o",
        "wörld\r\n",
      ], [0, "x", "0"]],
    },
    {
      name: "v2",
      lines: [{ version: 2, width: 80, height: 24 }, [0.01, "o", "héllo "], [0.02, "r", "90x30"], [
        0.03,
        "o",
        "wörld\r\n",
      ]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const file = await castFile(c.lines);
      try {
        const { code, stdout, stderr } = await runCli(["play", file]);
        assertEquals(code, 0, stderr);
        assertEquals(stdout, "héllo wörld\r\n");
        assertEquals(stderr, `::: Replaying session from ${file}\n::: Playback ended\n`);
      } finally {
        await Deno.remove(file);
      }
    });
  }
  await t.step("v1", async () => {
    const file = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        version: 1,
        width: 80,
        height: 24,
        duration: 0.2,
        stdout: [[0.1, "a"], [0.1, "b\r\n"]],
      }),
    );
    try {
      const { code, stdout } = await runCli(["play", "-q", file]);
      assertEquals(code, 0);
      assertEquals(stdout, "ab\r\n");
    } finally {
      await Deno.remove(file);
    }
  });
});

Deno.test("play --resize writes a resize request at the start and for each r event", async () => {
  const file = await castFile([V3, [0.01, "o", "a"], [0.01, "r", "100x30"], [0.01, "o", "b"]]);
  try {
    const { stdout } = await runCli(["play", "-q", "-r", file]);
    assertEquals(stdout, "\x1b[8;24;80ta\x1b[8;30;100tb");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("play - reads the recording from a pipe", async () => {
  const lines = [V3, [0.01, "o", "from "], [0.01, "o", "stdin\r\n"]];
  const { code, stdout, stderr } = await runCli(["play", "-"], {
    stdin: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  assertEquals(code, 0, stderr);
  assertEquals(stdout, "from stdin\r\n");
  assertStringIncludes(stderr, "::: Replaying session from -");
});

Deno.test("play rejects bad flag values as usage errors (exit 2)", async (t) => {
  const file = await castFile([V3]);
  try {
    const cases = [
      { args: ["-s", "0"], message: "The speed must be a positive number" },
      { args: ["-s", "-1"], message: "The speed must be a positive number" },
      { args: ["--speed", "fast"], message: "The speed must be a positive number" },
      { args: ["-i", "-1"], message: "The idle time limit must be a number of seconds" },
      { args: ["-i", "x"], message: "The idle time limit must be a number of seconds" },
    ];
    for (const c of cases) {
      await t.step(c.args.join(" "), async () => {
        const { code, stdout, stderr } = await runCli(["play", ...c.args, file]);
        assertEquals(code, 2);
        assertEquals(stdout, "");
        assertStringIncludes(stderr, c.message);
      });
    }
    await t.step("--loop with -", async () => {
      const { code, stderr } = await runCli(["play", "--loop", "-"], { stdin: "" });
      assertEquals(code, 2);
      assertMatch(stderr, /^error: --loop cannot be used with - /);
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("play reports a malformed file with the reader's file:line error, exit 1", async (t) => {
  await t.step("a bad event line after good ones", async () => {
    const file = await castFile([V3, [0.01, "o", "good\r\n"], [0.01, "o"]]);
    try {
      const { code, stdout, stderr } = await runCli(["play", file]);
      assertEquals(code, 1);
      assertEquals(stdout, "good\r\n");
      assertMatch(stderr, new RegExp(`^error: ${file}:3: `, "m"));
      assert(!stderr.includes("Playback ended"), stderr);
    } finally {
      await Deno.remove(file);
    }
  });
  await t.step("not a recording", async () => {
    const file = await Deno.makeTempFile();
    await Deno.writeTextFile(file, "hello\n");
    try {
      const { code, stderr } = await runCli(["play", file]);
      assertEquals(code, 1);
      assertMatch(stderr, new RegExp(`^error: ${file}:1: `, "m"));
    } finally {
      await Deno.remove(file);
    }
  });
  await t.step("a missing file", async () => {
    const { code, stderr } = await runCli(["play", "/nonexistent/demo.cast"]);
    assertEquals(code, 1);
    assertStringIncludes(stderr, "error: cannot open /nonexistent/demo.cast");
  });
});

Deno.test("play -s 10 plays 10 000 events over 10 s in 1 s", async () => {
  const events = Array.from({ length: 10_000 }, (_, i) => [0.001, "o", `<${i}>`]);
  const file = await castFile([V3, ...events]);
  try {
    const { code, chunks } = await playTimed(["-s", "10", file]);
    assertEquals(code, 0);
    // From the first event (at 0.1 ms) to the last (at 1000 ms), measured on the output.
    const elapsed = span(chunks, "<0>", "<9999>");
    assert(
      elapsed > 900 && elapsed < 1100,
      `played in ${elapsed.toFixed(0)} ms, expected 1000 ± 10%`,
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("play -i shortens long pauses, overriding the file's limit", async (t) => {
  // Three 5 s pauses: 15 s; limited to 0.5 s each: 1.5 s. The header's own limit is 0.1 s.
  const file = await castFile([
    { ...V3, idle_time_limit: 0.1 },
    [0.01, "o", "a"],
    [5, "o", "b"],
    [5, "o", "c"],
    [5, "o", "d"],
  ]);
  try {
    await t.step("-i 0.5", async () => {
      const { chunks } = await playTimed(["-i", "0.5", file]);
      const elapsed = span(chunks, "a", "d");
      assert(elapsed > 1450 && elapsed < 1750, `played in ${elapsed.toFixed(0)} ms, expected 1500`);
    });
    await t.step("the header's limit without -i", async () => {
      const { chunks } = await playTimed([file]);
      const elapsed = span(chunks, "a", "d");
      // Seen from here, "a" may arrive late on a loaded machine (it was measured 20 ms late),
      // shortening the span; the pauses themselves are what the upper bound checks.
      assert(elapsed > 240 && elapsed < 550, `played in ${elapsed.toFixed(0)} ms, expected 300`);
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("play --loop replays the file on one timeline", async () => {
  const file = await castFile([V3, [0.05, "o", "a"], [0.05, "o", "b"]]);
  try {
    const [cmd, ...rest] = cliArgv();
    const child = new Deno.Command(cmd!, {
      args: [...rest, "play", "-q", "--loop", file],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    let text = "";
    const decoder = new TextDecoder();
    while (text.length < 8) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const status = await child.status;
    await child.stderr.cancel();
    assertEquals(status.code, 0);
    assertMatch(text, /^(ab){4,}a?\r\n$/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("play streams a URL while it downloads", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const encoder = new TextEncoder();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(
              encoder.encode(`${JSON.stringify(V3)}\n[0.01, "o", "first\\r\\n"]\n`),
            );
            await released;
            controller.enqueue(encoder.encode(`[0.01, "o", "second\\r\\n"]\n`));
            controller.close();
          },
        }),
        { headers: { "content-type": "application/x-asciicast" } },
      ),
  );
  try {
    const [cmd, ...rest] = cliArgv();
    const child = new Deno.Command(cmd!, {
      args: [...rest, "play", "-q", `http://127.0.0.1:${server.addr.port}/demo.cast`],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    // The first event was played while the download was still going on.
    assertEquals(first, "first\r\n");
    release();
    const second = new TextDecoder().decode((await reader.read()).value);
    assertEquals(second, "second\r\n");
    reader.releaseLock();
    await child.stdout.cancel();
    assertEquals((await child.status).code, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("play streams a recording larger than its JavaScript heap", async () => {
  // 40 MB of events played with a 24 MB heap: only a streaming reader and player get through.
  const file = await Deno.makeTempFile({ prefix: "asciirec-play-", suffix: ".cast" });
  const encoder = new TextEncoder();
  const output = "\x1b[32mline\x1b[0m of a long recording, with some text to fill it up\r\n";
  const line = (i: number) => `[${(i / 10_000).toFixed(4)}, "o", ${JSON.stringify(output)}]`;
  let events = 0;
  try {
    using writer = await Deno.open(file, { write: true });
    await writer.write(
      encoder.encode(JSON.stringify({ version: 2, width: 80, height: 24 }) + "\n"),
    );
    for (let chunk = 0; chunk < 48; chunk++) {
      const lines = Array.from({ length: 10_000 }, () => line(events++));
      await writer.write(encoder.encode(lines.join("\n") + "\n"));
    }
  } catch (error) {
    await Deno.remove(file);
    throw error;
  }
  try {
    assert((await Deno.stat(file)).size > 40e6);
    const [deno, run, ...rest] = cliArgv();
    const child = new Deno.Command(deno!, {
      args: [run!, "--v8-flags=--max-old-space-size=24", ...rest, "play", "-q", "-i", "0", file],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let size = 0;
    const [stderr, { code }] = await Promise.all([
      new Response(child.stderr).text(),
      child.status,
      (async () => {
        for await (const chunk of child.stdout) size += chunk.length;
      })(),
    ]);
    assertEquals(code, 0, stderr);
    assertEquals(size, events * encoder.encode(output).length);
  } finally {
    await Deno.remove(file);
  }
});
