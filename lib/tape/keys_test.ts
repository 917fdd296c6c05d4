import { assertEquals } from "../../tests/_assert.ts";
import type { KeyName, Modifiers } from "./command.ts";
import { comboBytes, keyBytes, typedBytes } from "./keys.ts";

Deno.test("keys send the bytes xterm sends", async (t) => {
  const cases: [KeyName, string][] = [
    ["Enter", "\r"],
    ["Backspace", "\x7f"],
    ["Delete", "\x1b[3~"],
    ["Insert", "\x1b[2~"],
    ["Tab", "\t"],
    ["Space", " "],
    ["Escape", "\x1b"],
    ["Up", "\x1b[A"],
    ["Down", "\x1b[B"],
    ["Right", "\x1b[C"],
    ["Left", "\x1b[D"],
    ["Home", "\x1b[H"],
    ["End", "\x1b[F"],
    ["PageUp", "\x1b[5~"],
    ["PageDown", "\x1b[6~"],
    ["ScrollUp", ""],
    ["ScrollDown", ""],
  ];
  for (const [key, bytes] of cases) {
    await t.step(key, () => assertEquals(keyBytes(key), bytes));
  }
});

Deno.test("cursor keys follow the application cursor mode", () => {
  const app = { applicationCursor: true };
  assertEquals(
    (["Up", "Down", "Right", "Left", "Home", "End"] as KeyName[]).map((k) => keyBytes(k, app)),
    ["\x1bOA", "\x1bOB", "\x1bOC", "\x1bOD", "\x1bOH", "\x1bOF"],
  );
  assertEquals(keyBytes("PageUp", app), "\x1b[5~");
  assertEquals(typedBytes("↑", app), "\x1bOA");
});

Deno.test("modified keys send xterm's modifier sequences", async (t) => {
  const cases: [string, Modifiers, string][] = [
    ["C", { ctrl: true }, "\x03"],
    ["c", { ctrl: true }, "\x03"],
    ["L", { ctrl: true }, "\x0c"],
    ["@", { ctrl: true }, "\x00"],
    ["2", { ctrl: true }, "\x00"],
    ["[", { ctrl: true }, "\x1b"],
    ["\\", { ctrl: true }, "\x1c"],
    ["]", { ctrl: true }, "\x1d"],
    ["^", { ctrl: true }, "\x1e"],
    ["_", { ctrl: true }, "\x1f"],
    ["-", { ctrl: true }, "\x1f"],
    ["/", { ctrl: true }, "\x1f"],
    ["?", { ctrl: true }, "\x7f"],
    [".", { ctrl: true }, "."],
    ["1", { ctrl: true }, "1"],
    ["X", { ctrl: true, alt: true }, "\x1b\x18"],
    ["O", { ctrl: true, shift: true }, "\x0f"],
    ["P", { ctrl: true, alt: true, shift: true }, "\x1b\x10"],
    [".", { alt: true }, "\x1b."],
    ["L", { alt: true }, "\x1bL"],
    ["i", { alt: true }, "\x1bi"],
    ["a", { shift: true }, "A"],
    ["A", { shift: true }, "A"],
    ["Enter", { alt: true }, "\x1b\r"],
    ["Enter", { shift: true }, "\r"],
    ["Enter", { ctrl: true }, "\r"],
    ["Tab", { shift: true }, "\x1b[Z"],
    ["Tab", { alt: true }, "\x1b\t"],
    ["Backspace", { ctrl: true }, "\x08"],
    ["Backspace", { alt: true }, "\x1b\x7f"],
    ["Space", { ctrl: true }, "\x00"],
    ["Escape", { alt: true }, "\x1b\x1b"],
    ["Left", { ctrl: true }, "\x1b[1;5D"],
    ["Right", { alt: true }, "\x1b[1;3C"],
    ["Up", { shift: true }, "\x1b[1;2A"],
    ["Down", { ctrl: true, shift: true }, "\x1b[1;6B"],
    ["Home", { ctrl: true }, "\x1b[1;5H"],
    ["Delete", { ctrl: true }, "\x1b[3;5~"],
    ["PageDown", { shift: true }, "\x1b[6;2~"],
  ];
  for (const [key, modifiers, bytes] of cases) {
    const name = `${Object.keys(modifiers).join("+")}+${key}`;
    await t.step(name, () => assertEquals(comboBytes(key, modifiers), bytes));
  }
});

Deno.test("typed characters are their UTF-8 text, arrows are arrow keys", () => {
  assertEquals([..."aé€😀"].map((c) => typedBytes(c)), ["a", "é", "€", "😀"]);
  assertEquals([..."←↑→↓"].map((c) => typedBytes(c)), ["\x1b[D", "\x1b[A", "\x1b[C", "\x1b[B"]);
});
