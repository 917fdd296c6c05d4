import { assertEquals } from "../../tests/_assert.ts";
import { TerminalModes } from "./terminal_modes.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const RESET = "\x1b[0m\x1b[?25h";

Deno.test("terminal modes: the reset sequence undoes what the output left on", async (t) => {
  const cases: { name: string; writes: string[]; reset: string; alt?: boolean }[] = [
    {
      name: "plain output needs only colours reset and the cursor shown",
      writes: ["hello\x1b[31m"],
      reset: RESET,
    },
    {
      name: "an alternate screen left on is left",
      writes: ["\x1b[?1049h\x1b[2J"],
      reset: "\x1b[?1049l" + RESET,
      alt: true,
    },
    {
      name: "a mode switched on and off again needs nothing",
      writes: ["\x1b[?1049hvim\x1b[?1049l"],
      reset: RESET,
    },
    {
      name: "several modes in one sequence are tracked, alternate screen first",
      writes: ["\x1b[?1000;1006;1049h"],
      reset: "\x1b[?1049l\x1b[?1000l\x1b[?1006l" + RESET,
      alt: true,
    },
    {
      name: "a sequence split across writes is still seen",
      writes: ["abc\x1b", "[?10", "49h"],
      reset: "\x1b[?1049l" + RESET,
      alt: true,
    },
    {
      name: "the cursor mode is not tracked (it is always shown at the end)",
      writes: ["\x1b[?25l"],
      reset: RESET,
    },
    {
      name: "question marks in text are not sequences",
      writes: ["why?1049h [?2004h"],
      reset: RESET,
    },
    {
      name: "bracketed paste left on is switched off",
      writes: ["\x1b[?2004h$ "],
      reset: "\x1b[?2004l" + RESET,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const modes = new TerminalModes();
      for (const write of c.writes) modes.feed(bytes(write));
      assertEquals(text(modes.resetSequence()), c.reset);
      assertEquals(modes.alternateScreen, c.alt ?? false);
    });
  }
});
