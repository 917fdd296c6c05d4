import assert from "node:assert/strict";
import { Pty, PtyError } from "./pty.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Collects output text until it contains `needle`; returns everything read so far. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  needle: string,
  sofar = "",
): Promise<string> {
  let text = sofar;
  while (!text.includes(needle)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`output ended before ${JSON.stringify(needle)}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** Waits until `pid` has a child process running `name`; returns its pid. */
async function childNamed(pid: number, name: string): Promise<number> {
  for (let i = 0; i < 1000; i++) {
    const children = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`);
    for (const child of children.trim().split(" ").filter(Boolean)) {
      const stat = await Deno.readTextFile(`/proc/${child}/stat`).catch(() => "");
      if (stat.includes(`(${name})`)) return Number(child);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no child ${name} of ${pid}`);
}

/** Reads the rest of the output as text. */
async function runToEnd(pty: Pty): Promise<string> {
  let text = "";
  for await (const chunk of pty.readable) text += decoder.decode(chunk, { stream: true });
  return text;
}

Deno.test("Pty gives the child a terminal of the requested size", async () => {
  using pty = Pty.spawn({ argv: ["/bin/sh", "-c", "tty; stty size"], cols: 123, rows: 45 });
  const out = await runToEnd(pty);
  assert.match(out, /^\/dev\/pts\/\d+\r\n45 123\r\n$/);
  assert.deepEqual(await pty.wait(), { code: 0, status: 0 });
});

Deno.test("Pty passes argv, env and cwd to the child", async () => {
  const dir = await Deno.makeTempDir();
  try {
    using pty = Pty.spawn({
      argv: ["sh", "-c", 'printf "%s|%s|%s|%s" "$0" "$FOO" "$(pwd)" "$HOME"', "arg zero"],
      env: { FOO: "a b", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      cwd: dir,
    });
    assert.deepEqual(await runToEnd(pty), `arg zero|a b|${await Deno.realPath(dir)}|`);
    await pty.wait();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Pty.resize changes the size and signals the child", async () => {
  using pty = Pty.spawn({
    argv: ["/bin/sh", "-c", "trap 'echo \"winch $(stty size)\"; exit 0' WINCH; echo ready; read x"],
  });
  const reader = pty.readable.getReader();
  await readUntil(reader, "ready");
  pty.resize(132, 50);
  assert.deepEqual(pty.size(), { cols: 132, rows: 50 });
  const out = await readUntil(reader, "\n", await readUntil(reader, "winch"));
  assert.match(out, /winch 50 132\r\n/);
  reader.releaseLock();
  await pty.readable.cancel();
  assert.deepEqual((await pty.wait()).status, 0);
});

Deno.test("Pty rejects sizes out of range", () => {
  assert.throws(() => Pty.spawn({ argv: ["true"], cols: 0 }), RangeError);
  assert.throws(() => Pty.spawn({ argv: ["true"], rows: 70000 }), RangeError);
});

Deno.test("Pty gives an interactive shell job control", async () => {
  using pty = Pty.spawn({
    argv: ["/bin/sh", "-i"],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", PS1: "PROMPT> ", ENV: "" },
  });
  const reader = pty.readable.getReader();
  const banner = await readUntil(reader, "PROMPT> ");
  assert.ok(!banner.includes("job control turned off"), banner);
  // One command per prompt: a shell may drop input typed ahead while it sets up a job.
  const run = async (line: string) => {
    await pty.write(encoder.encode(`${line}\n`));
    return await readUntil(reader, "PROMPT> ", await readUntil(reader, `${line}\r\n`, ""));
  };
  await run("sleep 100 &");
  // A job signalled before it has exec'd still has the shell's dispositions (an interactive
  // shell ignores SIGTERM): wait until the job is sleep itself.
  const sleeper = await childNamed(pty.pid, "sleep");
  await run("jobs");
  await run("kill %1");
  const out = await run('wait %1; echo "status=$?"');
  if (await Deno.stat(`/proc/${sleeper}`).then(() => true, () => false)) {
    Deno.kill(sleeper, "SIGKILL");
  }
  assert.match(out, /status=143/);
  await pty.write(encoder.encode("exit 4\n"));
  reader.releaseLock();
  await runToEnd(pty);
  assert.deepEqual((await pty.wait()).status, 4);
});

Deno.test("Pty.spawn reports an unknown program as a PtyError", () => {
  let error: unknown;
  try {
    Pty.spawn({ argv: ["/no/such/program"] });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof PtyError);
  assert.deepEqual(error.syscall, "posix_spawnp");
  assert.deepEqual(error.errno, 2);
  assert.match(error.message, /No such file or directory/);
});

/** Each behaviour below holds whether the output is read on this thread or on its own. */
const MODES = [
  { suffix: "", readThread: false },
  { suffix: " (read thread)", readThread: true },
];

/** A prepared read thread for `Pty.spawn`, or none. */
const readThreadFor = (readThread: boolean) => readThread ? Pty.prepareReadThread() : undefined;

for (const { suffix, readThread } of MODES) {
  Deno.test(`Pty delivers ctrl+C to the child as SIGINT${suffix}`, async () => {
    using pty = Pty.spawn({ readThread: await readThreadFor(readThread), argv: ["cat"] });
    await pty.write(new Uint8Array([0x03]));
    await runToEnd(pty);
    assert.deepEqual(await pty.wait(), { signal: 2, status: 130 });
  });

  Deno.test(`Pty decodes exit codes and signals${suffix}`, async (t) => {
    const cases: [string, string, { code?: number; signal?: number; status: number }][] = [
      ["exit 0", "exit 0", { code: 0, status: 0 }],
      ["exit 3", "exit 3", { code: 3, status: 3 }],
      ["exit 255", "exit 255", { code: 255, status: 255 }],
      ["SIGKILL", "kill -9 $$", { signal: 9, status: 137 }],
      ["SIGTERM", "kill -TERM $$", { signal: 15, status: 143 }],
    ];
    for (const [name, script, want] of cases) {
      await t.step(name, async () => {
        using pty = Pty.spawn({
          readThread: await readThreadFor(readThread),
          argv: ["/bin/sh", "-c", script],
        });
        await runToEnd(pty);
        assert.deepEqual(await pty.wait(), want);
      });
    }
  });

  Deno.test(`Pty.kill signals the child${suffix}`, async () => {
    using pty = Pty.spawn({
      readThread: await readThreadFor(readThread),
      argv: ["/bin/sh", "-c", "echo ready; exec sleep 100"],
    });
    const reader = pty.readable.getReader();
    await readUntil(reader, "ready");
    pty.kill();
    assert.deepEqual(await pty.wait(), { signal: 15, status: 143 });
    reader.releaseLock();
    await runToEnd(pty);
    pty.kill("SIGKILL"); // reaped: nothing to signal, no error
  });

  Deno.test(`Pty resets SIGPIPE so \`yes | head -1\` prints no Broken pipe${suffix}`, async () => {
    using pty = Pty.spawn({
      readThread: await readThreadFor(readThread),
      argv: ["/bin/sh", "-c", "yes | head -1; yes | head -c 100000 >/dev/null"],
    });
    assert.deepEqual(await runToEnd(pty), "y\r\n");
    await pty.wait();
  });

  Deno.test(`Pty delivers 50 MB of output byte-exact${suffix}`, async () => {
    const size = 50_000_000;
    const data = new Uint8Array(size);
    let x = 0x12345678;
    for (let i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[i] = x & 0xff;
    }
    const file = await Deno.makeTempFile();
    try {
      await Deno.writeFile(file, data);
      using pty = Pty.spawn({
        readThread: await readThreadFor(readThread),
        argv: ["/bin/sh", "-c", `stty raw -echo && cat '${file}'`],
      });
      const got = new Uint8Array(await new Response(pty.readable).arrayBuffer());
      assert.deepEqual(got.length, size);
      let mismatch = -1;
      for (let i = 0; i < size; i++) {
        if (got[i] !== data[i]) {
          mismatch = i;
          break;
        }
      }
      assert.deepEqual(mismatch, -1);
      assert.deepEqual((await pty.wait()).status, 0);
    } finally {
      await Deno.remove(file);
    }
  });

  Deno.test(`Pty.write passes every byte, NUL included, and large inputs${suffix}`, async () => {
    using pty = Pty.spawn({
      readThread: await readThreadFor(readThread),
      argv: [
        "/bin/sh",
        "-c",
        "stty raw -echo; echo ready; head -c 4 | od -An -tx1; head -c 1000000 | wc -c",
      ],
    });
    const reader = pty.readable.getReader();
    await readUntil(reader, "ready");
    await pty.write(new Uint8Array([0x00, 0x03, 0xff, 0x7f]));
    const big = new Uint8Array(1_000_000).fill(0x61);
    await pty.write(big);
    const out = await readUntil(reader, "1000000");
    assert.match(out, /00 03 ff 7f/);
    reader.releaseLock();
    await runToEnd(pty);
    await pty.wait();
  });

  Deno.test(`Pty ends output after the drain deadline while a grandchild holds the terminal${suffix}`, async () => {
    using pty = Pty.spawn({
      readThread: await readThreadFor(readThread),
      argv: ["/bin/sh", "-c", "trap '' HUP; sleep 30 & echo \"pid=$!\""],
      drainTimeoutMs: 100,
    });
    const out = await runToEnd(pty);
    const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
    assert.ok(pid > 0, out);
    assert.deepEqual((await pty.wait()).status, 0);
    // The output ended although the grandchild is still alive and holding the slave.
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    assert.match(stat, /\(sleep\)/);
    Deno.kill(pid, "SIGKILL");
  });

  Deno.test(`Pty.close ends the output, hangs up the child, and is idempotent${suffix}`, async () => {
    const pty = Pty.spawn({
      readThread: await readThreadFor(readThread),
      argv: ["/bin/sh", "-c", "echo ready; exec sleep 100"],
    });
    const reader = pty.readable.getReader();
    await readUntil(reader, "ready");
    const pending = reader.read();
    pty.close();
    pty.close();
    assert.deepEqual((await pending).done, true);
    assert.deepEqual(await pty.wait(), { signal: 1, status: 129 });
    assert.throws(() => pty.resize(10, 10), Deno.errors.BadResource);
    await assert.rejects(() => pty.write(new Uint8Array([1])), Deno.errors.BadResource);
  });

  Deno.test(`the event loop keeps turning while output trickles in faster than a brief wait${suffix}`, async () => {
    // A line every 0.3 ms for 1.5 s: a read finds nothing often, and more comes within the
    // brief wait each time. Timers must still fire on time meanwhile.
    using pty = Pty.spawn({
      readThread: await readThreadFor(readThread),
      argv: [
        "perl",
        "-e",
        "use Time::HiRes qw(time); $| = 1; my $end = time + 1.5; " +
        "while (time < $end) { print qq(x\\n); select(undef, undef, undef, 0.0003) }",
      ],
    });
    let last = performance.now();
    let worst = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 2);
    let bytes = 0;
    try {
      for await (const chunk of pty.readable) bytes += chunk.length;
    } finally {
      clearInterval(ticker);
    }
    assert.ok(bytes > 1000, `only ${bytes} bytes of output`);
    assert.ok(worst < 500, `a 2 ms timer waited ${worst.toFixed(0)} ms while output flowed`);
  });
}

Deno.test("a read thread lets the child write on while this thread is busy", async (t) => {
  // 600 kB, far more than a terminal buffers (about 64 kB) and less than the ring (1 MiB):
  // while this thread is blocked, only a read thread lets the child finish writing.
  for (const { readThread } of MODES) {
    await t.step(readThread ? "with one, it finishes" : "without one, it waits", async () => {
      const done = await Deno.makeTempFile();
      await Deno.remove(done);
      using pty = Pty.spawn({
        readThread: await readThreadFor(readThread),
        argv: [
          "/bin/sh",
          "-c",
          `stty raw -echo; head -c 600000 /dev/zero | tr '\\0' x; echo written > '${done}'`,
        ],
      });
      const reader = pty.readable.getReader();
      await reader.read(); // the child runs
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        // Busy: no reads on this thread (as a flood's fan-out keeps it).
      }
      const finished = await Deno.stat(done).then(() => true, () => false);
      reader.releaseLock();
      const rest = await runToEnd(pty);
      assert.deepEqual((await pty.wait()).status, 0);
      assert.ok(rest.length > 500_000, `only ${rest.length} bytes after the first read`);
      assert.deepEqual(finished, readThread);
      await Deno.remove(done).catch(() => {});
    });
  }
});
