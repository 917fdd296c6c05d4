import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { AlisError } from "./alis_error.ts";
import { decodeLeb128, encodeLeb128, leb128Length } from "./leb128.ts";

function hex(s: string): Uint8Array {
  return new Uint8Array(s.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
}

Deno.test("LEB128 encodes the reference table byte-exactly", async (t) => {
  const table: [number, string][] = [
    [0, "00"],
    [1, "01"],
    [24, "18"],
    [80, "50"],
    [127, "7F"],
    [128, "80 01"],
    [130, "82 01"],
    [180, "B4 01"],
    [255, "FF 01"],
    [300, "AC 02"],
    [720, "D0 05"],
    [800, "A0 06"],
    [1000, "E8 07"],
    [10_000, "90 4E"],
    [12_000, "E0 5D"],
    [16_383, "FF 7F"],
    [16_384, "80 80 01"],
    [50_000, "D0 86 03"],
    [100_000, "A0 8D 06"],
    [125_000, "C8 D0 07"],
    [500_000, "A0 C2 1E"],
    [1_000_000, "C0 84 3D"],
    [1_500_000, "E0 C6 5B"],
    [205_500_000, "E0 DC FE 61"],
    [2 ** 32, "80 80 80 80 10"],
    [2 ** 53 - 1, "FF FF FF FF FF FF FF 0F"],
  ];
  for (const [value, bytes] of table) {
    await t.step(`${value} ↔ ${bytes}`, () => {
      assertEquals(encodeLeb128(value), hex(bytes));
      assertEquals(leb128Length(value), hex(bytes).length);
      assertEquals(decodeLeb128(hex(bytes), 0), { value, next: hex(bytes).length });
    });
  }
});

Deno.test("LEB128 round-trips the boundaries around every 7-bit group", () => {
  for (let bits = 0; bits <= 53; bits++) {
    for (const value of [2 ** bits - 1, 2 ** bits, 2 ** bits + 1]) {
      if (value > Number.MAX_SAFE_INTEGER) continue;
      const bytes = encodeLeb128(value);
      assertEquals(decodeLeb128(bytes, 0), { value, next: bytes.length });
    }
  }
});

Deno.test("LEB128 decodes at an offset and accepts non-minimal encodings", () => {
  assertEquals(decodeLeb128(hex("FF AC 02 00"), 1), { value: 300, next: 3 });
  assertEquals(decodeLeb128(hex("81 80 80 00"), 0), { value: 1, next: 4 });
});

Deno.test("LEB128 encoder rejects values it cannot represent", async (t) => {
  for (const value of [-1, 0.5, 2 ** 53, NaN, Infinity]) {
    await t.step(String(value), () => {
      assertThrows(() => encodeLeb128(value), RangeError, "expected an integer from 0 to 2^53-1");
    });
  }
});

Deno.test("LEB128 decoder reports truncation and values beyond 2^53-1", async (t) => {
  const table: [string, string][] = [
    ["", "truncated LEB128 at byte 0"],
    ["80", "truncated LEB128 at byte 0"],
    ["FF FF", "truncated LEB128 at byte 0"],
    ["80 80 80 80 80 80 80 10", "LEB128 value at byte 0 exceeds 2^53-1"],
    ["FF FF FF FF FF FF FF 1F", "LEB128 value at byte 0 exceeds 2^53-1"],
    ["80 80 80 80 80 80 80 80 80 80 01", "LEB128 value at byte 0 exceeds 2^53-1"],
  ];
  for (const [bytes, message] of table) {
    await t.step(bytes || "(empty)", () => {
      assertThrows(() => decodeLeb128(hex(bytes), 0), AlisError, message);
    });
  }
});
