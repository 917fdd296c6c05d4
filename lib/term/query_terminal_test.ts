import assert from "node:assert/strict";
import { Pty } from "../pty/pty.ts";
import {
  queryTerminal,
  shouldQueryTerminal,
  stripQueryReplies,
  terminalQuery,
} from "./query_terminal.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const PALETTE = Array.from(
  { length: 16 },
  (_, i) => `\x1b]4;${i};rgb:${i.toString(16)}0/0000/ffff\x1b\\`,
);

/** A terminal that answers with the given chunks, one per read, then stays silent. */
function answering(chunks: string[]) {
  const written: Uint8Array[] = [];
  let i = 0;
  const input = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[i++];
      if (next !== undefined) controller.enqueue(enc(next));
      // else: no more replies; the read stays pending like a silent terminal
    },
  });
  return { write: (bytes: Uint8Array) => void written.push(bytes), input, written };
}

Deno.test("queryTerminal reads version and theme from the replies, in any order", async () => {
  const term = answering([
    "\x1b]11;rgb:1c1c/1d1d/2222\x07\x1bP>|tmux 3.3a\x1b\\",
    ...PALETTE.slice(0, 8),
    "\x1b]10;rgb:ffff/ffff/ffff\x1b\\" + PALETTE.slice(8).join(""),
    "\x1b[?62;22c",
  ]);
  const info = await queryTerminal(term, { timeoutMs: 5000 });
  assert.equal(dec(term.written[0]!), dec(terminalQuery()));
  assert.equal(info.answered, true);
  assert.equal(info.version, "tmux 3.3a");
  assert.equal(info.theme?.fg, "#ffffff");
  assert.equal(info.theme?.bg, "#1c1d22");
  assert.equal(info.theme?.palette.length, 16);
  assert.equal(info.theme?.palette[10], "#a0" + "00ff");
  assert.equal(info.input.length, 0);
});

Deno.test("queryTerminal keeps no theme unless all 18 colours arrive", async () => {
  const term = answering(["\x1b]10;rgb:ff/ff/ff\x07\x1b]11;rgb:0/0/0\x07\x1b[?1;2c"]);
  const info = await queryTerminal(term, { timeoutMs: 5000 });
  assert.equal(info.answered, true);
  assert.equal(info.theme, undefined);
});

Deno.test("queryTerminal passes keys typed meanwhile on as input", async () => {
  const term = answering(["ab\x1b[?6", "2c"]);
  const info = await queryTerminal(term, { timeoutMs: 5000 });
  assert.equal(info.answered, true);
  assert.equal(dec(info.input), "ab");
});

Deno.test("queryTerminal gives up after the timeout on a silent terminal", async () => {
  const term = answering(["\x1bP>|xterm(390)\x1b\\"]);
  const info = await queryTerminal(term, { timeoutMs: 50 });
  assert.equal(info.answered, false);
  assert.equal(info.version, "xterm(390)");
  // The stream is free again for the next reader.
  const reader = term.input.getReader();
  reader.releaseLock();
});

Deno.test("stripQueryReplies removes late replies and keeps keys", () => {
  assert.equal(dec(stripQueryReplies(enc("a\x1b[?62;22cb"))), "ab");
  assert.equal(
    dec(stripQueryReplies(enc("\x1b]4;3;rgb:00/00/00\x1b\\x\x1b]11;rgb:0/0/0\x07"))),
    "x",
  );
  assert.equal(dec(stripQueryReplies(enc("\x1b[A\x1bOB"))), "\x1b[A\x1bOB");
});

Deno.test("shouldQueryTerminal skips dumb and linux terminals and GNU screen", async (t) => {
  const cases: [Record<string, string>, boolean][] = [
    [{ TERM: "xterm-256color" }, true],
    [{ TERM: "dumb" }, false],
    [{ TERM: "linux" }, false],
    [{ TERM: "screen", STY: "1234.pts-0.host" }, false],
  ];
  for (const [env, want] of cases) {
    await t.step(JSON.stringify(env), () => {
      assert.equal(shouldQueryTerminal({ get: (name) => env[name] }), want);
    });
  }
});

Deno.test("queryTerminal through a real terminal: the replies come on stdin in raw mode", async () => {
  const host = new URL("./host_terminal.ts", import.meta.url).href;
  const query = new URL("./query_terminal.ts", import.meta.url).href;
  const program = `
    import { HostTerminal } from "${host}";
    import { queryTerminal } from "${query}";
    const term = HostTerminal.open();
    term.setRaw(true);
    const info = await queryTerminal(term, { timeoutMs: 10000 });
    term.restore();
    console.log("RESULT" + JSON.stringify({ ...info, input: new TextDecoder().decode(info.input) }));
    Deno.exit(0);
  `;
  using pty = Pty.spawn({ argv: [Deno.execPath(), "eval", "--quiet", program] });
  const reader = pty.readable.getReader();
  let text = "";
  while (!text.includes("\x1b[c")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`ended early: ${text}`);
    text += dec(value);
  }
  assert.ok(text.includes(dec(terminalQuery())));
  const palette = Array.from(
    { length: 16 },
    (_, i) => `\x1b]4;${i};rgb:0${i.toString(16)}/00/00\x07`,
  );
  await pty.write(enc(`\x1bP>|FakeTerm 1.0\x1b\\\x1b]10;rgb:aa/bb/cc\x07\x1b]11;rgb:01/02/03\x07`));
  await pty.write(enc(palette.join("") + "k\x1b[?64;1c"));
  while (!/RESULT.*\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec(value);
  }
  reader.releaseLock();
  for await (const _ of pty.readable) { /* drain */ }
  await pty.wait();
  const result = JSON.parse(/RESULT(.*)/.exec(text)![1]!);
  assert.equal(result.answered, true);
  assert.equal(result.version, "FakeTerm 1.0");
  assert.deepEqual(result.theme.fg, "#aabbcc");
  assert.deepEqual(result.theme.bg, "#010203");
  assert.equal(result.theme.palette[15], "#0f0000");
  assert.equal(result.input, "k");
});
