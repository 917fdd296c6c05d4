/**
 * Benchmark: the VT snapshot of a full 200×60 screen where every cell has its own colours
 * and attributes (256 and true colour, bold, italic, underline…, some CJK), beside the
 * plain `@xterm/addon-serialize` 0.14.0 `serialize()` of the same terminal in the same run.
 *
 * Prints p50/p99 of: our serializer alone (synchronous work), `Vt.snapshot()` end to end
 * when the emulator is idle and when output is still queued (then it waits for xterm's next
 * parse slice, a timer), and the addon; and the ratio of our serializer to the addon. Also checks once that the snapshot replays to the same screen.
 *
 * Usage: `deno run -A bench/snapshot.ts [--runs N]` (default 300). Target: p99 < 5 ms.
 *
 * @module
 */
import { SerializeAddon } from "@xterm/addon-serialize";
import { diffTerminals, replay, writeAndWait } from "../lib/vt/_compare.ts";
import { serialize } from "../lib/vt/_serialize.ts";
import { createTerminal } from "../lib/vt/_xterm.ts";
import { Vt } from "../lib/vt/vt.ts";
import { mulberry32 } from "../tests/_mulberry32.ts";
import { numberFlag } from "./_number_flag.ts";
import { type Percentiles, percentiles } from "./_stats.ts";

const COLS = 200;
const ROWS = 60;

/** Output that fills the screen, changing colours and attributes at every cell. */
function _colouredScreen(): string {
  const random = mulberry32(7);
  const int = (n: number) => Math.floor(random() * n);
  const attrs = ["1", "2", "3", "4", "5", "7", "9", "4:3", "53"];
  let out = "\x1b[H";
  for (let row = 0; row < ROWS; row++) {
    out += `\x1b[${row + 1};1H`;
    let col = 0;
    while (col < COLS) {
      const fg = random() < 0.5 ? `38;5;${int(256)}` : `38;2;${int(256)};${int(256)};${int(256)}`;
      const bg = random() < 0.5 ? `48;5;${int(256)}` : `48;2;${int(256)};${int(256)};${int(256)}`;
      out += `\x1b[0;${attrs[int(attrs.length)]};${fg};${bg}m`;
      if (col < COLS - 1 && random() < 0.1) {
        out += "漢";
        col += 2;
      } else {
        out += String.fromCharCode(0x21 + int(94));
        col += 1;
      }
    }
  }
  return out + "\x1b[0m\x1b[30;40H";
}

function _stats(name: string, times: number[]): Percentiles {
  const { p50, p99 } = percentiles(times);
  console.log(`${name.padEnd(40)} p50 ${p50.toFixed(3)} ms   p99 ${p99.toFixed(3)} ms`);
  return { p50, p99 };
}

const runs = numberFlag(Deno.args, "--runs", { fallback: 300 });
const screen = _colouredScreen();
using vt = new Vt(COLS, ROWS);
vt.feed(screen);
const term = createTerminal(COLS, ROWS);
const addon = new SerializeAddon();
term.loadAddon(addon);
await writeAndWait(term, screen);

// Correctness once, so the timings are of a faithful snapshot.
const snapshot = await vt.snapshot();
const copy = await replay(snapshot, COLS, ROWS);
const differences = diffTerminals(term, copy);
copy.dispose();
if (differences.length > 0) throw new Error(`snapshot differs: ${differences.slice(0, 3)}`);

const ours: number[] = [];
const endToEnd: number[] = [];
const afterOutput: number[] = [];
const plain: number[] = [];
for (let i = 0; i < Math.min(20, runs); i++) {
  serialize(term);
  addon.serialize({ scrollback: 0 });
}
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  serialize(term);
  ours.push(performance.now() - t);
  t = performance.now();
  addon.serialize({ scrollback: 0 });
  plain.push(performance.now() - t);
  t = performance.now();
  await vt.snapshot();
  endToEnd.push(performance.now() - t);
  vt.feed("\x1b[30;40Hx\x1b[30;40H");
  t = performance.now();
  await vt.snapshot();
  afterOutput.push(performance.now() - t);
}
console.log(
  `snapshot of a ${COLS}x${ROWS} screen, every cell coloured: ${snapshot.length} chars ` +
    `(addon: ${addon.serialize({ scrollback: 0 }).length}), ${runs} runs`,
);
term.dispose();
const a = _stats("asciirec serializer (sync)", ours);
_stats("asciirec Vt.snapshot(), nothing queued", endToEnd);
_stats("asciirec Vt.snapshot(), output queued", afterOutput);
const b = _stats("addon-serialize 0.14.0 (reference)", plain);
console.log(
  `ratio to the addon: p50 ${(a.p50 / b.p50).toFixed(2)}x   p99 ${(a.p99 / b.p99).toFixed(2)}x`,
);
console.log(`target p99 < 5 ms: ${a.p99 < 5 ? "met" : "NOT met"}`);
