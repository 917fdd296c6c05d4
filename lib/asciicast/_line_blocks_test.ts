import { assertEquals } from "../../tests/_assert.ts";
import { _firstInvalidUtf8, _LineBlockReader, type ByteSource } from "./_line_blocks.ts";

function trickle(bytes: Uint8Array, step: (i: number) => number): ByteSource {
  let pos = 0;
  let reads = 0;
  return {
    read(into) {
      if (pos >= bytes.length) return Promise.resolve(null);
      const n = Math.min(into.length, step(reads++), bytes.length - pos);
      into.set(bytes.subarray(pos, pos + n));
      pos += n;
      return Promise.resolve(n);
    },
    close() {},
  };
}

async function readAll(source: ByteSource) {
  const reader = new _LineBlockReader(source);
  const blocks = [];
  for (let block = await reader.next(); block; block = await reader.next()) blocks.push(block);
  return blocks;
}

Deno.test("line blocks reassemble the input exactly, whatever the read sizes", async () => {
  const text = Array.from({ length: 500 }, (_, i) => `line ${i} héllo 🎉 ${"x".repeat(i % 37)}`)
    .join("\n") + "\nlast without newline ✔";
  const bytes = new TextEncoder().encode(text);
  for (const step of [() => 1, () => 3, (i: number) => 1 + (i * 7919) % 50, () => 1 << 20]) {
    const blocks = await readAll(trickle(bytes, step));
    assertEquals(blocks.map((b) => b.text).join(""), text);
    assertEquals(blocks.filter((b) => b.final).length, 1);
    for (const block of blocks.slice(0, -1)) assertEquals(block.text.endsWith("\n"), true);
  }
});

Deno.test("line blocks handle a line longer than the buffer", async () => {
  const long = "y".repeat(3 * 1024 * 1024);
  const bytes = new TextEncoder().encode(`a\n${long}\nb\n`);
  const blocks = await readAll(trickle(bytes, () => 65536));
  assertEquals(blocks.map((b) => b.text).join(""), `a\n${long}\nb\n`);
});

Deno.test("line blocks stop at the line with invalid UTF-8, after the lines before it", async () => {
  const bytes = new Uint8Array([...new TextEncoder().encode("ok 1\nok 2\nbad "), 0xff, 10, 65, 10]);
  const blocks = await readAll(trickle(bytes, () => 1 << 20));
  assertEquals(blocks, [{ text: "ok 1\nok 2\n", final: false, invalidUtf8: true }]);
});

Deno.test("line blocks treat a last line cut inside a character as text, not as invalid", async () => {
  const bytes = new Uint8Array([...new TextEncoder().encode("a\nb🎉"), 0xf0, 0x9f]);
  const blocks = await readAll(trickle(bytes, () => 1 << 20));
  assertEquals(blocks.map((b) => [b.text, b.final, b.invalidUtf8]), [
    ["a\n", false, undefined],
    ["b🎉", true, undefined],
  ]);
});

Deno.test("_firstInvalidUtf8 finds the first bad byte", async (t) => {
  const cases: [string, number[], number][] = [
    ["valid ASCII and multi-byte", [0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x8e, 0x89], -1],
    ["a stray continuation byte", [0x61, 0x80], 1],
    ["an overlong encoding", [0xc0, 0xaf], 0],
    ["a surrogate", [0x61, 0xed, 0xa0, 0x80], 1],
    ["a sequence cut off at the end", [0x61, 0xe2, 0x9c], 3],
    ["0xff", [0xff], 0],
  ];
  for (const [name, bytes, expected] of cases) {
    await t.step(name, () => assertEquals(_firstInvalidUtf8(new Uint8Array(bytes)), expected));
  }
});
