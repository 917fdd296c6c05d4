import { assert, assertEquals } from "../../tests/_assert.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import { diffTerminals } from "./_compare.ts";
import { scrolledOffHead } from "./_scrolled_off.ts";
import { vtTerminals } from "./_xterm.ts";
import { Vt } from "./vt.ts";

const CSI = "\x1b[";
const lines = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `line ${from + i}\r\n`).join("");

Deno.test("scrolledOffHead keeps the lines that stay, from a CR LF, with the pen", () => {
  const flood = `${CSI}1m${CSI}31mred${CSI}0m${CSI}32m${lines(2000)}end`;
  const kept = scrolledOffHead(flood, 24, 10)!;
  assert(kept !== undefined && kept.length < flood.length / 10, String(kept?.length));
  // The pen from the last reset on, then the tail from a CR LF with every line it needs.
  assert(kept.startsWith(`${CSI}0m${CSI}32m\r\n`), JSON.stringify(kept.slice(0, 20)));
  assertEquals(kept.split("\n").length - 1, 2 * 24 + 10 + 2);
  assert(kept.endsWith("line 1999\r\nend"));
});

Deno.test("scrolledOffHead feeds whole what is short, not plain, or lacks CR LF", () => {
  assertEquals(scrolledOffHead(lines(100), 24, 0), undefined, "short");
  for (
    const odd of [
      `${CSI}2A`, // cursor up
      "\x1bM", // reverse index
      "\x08", // backspace
      "\x07", // bell
      "\x0e", // shift out
      "\x9b", // C1 CSI
      `${CSI}5b`, // repeat
      "\x1b]0;title\x07",
    ]
  ) {
    assertEquals(scrolledOffHead(lines(1000) + odd + lines(1000), 24, 0), undefined, odd);
  }
  assertEquals(scrolledOffHead(lines(2000) + `${CSI}3`, 24, 0), undefined, "unfinished SGR");
  assertEquals(scrolledOffHead(lines(2000).replaceAll("\r", ""), 24, 0), undefined, "bare LF");
  assertEquals(scrolledOffHead(lines(2000), 500, 1000), undefined, "too few lines");
});

/** A random prelude that leaves the terminal in some state: anything goes. */
function prelude(random: () => number, cols: number, rows: number): string {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  let out = "";
  for (let i = 0; i < 30; i++) {
    out += pick([
      () => `${CSI}${1 + Math.floor(random() * rows)};${1 + Math.floor(random() * cols)}H`,
      () => `${CSI}${pick([1, 4, 7, 31, 42, "38;5;200", "48;2;1;2;3", 0, 22, "4:3"])}m`,
      () => "some text ",
      () => "宽字符 ",
      () => "e\u0301 ",
      () => `${CSI}4h`, // insert mode
      () => `${CSI}4l`,
      () => `${CSI}?7l`, // no autowrap
      () => `${CSI}?7h`,
      () => `${CSI}?1049h`, // alternate screen
      () => `${CSI}?1049l`,
      () => `${CSI}2;${Math.max(2, rows - 1)}r`, // scroll region…
      () => `${CSI}r`, // …and back to the whole screen
      () => "\x1b(0", // line drawing charset
      () => "\x1b(B",
      () => "\x1bH", // tab stop
      () => `${CSI}?6h`, // origin mode
      () => `${CSI}?6l`,
      () => "\r\n",
      () => "x".repeat(cols + 3),
    ])();
  }
  return out;
}

/** A random flood: plain lines with colours, tabs, wraps, overwrites and wide characters. */
function flood(random: () => number, cols: number): string {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  // A quarter are a raw-mode program's output, whose lines end in LF alone.
  const eol = random() < 0.25 ? "\n" : "\r\n";
  let out = "";
  while (out.length < 20_000) {
    out += pick([
      () => `${Math.floor(random() * 1e6)}${eol}`,
      () => `${CSI}${pick([31, "1;32", 0, "", "38;5;9", "0;44", 7])}m`,
      () => "\tcol\t",
      () => "y".repeat(Math.floor(random() * cols * 2)) + eol,
      () => eol === "\n" ? "abc" : "abc\rX",
      () => "漢字🙂" + eol,
      () => "\n",
    ])();
  }
  return out;
}

Deno.test("a Vt that skips scrolled-off output ends in the same state as one that draws it", async () => {
  const random = mulberry32(20261201);
  let skipped = 0;
  for (let round = 0; round < 60; round++) {
    const cols = 2 + Math.floor(random() * 100);
    const rows = 2 + Math.floor(random() * 30);
    const scrollback = Math.floor(random() * 3) * 20;
    using full = new Vt(cols, rows, { sync: true, scrollback });
    using fast = new Vt(cols, rows, { sync: true, scrollback, skipScrolledOff: true });
    // Half the time the prelude stops inside a sequence (a scroll region) that the flood
    // then finishes.
    const [unfinished, finish] = random() < 0.5 ? [`${CSI}1;${rows - 1}`, "r"] : ["", ""];
    const pieces = [prelude(random, cols, rows) + unfinished, finish + flood(random, cols)];
    pieces.push(flood(random, cols));
    pieces.push(prelude(random, cols, rows), flood(random, cols), `${CSI}5b${CSI}3A↑`);
    for (const piece of pieces) {
      full.feed(piece);
      // In small pieces too (a PTY read each), which the skipping Vt holds and joins.
      for (let at = 0; at < piece.length;) {
        const size = random() < 0.5 ? piece.length : 1 + Math.floor(random() * 5000);
        fast.feed(piece.slice(at, at + size));
        at += size;
      }
      await fast.settled(); // a read hands over what is held
      const context = `round ${round} (${cols}x${rows}, scrollback ${scrollback})`;
      assertEquals(
        diffTerminals(vtTerminals.get(fast)!, vtTerminals.get(full)!),
        [],
        context,
      );
      assertEquals(
        await fast.snapshot({ scrollback: true }),
        await full.snapshot({ scrollback: true }),
        context,
      );
    }
    if (scrolledOffHead(pieces[1]!, rows, scrollback) !== undefined) skipped++;
  }
  assert(skipped > 20, `only ${skipped} of 60 floods were skippable: the test proves little`);
});

Deno.test("a sync Vt that skips draws only the last lines of a flood fed in small pieces", async () => {
  for (const skipScrolledOff of [false, true]) {
    using vt = new Vt(80, 24, { sync: true, scrollback: 0, skipScrolledOff });
    let lineFeeds = 0;
    vtTerminals.get(vt)!.onLineFeed(() => lineFeeds++);
    const flood = Array.from({ length: 20_000 }, (_, i) => `${i}\r\n`).join("");
    // As a PTY hands it over: a few KB per read, each below the length worth scanning.
    for (let at = 0; at < flood.length; at += 2800) vt.feed(flood.slice(at, at + 2800));
    const expected = Array.from({ length: 23 }, (_, i) => `${19_977 + i}`).join("\n");
    assertEquals(await vt.text(), expected);
    if (skipScrolledOff) assert(lineFeeds < 1000, `${lineFeeds} line feeds drawn`);
    else assertEquals(lineFeeds, 20_000);
  }
});
