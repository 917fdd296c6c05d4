import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { encodeAlisMessage } from "./encoder.ts";
import { alisMagic, type AlisMessage } from "./message.ts";
import { hex, REFERENCE_VECTORS, THEME16 } from "./_test_vectors.ts";

Deno.test("ALiS encoder reproduces the reference examples byte-exactly", async (t) => {
  for (const [name, message, bytes] of REFERENCE_VECTORS) {
    await t.step(name, () => assertEquals(encodeAlisMessage(message), hex(bytes)));
  }
  await t.step("the late joiner's init is 70 bytes", () => {
    assertEquals(encodeAlisMessage(REFERENCE_VECTORS[12]![1]).length, 70);
  });
});

Deno.test("ALiS magic is the 5 bytes ALiS\\x01", () => {
  assertEquals(alisMagic(), hex("41 4C 69 53 01"));
});

Deno.test("ALiS encoder writes asciinema's 16-colour init prefix", () => {
  const bytes = encodeAlisMessage({
    type: "init",
    lastId: 42,
    time: 1000,
    cols: 180,
    rows: 24,
    theme: THEME16,
    initData: "",
  });
  assertEquals(bytes.subarray(0, 8), hex("01 2A E8 07 B4 01 18 10"));
  assertEquals(bytes.length, 8 + 54 + 1);
});

Deno.test("ALiS encoder writes an 8-colour theme as format 0x08", () => {
  const theme = { fg: "#FFFFFF", bg: "#000000", palette: THEME16.palette.slice(0, 8) };
  const bytes = encodeAlisMessage({
    type: "init",
    lastId: 0,
    time: 0,
    cols: 80,
    rows: 24,
    theme,
    initData: "",
  });
  assertEquals(bytes.subarray(5, 12), hex("08 FF FF FF 00 00 00"));
  assertEquals(bytes.length, 5 + 31 + 1);
});

Deno.test("ALiS encoder writes a 300-byte string with a 2-byte length", () => {
  const bytes = encodeAlisMessage({ type: "output", id: 9, relTime: 0, data: "a".repeat(300) });
  assertEquals(bytes.subarray(0, 5), hex("6F 09 00 AC 02"));
  assertEquals(bytes.length, 305);
});

Deno.test("ALiS encoder rejects what it cannot represent", async (t) => {
  const init = { type: "init", lastId: 0, time: 0, cols: 80, rows: 24, initData: "" } as const;
  const table: [string, AlisMessage, ErrorConstructor, string][] = [
    [
      "negative relTime",
      { type: "output", id: 1, relTime: -1, data: "" },
      RangeError,
      "Cannot encode -1",
    ],
    ["fractional id", { type: "exit", id: 1.5, relTime: 0, status: 0 }, RangeError, "1.5"],
    [
      "12-colour palette",
      { ...init, theme: { fg: "#000000", bg: "#000000", palette: Array(12).fill("#000000") } },
      RangeError,
      "12 palette colours",
    ],
    [
      "bad colour",
      { ...init, theme: { fg: "red", bg: "#000000", palette: Array(8).fill("#000000") } },
      TypeError,
      'colour "red"',
    ],
    ["EOT id without relTime", { type: "eot", id: 3 }, TypeError, "no relTime"],
  ];
  for (const [name, message, cls, text] of table) {
    await t.step(name, () => {
      assertThrows(() => encodeAlisMessage(message), cls, text);
    });
  }
});
