import { assert, assertEquals, assertThrows } from "../../tests/_assert.ts";
import { AlisError } from "./alis_error.ts";
import { checkAlisMagic, decodeAlisMessage } from "./decoder.ts";
import { encodeAlisMessage } from "./encoder.ts";
import { alisMagic, type AlisMessage } from "./message.ts";
import { hex, REFERENCE_VECTORS, THEME16 } from "./_test_vectors.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";

Deno.test("ALiS decoder reads the reference examples", async (t) => {
  for (const [name, message, bytes] of REFERENCE_VECTORS) {
    await t.step(name, () => assertEquals(decodeAlisMessage(hex(bytes)), message));
  }
});

Deno.test("ALiS messages of every type round-trip", async (t) => {
  const big = 2 ** 53 - 1;
  const table: AlisMessage[] = [
    { type: "init", lastId: 0, time: 0, cols: 1, rows: 1, initData: "" },
    {
      type: "init",
      lastId: big,
      time: big,
      cols: 720,
      rows: 200,
      theme: THEME16,
      initData: "\x1b[1mA",
    },
    {
      type: "init",
      lastId: 7,
      time: 2 ** 32,
      cols: 80,
      rows: 24,
      theme: { fg: "#ffffff", bg: "#000000", palette: THEME16.palette.slice(0, 8) },
      initData: "é漢字🙂\r\n",
    },
    { type: "output", id: 1, relTime: 0, data: "" },
    { type: "output", id: 128, relTime: 127, data: "\ufeffBOM kept, NUL \0 kept" },
    { type: "output", id: big, relTime: big, data: "x".repeat(20_000) },
    { type: "input", id: 2, relTime: 2 ** 32, data: "\x03" },
    { type: "resize", id: 3, relTime: 128, cols: 65535, rows: 0 },
    { type: "marker", id: 4, relTime: 1, label: "" },
    { type: "marker", id: 5, relTime: 1, label: "chapter 🙂" },
    { type: "exit", id: 6, relTime: 0, status: 255 },
    { type: "eot" },
    { type: "eot", relTime: 2 ** 32 },
    { type: "eot", id: 9, relTime: 127 },
  ];
  for (const message of table) {
    await t.step(`${message.type} ${JSON.stringify(message).slice(0, 60)}`, () => {
      assertEquals(decodeAlisMessage(encodeAlisMessage(message)), message);
    });
  }
});

Deno.test("ALiS magic check accepts only ALiS\\x01", async (t) => {
  checkAlisMagic(alisMagic());
  const table: [string, string][] = [
    ["", 'bad magic: expected the 5 bytes "ALiS\\x01", got 0 bytes'],
    ["41 4C 69 53", "bad magic"],
    ["41 4C 69 53 01 00", "bad magic"],
    ["41 4C 69 54 01", "bad magic"],
    ["41 4C 69 53 02", "unsupported ALiS version 2"],
  ];
  for (const [bytes, message] of table) {
    await t.step(bytes || "(empty)", () => {
      assertThrows(() => checkAlisMagic(hex(bytes)), AlisError, message);
    });
  }
});

Deno.test("ALiS decoder rejects malformed messages with AlisError", async (t) => {
  const table: [string, string, string][] = [
    ["empty", "", "empty ALiS message"],
    ["unknown type", "7A 01 00", "unknown ALiS message type 0x7a"],
    ["magic as a message", "41 4C 69 53 01", "unknown ALiS message type 0x41"],
    ["output without fields", "6F", "truncated LEB128 at byte 1"],
    ["truncated id", "6F 80", "truncated LEB128 at byte 1"],
    ["truncated relTime", "6F 01 E0", "truncated LEB128 at byte 2"],
    ["missing string length", "6F 01 00", "truncated LEB128 at byte 3"],
    [
      "string beyond the message",
      "6F 01 00 05 61 62",
      "output data at byte 4 needs 5 bytes but only 2 remain",
    ],
    ["invalid UTF-8", "6F 01 00 02 C3 28", "invalid UTF-8 in output data at byte 3"],
    ["cut UTF-8 sequence", "69 01 00 02 E2 9C", "invalid UTF-8 in input data at byte 3"],
    ["UTF-8 surrogate", "6D 01 00 03 ED A0 80", "invalid UTF-8 in marker label at byte 3"],
    ["trailing bytes", "78 07 A0 8D 06 00 00", "1 unexpected bytes after the exit message"],
    ["resize without rows", "72 05 00 50", "truncated LEB128 at byte 4"],
    [
      "id beyond 2^53-1",
      "6F 80 80 80 80 80 80 80 10 00 00",
      "LEB128 value at byte 1 exceeds 2^53-1",
    ],
    [
      "init without theme",
      "01 00 00 50 18",
      "init theme format at byte 5 needs 1 bytes but only 0 remain",
    ],
    ["bad theme format", "01 00 00 50 18 02 00", "unknown theme format 0x02 at byte 5"],
    [
      "truncated theme",
      "01 00 00 50 18 08 FF FF FF",
      "init theme colours at byte 6 needs 30 bytes but only 3 remain",
    ],
    [
      "init data beyond the message",
      "01 00 00 50 18 00 03 41",
      "init data at byte 7 needs 3 bytes",
    ],
    [
      "init with invalid UTF-8 data",
      "01 00 00 50 18 00 01 FF",
      "invalid UTF-8 in init data at byte 6",
    ],
  ];
  for (const [name, bytes, message] of table) {
    await t.step(name, () => {
      assertThrows(() => decodeAlisMessage(hex(bytes)), AlisError, message);
    });
  }
});

Deno.test("ALiS decoder ignores what follows EOT beyond the known layouts", async (t) => {
  const table: [string, AlisMessage][] = [
    ["04 01 02 03", { type: "eot" }],
    ["04 80", { type: "eot" }],
    ["04 FF FF FF FF FF FF FF FF 7F", { type: "eot" }],
  ];
  for (const [bytes, message] of table) {
    await t.step(bytes, () => assertEquals(decodeAlisMessage(hex(bytes)), message));
  }
});

Deno.test("ALiS decoder throws only AlisError on 20 000 random and mutated messages", () => {
  const random = mulberry32(0xa115);
  const int = (n: number) => Math.floor(random() * n);
  const types = [0x01, 0x04, 0x6f, 0x69, 0x72, 0x6d, 0x78];
  const valid = REFERENCE_VECTORS.map(([, , bytes]) => hex(bytes));
  let decoded = 0;
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      // Random payload after a plausible (mostly known) type byte.
      bytes = new Uint8Array(int(80));
      for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
      if (bytes.length > 0 && random() < 0.9) bytes[0] = types[int(types.length)]!;
    } else {
      // A valid message, truncated, extended or with a few bytes changed.
      const base = valid[int(valid.length)]!;
      bytes = base.slice(0, random() < 0.3 ? int(base.length + 1) : base.length);
      for (let k = int(4); k > 0 && bytes.length > 1; k--) {
        bytes[1 + int(bytes.length - 1)] = int(256);
      }
      if (random() < 0.2) bytes = new Uint8Array([...bytes, int(256)]);
    }
    try {
      const message = decodeAlisMessage(bytes);
      decoded++;
      // Whatever decodes re-encodes to something that decodes the same.
      assertEquals(decodeAlisMessage(encodeAlisMessage(message)), message);
    } catch (error) {
      if (!(error instanceof AlisError)) {
        throw new Error(`message ${i} [${bytes}] threw ${error}`, { cause: error });
      }
      rejected++;
    }
  }
  assert(decoded > 1000 && rejected > 1000, `decoded ${decoded}, rejected ${rejected}`);
});
