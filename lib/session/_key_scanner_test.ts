import assert from "node:assert/strict";
import { type KeyBindings, type KeyItem, KeyScanner } from "./_key_scanner.ts";

const b = (...bytes: number[]) => new Uint8Array(bytes);

/** Items as plain arrays, for comparison. */
function plain(items: KeyItem[]): (number[] | string)[] {
  return items.map((i) => (typeof i === "string" ? i : [...i]));
}

Deno.test("KeyScanner finds hotkeys anywhere in the input", async (t) => {
  const cases: [string, KeyBindings, Uint8Array[], (number[] | string)[]][] = [
    ["no bindings: everything passes", {}, [b(1, 2, 0x1c)], [[1, 2, 0x1c]]],
    ["pause key alone", { pauseKey: b(0x1c) }, [b(0x1c)], ["pause"]],
    ["pause key inside a paste", { pauseKey: b(0x1c) }, [b(0x61, 0x1c, 0x62)], [
      [0x61],
      "pause",
      [0x62],
    ]],
    ["two hotkeys in one read", { pauseKey: b(0x1c), markerKey: b(0x07) }, [b(0x07, 0x1c)], [
      "marker",
      "pause",
    ]],
    ["multi-byte key split across reads", { markerKey: b(0x1b, 0x6d) }, [b(0x61, 0x1b), b(0x6d)], [
      [0x61],
      "marker",
    ]],
    ["near miss of a multi-byte key passes through", { markerKey: b(0x1b, 0x6d) }, [
      b(0x1b, 0x1b, 0x6d),
    ], [[0x1b], "marker"]],
    ["prefix then pause", { prefixKey: b(0x01), pauseKey: b(0x1c) }, [b(0x01, 0x1c)], ["pause"]],
    ["pause without prefix passes", { prefixKey: b(0x01), pauseKey: b(0x1c) }, [b(0x1c)], [
      [0x1c],
    ]],
    ["prefix twice sends it once", { prefixKey: b(0x01), pauseKey: b(0x1c) }, [b(0x01, 0x01)], [
      [0x01],
    ]],
    ["prefix then another key sends that key", { prefixKey: b(0x01), pauseKey: b(0x1c) }, [
      b(0x01, 0x78, 0x1c),
    ], [[0x78, 0x1c]]],
    ["prefix split from its key across reads", { prefixKey: b(0x01), markerKey: b(0x07) }, [
      b(0x01),
      b(0x07),
    ], ["marker"]],
    ["disabled binding (null)", { pauseKey: null, markerKey: b(0x07) }, [b(0x1c, 0x07)], [
      [0x1c],
      "marker",
    ]],
  ];
  for (const [name, bindings, chunks, want] of cases) {
    await t.step(name, () => {
      const keys = new KeyScanner(bindings);
      const got = chunks.flatMap((c) => plain(keys.feed(c)));
      assert.deepEqual(got, want);
    });
  }
});

Deno.test("KeyScanner holds a partial multi-byte key until flushed", () => {
  const keys = new KeyScanner({ markerKey: b(0x1b, 0x6d) });
  assert.deepEqual(plain(keys.feed(b(0x61, 0x1b))), [[0x61]]);
  assert.equal(keys.holding, true);
  assert.deepEqual([...keys.flush()], [0x1b]);
  assert.equal(keys.holding, false);
  assert.deepEqual(plain(keys.feed(b(0x6d))), [[0x6d]]);
});
