import assert from "node:assert/strict";
import { Pty } from "../pty/pty.ts";

const MODULE = new URL("./host_terminal.ts", import.meta.url).href;

/** A program that opens the host terminal, reports on it, goes raw and waits for a signal. */
const PROGRAM = `
import { HostTerminal } from "${MODULE}";
const term = HostTerminal.open();
const say = (s) => term.write(new TextEncoder().encode(s + "\\r\\n"));
say("size=" + term.size().cols + "x" + term.size().rows);
term.onResize((s) => say("resized=" + s.cols + "x" + s.rows));
term.setRaw(true);
say("tty=" + Deno.readLinkSync("/proc/self/fd/0") + " pid=" + Deno.pid);
setInterval(() => {}, 60_000);
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

async function stty(tty: string): Promise<string> {
  const out = await new Deno.Command("stty", { args: ["-F", tty, "-a"] }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("HostTerminal: size, resize signal, raw mode, and restore on SIGTERM", async () => {
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
  const reader = pty.readable.getReader();
  const state = { text: "" };
  await readUntil(reader, /size=91x33/, state);
  const [, tty, pid] = await readUntil(reader, /tty=(\S+) pid=(\d+)/, state);
  assert.match(await stty(tty!), /-icanon/);
  assert.match(await stty(tty!), /-echo\b/);

  pty.resize(100, 40);
  await readUntil(reader, /resized=100x40/, state);

  Deno.kill(Number(pid), "SIGTERM");
  const [, rc] = await readUntil(reader, /rc=(\d+)/, state);
  assert.equal(rc, "143");
  await readUntil(reader, /\bicanon\b[^]*\n[^]*$/, state);
  reader.releaseLock();
  for await (const chunk of pty.readable) state.text += new TextDecoder().decode(chunk);
  const after = state.text.slice(state.text.indexOf("rc="));
  assert.match(after, /[^-]icanon/);
  assert.match(after, /[^-]echo\b/);
  await pty.wait();
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
