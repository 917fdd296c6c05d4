/**
 * Heavy and hostile input against asciirec as processes: long and cut-off lines, absurd
 * times and sizes, escape-sequence bombs and floods, file-descriptor exhaustion, bad Host
 * headers, a locked data directory, a recording deleted under the recorder.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli, TEST_ENV } from "./_cli.ts";
import { LiveCli } from "./_live_cli.ts";
import { waitUntil } from "./_wait_until.ts";
import { decodeAlisMessage } from "../lib/alis/decoder.ts";

const V3 = '{"version":3,"term":{"cols":80,"rows":24}}\n';
const ESC = "\x1b";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "asciirec-hardening-" });
}

/** Highest VmRSS of a running process, sampled every 20 ms until it exits (KiB). */
async function watchRss(child: Deno.ChildProcess): Promise<number> {
  let peak = 0;
  let running = true;
  child.status.then(() => (running = false));
  while (running) {
    try {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kib);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return peak;
}

Deno.test({
  name: "a 30 MB flood of 200-column lines records and converts back byte-exact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await tempDir();
    try {
      const rec = await runCli([
        "rec",
        "--headless",
        "-q",
        "-c",
        `head -c 30000000 /dev/zero | tr "\\0" x | fold -w 200`,
        `${dir}/f.cast`,
      ]);
      assertEquals(rec.code, 0, rec.stderr);
      const raw = await runCli(["convert", "-q", `${dir}/f.cast`, "-", "-f", "raw"]);
      assertEquals(raw.code, 0, raw.stderr);
      const sizeHint = "\x1b[8;24;80t";
      assert(raw.stdout.startsWith(sizeHint), "raw output starts with the size");
      const out = raw.stdout.slice(sizeHint.length);
      // fold ends the last line without a newline.
      const expected = ("x".repeat(200) + "\r\n").repeat(150_000).slice(0, -2);
      assertEquals(out.length, expected.length);
      assert(out === expected, "the output is 150 000 lines of 200 x");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("absurd times are errors naming the line, never invalid JSON", async (t) => {
  const dir = await tempDir();
  try {
    const cases: [string, string, string][] = [
      ["1e21", V3 + '[0.5, "o", "a"]\n[1e21, "o", "b"]\n', ":3: the interval 1e+21 s is out"],
      ["1e309", V3 + '[1e309, "o", "a"]\n', ":2: the interval Infinity s is out"],
      [
        "v2 1e21",
        '{"version":2,"width":80,"height":24}\n[1e21, "o", "a"]\n',
        ":2: the time 1e+21 s is out",
      ],
    ];
    for (const [name, content, message] of cases) {
      await t.step(name, async () => {
        const path = `${dir}/${name.replace(/\W/g, "_")}.cast`;
        await Deno.writeTextFile(path, content);
        for (const args of [["convert", path, "-"], ["cat", path, path]]) {
          const r = await runCli(args);
          assertEquals(r.code, 1, `${args[0]}: ${r.stderr}`);
          assertStringIncludes(r.stderr, `${path}${message}`);
          assert(!/Infinity|e\+21/.test(r.stdout), `${args[0]} wrote ${r.stdout}`);
        }
        const append = await runCli([
          "rec",
          "--headless",
          "-q",
          "--append",
          "-c",
          "true",
          path,
        ]);
        assertEquals(append.code, 1, append.stderr);
        assertStringIncludes(append.stderr, message);
        assertEquals(await Deno.readTextFile(path), content, "the file is untouched");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "play waits out a gap of 2^31 ms without a warning flood",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await tempDir();
    try {
      const path = `${dir}/gap.cast`;
      await Deno.writeTextFile(path, V3 + '[0, "o", "first"]\n[2147484, "o", "late"]\n');
      const [cmd, ...rest] = cliArgv();
      const child = new Deno.Command(cmd!, {
        args: [...rest, "play", path],
        env: TEST_ENV,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let stdout = "";
      let stderr = "";
      const collect = async (stream: ReadableStream<Uint8Array>, into: "out" | "err") => {
        for await (const text of stream.pipeThrough(new TextDecoderStream())) {
          if (into === "out") stdout += text;
          else stderr += text;
        }
      };
      const done = Promise.all([collect(child.stdout, "out"), collect(child.stderr, "err")]);
      await waitUntil(() => stdout.includes("first"), "the first event", 30_000);
      // Now it waits 2^31 ms: long enough to have spun or warned many times over.
      await new Promise((r) => setTimeout(r, 1000));
      child.kill("SIGTERM");
      await child.status;
      await done;
      assert(!stdout.includes("late"), "the late event waits");
      assert(!/TimeoutOverflowWarning/.test(stderr), stderr.slice(0, 300));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const BOMBS = ["S", "T", "L", "M", "@", "P", "X", "Z", "b"]
  .map((f) => `ab${ESC}[999999999${f}`).join("");

Deno.test("convert -f txt finishes at once on escape-sequence bombs and on a 60 MB event", async () => {
  const dir = await tempDir();
  try {
    const bombs = `${dir}/bombs.cast`;
    await Deno.writeTextFile(bombs, V3 + JSON.stringify([0.1, "o", BOMBS + "\r\nend"]) + "\n");
    const started = performance.now();
    const r = await runCli(["convert", bombs, "-", "-f", "txt"]);
    assertEquals(r.code, 0, r.stderr);
    assert(performance.now() - started < 20_000, "no hang");
    assertStringIncludes(r.stdout, "end");
    const big = `${dir}/big.cast`;
    const file = await Deno.open(big, { write: true, create: true });
    await file.write(new TextEncoder().encode(V3 + '[0.1, "o", "'));
    const chunk = new TextEncoder().encode("y".repeat(1 << 20));
    // Over the 50 MB that xterm refuses to queue: the one event must still be fed whole.
    for (let i = 0; i < 60; i++) await file.write(chunk);
    await file.write(new TextEncoder().encode('"]\n'));
    file.close();
    const huge = await runCli(["convert", big, `${dir}/big.txt`]);
    assertEquals(huge.code, 0, huge.stderr);
    assertEquals((await Deno.stat(`${dir}/big.txt`)).size, 60 * (1 << 20) + 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "convert -f txt of a million events stays within a fixed memory bound",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await tempDir();
    try {
      const path = `${dir}/many.cast`;
      const file = await Deno.open(path, { write: true, create: true });
      const encoder = new TextEncoder();
      await file.write(encoder.encode(V3));
      let block = "";
      for (let i = 0; i < 1_000_000; i++) {
        block += `[0.001, "o", "line ${i} \\u001b[32mgreen\\u001b[0m\\r\\n"]\n`;
        if (block.length > 1 << 20) {
          await file.write(encoder.encode(block));
          block = "";
        }
      }
      await file.write(encoder.encode(block));
      file.close();
      const [cmd, ...rest] = cliArgv();
      const child = new Deno.Command(cmd!, {
        args: [...rest, "convert", path, `${dir}/many.txt`],
        env: TEST_ENV,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const peak = await watchRss(child);
      const out = await child.output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      // The unbounded version needed 887 MB here.
      assert(peak < 250 * 1024, `peak RSS ${Math.round(peak / 1024)} MB`);
      const text = await Deno.readTextFile(`${dir}/many.txt`);
      assert(text.startsWith("line 0 green\n") && text.endsWith("line 999999 green\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("sizes beyond 720x200 are refused with a clear message wherever they enter", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/huge.cast`;
    await Deno.writeTextFile(path, '{"version":2,"width":65535,"height":65535}\n[0.1, "o", "x"]\n');
    const txt = await runCli(["convert", path, "-", "-f", "txt"]);
    assertEquals(txt.code, 1);
    assertStringIncludes(
      txt.stderr,
      `${path}:1: the terminal size 65535x65535 is larger than 720x200`,
    );
    const flag = await runCli(["rec", "--headless", "--window-size", "65535x65535", "x.cast"], {
      cwd: dir,
    });
    assertEquals(flag.code, 2);
    assertStringIncludes(flag.stderr, "asciirec handles up to 720x200");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Sends one raw request and returns the status line. */
async function statusLine(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0]!;
  } finally {
    conn.close();
  }
}

Deno.test({
  name: "the local stream survives bombs, bad Host headers and exhausted file descriptors",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await tempDir();
    try {
      // ulimit -n 256: 600 idle connections would run the process out of descriptors.
      const cli = new LiveCli(
        [
          "session",
          "-o",
          `${dir}/out.cast`,
          "--local",
          "-c",
          `printf '${
            BOMBS.replaceAll(ESC, "\\033")
          }'; for i in 1 2 3 4; do echo tick $i; sleep 1; done`,
        ],
        dir,
        { ulimit: 256 },
      );
      const url = new URL(await cli.url());
      const port = Number(url.port);
      assertMatch(
        await statusLine(port, "GET / HTTP/1.1\r\nHost: xn--a\r\n\r\n"),
        /^HTTP\/1\.1 400/,
      );
      // The server keeps its connections under the limit: the process never runs out (Deno
      // panics when it then needs a descriptor for a signal or a thread).
      const fds = () => {
        try {
          return [...Deno.readDirSync(`/proc/${cli.child.pid}/fd`)].length;
        } catch {
          return 0;
        }
      };
      let peak = 0;
      const idle: Deno.Conn[] = [];
      for (let i = 0; i < 600; i++) {
        try {
          idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
        } catch {
          break;
        }
        if (i % 10 === 0) peak = Math.max(peak, fds());
      }
      peak = Math.max(peak, fds());
      assert(idle.length === 600, `${idle.length} connections made`);
      assert(peak < 256, `${peak} descriptors open at the peak`);
      for (const conn of idle) conn.close();
      // After the bombs, a late joiner still gets its Init at once.
      await new Promise((r) => setTimeout(r, 300));
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ["v1.alis"]);
      ws.binaryType = "arraybuffer";
      const init = await new Promise<string>((resolve, reject) => {
        let n = 0;
        ws.onmessage = (e) => {
          if (n++ === 1) resolve(decodeAlisMessage(new Uint8Array(e.data)).type);
        };
        ws.onerror = () => reject(new Error("viewer failed"));
        setTimeout(() => reject(new Error("no Init within 10 s")), 10_000);
      });
      assertEquals(init, "init");
      ws.close();
      assertEquals(await cli.exit(), 0, cli.stderr);
      assert(!/TypeError|Uncaught|Too many open files/.test(cli.stderr), cli.stderr);
      const lines = (await Deno.readTextFile(`${dir}/out.cast`)).trimEnd().split("\n");
      assertEquals(JSON.parse(lines.at(-1)!).slice(1), ["x", "0"]);
      assert(lines.some((l) => l.includes("tick 4")), "the recording went on to the end");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("rec warns when its file is deleted during the recording", async () => {
  const dir = await tempDir();
  try {
    const r = await runCli([
      "rec",
      "--headless",
      "-c",
      `sleep 0.3; rm ${dir}/gone.cast`,
      `${dir}/gone.cast`,
    ]);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stderr, "gone.cast was deleted or replaced during the recording");
    assert(!r.stderr.includes("Recorded to"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
