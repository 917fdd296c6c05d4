/**
 * Test vectors shared by the ALiS encoder and decoder tests: the worked examples of
 * alis.md §4.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";
import type { AlisMessage } from "./message.ts";

/** Parses `"6F 01 E0"` into bytes. */
export function hex(s: string): Uint8Array {
  return new Uint8Array(s.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
}

/** The 16-colour theme of the late-joiner example. */
export const THEME16: Theme = {
  fg: "#d0d0d0",
  bg: "#212121",
  palette: (
    "#151515:#ac4142:#7e8e50:#e5b567:#6c99bb:#9f4e85:#7dd6cf:#d0d0d0:" +
    "#505050:#ac4142:#7e8e50:#e5b567:#6c99bb:#9f4e85:#7dd6cf:#f5f5f5"
  ).split(":"),
};

/** The worked examples of alis.md §4, byte for byte. */
export const REFERENCE_VECTORS: [string, AlisMessage, string][] = [
  [
    "init of a fresh stream",
    { type: "init", lastId: 0, time: 0, cols: 80, rows: 24, initData: "" },
    "01 00 00 50 18 00 00",
  ],
  ["output $", { type: "output", id: 1, relTime: 12_000, data: "$ " }, "6F 01 E0 5D 02 24 20"],
  ["input l", { type: "input", id: 2, relTime: 1_500_000, data: "l" }, "69 02 E0 C6 5B 01 6C"],
  ["output l", { type: "output", id: 3, relTime: 800, data: "l" }, "6F 03 A0 06 01 6C"],
  [
    "output with a 3-byte character",
    { type: "output", id: 4, relTime: 250_000, data: "✓ ok\r\n" },
    "6F 04 90 A1 0F 08 E2 9C 93 20 6F 6B 0D 0A",
  ],
  [
    "resize",
    { type: "resize", id: 5, relTime: 2_250_000, cols: 100, rows: 30 },
    "72 05 90 AA 89 01 64 1E",
  ],
  [
    "marker",
    { type: "marker", id: 6, relTime: 500_000, label: "build" },
    "6D 06 A0 C2 1E 05 62 75 69 6C 64",
  ],
  ["exit 0", { type: "exit", id: 7, relTime: 100_000, status: 0 }, "78 07 A0 8D 06 00"],
  ["exit 130", { type: "exit", id: 7, relTime: 100_000, status: 130 }, "78 07 A0 8D 06 82 01"],
  ["bare EOT", { type: "eot" }, "04"],
  ["EOT with relTime", { type: "eot", relTime: 0 }, "04 00"],
  ["EOT with id and relTime", { type: "eot", id: 8, relTime: 0 }, "04 08 00"],
  [
    "late joiner's init with a 16-colour theme",
    {
      type: "init",
      lastId: 42,
      time: 205_500_000,
      cols: 120,
      rows: 40,
      theme: THEME16,
      initData: "hi\r\n$ ",
    },
    `01 2A E0 DC FE 61 78 28 10 D0 D0 D0 21 21 21
     15 15 15 AC 41 42 7E 8E 50 E5 B5 67 6C 99 BB 9F 4E 85 7D D6 CF D0 D0 D0
     50 50 50 AC 41 42 7E 8E 50 E5 B5 67 6C 99 BB 9F 4E 85 7D D6 CF F5 F5 F5
     06 68 69 0D 0A 24 20`,
  ],
  [
    "next live output after it",
    { type: "output", id: 43, relTime: 12_000, data: "x" },
    "6F 2B E0 5D 01 78",
  ],
  [
    "asciinema's init with no theme",
    { type: "init", lastId: 1, time: 500, cols: 120, rows: 130, initData: "" },
    "01 01 F4 03 78 82 01 00 00",
  ],
  ["asciinema's exit", { type: "exit", id: 25, relTime: 200, status: 0 }, "78 19 C8 01 00"],
];
