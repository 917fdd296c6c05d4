import assert from "node:assert/strict";
import { Pty } from "../pty/pty.ts";

const MODULE = new URL("./host_terminal.ts", import.meta.url).href;

/**
 * A program that opens the host terminal, reports on it, goes raw and then waits for a signal
 * or a key: `r` restores, says so and exits after the next line, `x` exits without restoring,
 * `t` throws.
 */
const PROGRAM = `
import { HostTerminal } from "${MODULE}";
const term = HostTerminal.open();
const say = (s) => term.write(new TextEncoder().encode(s + "\\r\\n"));
say("size=" + term.size().cols + "x" + term.size().rows);
term.onResize((s) => say("resized=" + s.cols + "x" + s.rows));
term.setRaw(true);
say("tty=" + Deno.readLinkSync("/proc/self/fd/0") + " pid=" + Deno.pid);
const keys = term.input.getReader();
for (;;) {
  const { value, done } = await keys.read();
  if (done) break;
  const key = new TextDecoder().decode(value);
  if (key.includes("r")) {
    term.restore();
    say("restored");
    await keys.read();
    Deno.exit(0);
  }
  if (key.includes("x")) Deno.exit(5);
  if (key.includes("t")) throw new Error("thrown in raw mode");
}
`;

async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pattern: RegExp,
  state: { text: string },
): Promise<RegExpExecArray> {
  const decoder = new TextDecoder();
  for (;;) {
    const m = pattern.exec(state.text);
    if (m) return m;
    const { value, done } = await reader.read();
    if (done) throw new Error(`output ended before ${pattern}: ${state.text}`);
    state.text += decoder.decode(value, { stream: true });
  }
}

/** The settings of terminal `tty` as `stty -a` names them (`-echo` when off). */
async function sttyFlags(tty: string): Promise<Set<string>> {
  const out = await new Deno.Command("stty", { args: ["-F", tty, "-a"] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return parseStty(new TextDecoder().decode(out.stdout));
}

function parseStty(text: string): Set<string> {
  return new Set(text.split(/[\s;]+/).filter((word) => /^-?[a-z0-9]+$/.test(word)));
}

/** Asserts that each of `names` is on (`true`) or off (`false`) in `flags`. */
function assertFlags(flags: Set<string>, expected: Record<string, boolean>): void {
  for (const [name, on] of Object.entries(expected)) {
    assert.ok(flags.has(on ? name : `-${name}`), `${name} should be ${on ? "on" : "off"}`);
  }
}

/** The settings of a terminal in its usual (cooked) mode. */
const RESTORED = { icanon: true, echo: true, isig: true, opost: true, onlcr: true };

/** How the program ends: a key typed into it or a signal sent to it, and its exit status. */
const ENDINGS: { how: string; key?: string; signal?: Deno.Signal; status: string }[] = [
  { how: "restore() and exit", key: "r", status: "0" },
  { how: "Deno.exit without restore()", key: "x", status: "5" },
  { how: "an uncaught error", key: "t", status: "1" },
  { how: "SIGTERM", signal: "SIGTERM", status: "143" },
  { how: "SIGHUP", signal: "SIGHUP", status: "129" },
];

Deno.test("HostTerminal: size, resize signal, raw mode without output processing", async (t) => {
  for (const ending of ENDINGS) {
    await t.step(`gives the terminal's settings back on ${ending.how}`, async () => {
      using pty = Pty.spawn({
        argv: [
          "/bin/sh",
          "-c",
          `"$0" eval --quiet "$1"; echo "rc=$?"; stty -a`,
          Deno.execPath(),
          PROGRAM,
        ],
        cols: 91,
        rows: 33,
      });
      // A test that fails while the program waits for a key must not hang: closing the PTY
      // ends the output and with it any readUntil.
      const timeout = setTimeout(() => pty.close(), 20_000);
      const reader = pty.readable.getReader();
      const state = { text: "" };
      await readUntil(reader, /size=91x33/, state);
      const [, tty, pid] = await readUntil(reader, /tty=(\S+) pid=(\d+)\r*\n/, state);
      // Before raw mode the kernel turned "\r\n" into "\r\r\n"; in raw mode it passes as is.
      assert.match(state.text, /size=91x33\r\r\n/);
      assert.match(state.text, /pid=\d+\r\n/);
      assert.doesNotMatch(state.text, /pid=\d+\r\r\n/);
      assertFlags(await sttyFlags(tty!), {
        icanon: false,
        echo: false,
        isig: false,
        opost: false,
        onlcr: true, // kept, but without effect while opost is off
      });

      pty.resize(100, 40);
      await readUntil(reader, /resized=100x40/, state);

      if (ending.key) await pty.write(new TextEncoder().encode(ending.key));
      else Deno.kill(Number(pid), ending.signal!);
      if (ending.key === "r") {
        // Deno puts the terminal back by itself when the process exits: look while it runs.
        await readUntil(reader, /restored\r*\n/, state);
        assert.match(state.text, /restored\r\r\n/);
        assertFlags(await sttyFlags(tty!), RESTORED);
        await pty.write(new TextEncoder().encode("bye\n"));
      }
      const [, rc] = await readUntil(reader, /rc=(\d+)/, state);
      assert.equal(rc, ending.status);
      reader.releaseLock();
      for await (const chunk of pty.readable) state.text += new TextDecoder().decode(chunk);
      await pty.wait();
      clearTimeout(timeout);
      const after = parseStty(state.text.slice(state.text.indexOf("rc=")));
      assertFlags(after, RESTORED);
    });
  }
});

Deno.test("HostTerminal.open gives undefined when stdin is not a terminal", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { HostTerminal } from "${MODULE}"; console.log(String(HostTerminal.open()));`,
    ],
    stdin: "null",
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "undefined");
});
