import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { PERMISSIONS } from "../../tests/_cli.ts";
import { buildWorker, bundleUrl, VT_WORKER } from "../../scripts/build_workers.ts";
import { createTerminal, diffTerminals, replay, writeAndWait } from "./_compare.ts";
import { WorkerVt } from "./worker_vt.ts";
import {
  assertReplays,
  assertResizeReplays,
  FIDELITY_CASES,
  RESIZE_CASES,
} from "./_fidelity_cases.ts";

const CSI = "\x1b[";

// A representative part of the table `vt_test.ts` runs: the worker must not change a snapshot.
const WORKER_CASES = [
  "16, bright, 256 and true colours in foreground and background",
  "alternate screen over a full primary screen, then back to the primary",
  "scroll region keeps scrolling the same lines",
  "saved cursor with its pen and character set",
  "wide CJK and emoji",
  "pending wrap after a narrow character",
  "partial CSI at the end",
  "partial OSC title at the end",
  "insert mode, new-line mode and application cursor keys",
];

Deno.test("WorkerVt snapshot replayed into a fresh terminal reproduces the original", async (t) => {
  const cases = FIDELITY_CASES.filter((c) => WORKER_CASES.includes(c.name));
  assertEquals(cases.map((c) => c.name), WORKER_CASES);
  for (const c of cases) {
    await t.step(c.name, () => assertReplays(c, (cols, rows) => new WorkerVt(cols, rows)));
  }
});

Deno.test("WorkerVt snapshot reflects exactly the output fed before the call", async () => {
  using vt = new WorkerVt(20, 4);
  const before = `first line\r\n${CSI}32mgreen${CSI}1`;
  vt.feed(before);
  const pending = vt.snapshot();
  vt.feed("mafter the call\r\n");
  vt.resize(30, 8);
  vt.feed("and more");
  const later = vt.text();
  const snapshot = await pending;
  const original = createTerminal(20, 4, { scrollback: 100 });
  await writeAndWait(original, before);
  const copy = await replay(snapshot, 20, 4);
  try {
    assertEquals(diffTerminals(original, copy), []);
    assert(!snapshot.includes("after"), JSON.stringify(snapshot));
    assert(snapshot.endsWith(`${CSI}1`), JSON.stringify(snapshot));
    assertEquals(await later, "first line\ngreenafter the call\nand more");
  } finally {
    original.dispose();
    copy.dispose();
  }
});

Deno.test("WorkerVt resize applies between the output fed before and after it", async () => {
  const c = RESIZE_CASES.find((c) => c.name === "narrower than a line");
  assert(c !== undefined);
  await assertResizeReplays(c, (cols, rows) => new WorkerVt(cols, rows));
});

Deno.test("WorkerVt joins UTF-8 characters split between byte chunks", async () => {
  using vt = new WorkerVt(20, 3);
  const bytes = new TextEncoder().encode("héllo 中文 😀");
  for (const byte of bytes) vt.feed(new Uint8Array([byte]));
  assertEquals(await vt.text(), "héllo 中文 😀");
});

Deno.test("WorkerVt rejects bad sizes, use after dispose, and pending calls on dispose", async () => {
  assertThrows(() => new WorkerVt(0, 24), RangeError, "positive integer");
  assertThrows(() => new WorkerVt(80, 24, { scrollback: -1 }), RangeError, "scrollback");
  const vt = new WorkerVt(10, 2);
  assertThrows(() => vt.resize(80.5, 24), RangeError, "positive integer");
  vt.feed("abc");
  const pending = vt.snapshot();
  vt.dispose();
  await assertRejects(() => pending, Error, "disposed");
  assertThrows(() => vt.feed("x"), Error, "disposed");
  assertThrows(() => vt.resize(5, 5), Error, "disposed");
  await assertRejects(() => vt.snapshot(), Error, "disposed");
  vt.dispose();
});

Deno.test("WorkerVt reports output that makes xterm throw and goes on", async () => {
  const errors: unknown[] = [];
  using vt = new WorkerVt(14, 8, { onError: (error) => errors.push(error) });
  // ED 1 in the last cell makes xterm 6 index past the screen (see vt_test.ts).
  vt.feed(`${CSI}8;14H${CSI}1Jlost`);
  vt.feed(`${CSI}1;1Hstill alive`);
  assertEquals(await vt.text(), "still alive");
  assertEquals(errors.length, 1);
  assert(errors[0] instanceof TypeError, String(errors[0]));
});

Deno.test("the committed worker bundle is what scripts/build_workers.ts generates", async () => {
  const committed = await Deno.readTextFile(bundleUrl(VT_WORKER));
  assert(
    committed === await buildWorker(VT_WORKER),
    "lib/vt/_vt_worker_bundle.js is stale: run `deno task build:workers`",
  );
});

async function runDeno(args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("WorkerVt runs in a deno bundle from an empty directory, and lets it exit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-worker-vt-" });
  try {
    const entry = `${dir}/entry.ts`;
    await Deno.writeTextFile(
      entry,
      `import { WorkerVt } from ${JSON.stringify(new URL("./worker_vt.ts", import.meta.url).href)};
const vt = new WorkerVt(20, 3);
vt.feed("\\x1b[31mbundled\\r\\n");
console.log(JSON.stringify([await vt.snapshot(), await vt.text()]));
vt.dispose();
`,
    );
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const built = await runDeno(["bundle", "--quiet", "--config", config, "-o", "out.js", entry], {
      cwd: dir,
    });
    assertEquals(built.code, 0, built.stderr);
    await Deno.remove(entry);
    const denoDir = `${dir}/deno_dir`;
    await Deno.mkdir(denoDir);
    const run = await runDeno(
      ["run", "--quiet", "--no-remote", "--no-npm", "--no-config", ...PERMISSIONS, "out.js"],
      { cwd: dir, env: { DENO_DIR: denoDir, NO_COLOR: "1" } },
    );
    // Exiting at all (rather than hanging on the worker) is part of the check.
    assertEquals(run.code, 0, run.stderr);
    const [snapshot, text] = JSON.parse(run.stdout) as [string, string];
    assertEquals(text, "bundled");
    assert(snapshot.includes(`${CSI}0;31mbundled`), JSON.stringify(snapshot));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
