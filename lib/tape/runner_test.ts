import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { sameCell, type Screen, screenText } from "../vt/screen.ts";
import { Vt } from "../vt/vt.ts";
import { parseTape } from "./parser.ts";
import { runTape, TapeRunError } from "./runner.ts";

// These tests run real shells on a real PTY.
const opts = { sanitizeOps: false, sanitizeResources: false };

interface Run {
  events: Event[];
  screens: { screen: Screen; source: string }[];
  wallMs: number;
}

async function run(text: string, options: { fast?: boolean } = {}): Promise<Run> {
  const { tape, errors } = parseTape(text, { file: "t.tape" });
  assertEquals(errors, []);
  const events: Event[] = [];
  const screens: Run["screens"] = [];
  const start = performance.now();
  await runTape(tape, {
    onEvent: (e) => events.push(e),
    onScreen: (screen, command) => screens.push({ screen, source: command.source }),
    fast: options.fast,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? "/" },
  });
  return { events, screens, wallMs: performance.now() - start };
}

/** The screen a fresh terminal shows after the events up to `until` (µs, inclusive). */
function replay(events: Event[], cols: number, rows: number, until = Infinity): Screen {
  using vt = new Vt(cols, rows, { sync: true });
  for (const e of events) if (e.code === "o" && e.time <= until) vt.feed(e.data);
  return vt.screen();
}

function assertSameScreen(actual: Screen, expected: Screen): void {
  assertEquals(screenText(actual), screenText(expected));
  assertEquals(actual.cursor, expected.cursor);
  assertEquals(actual.alternate, expected.alternate);
  for (let y = 0; y < expected.rows; y++) {
    for (let x = 0; x < expected.cols; x++) {
      const a = actual.lines[y]!.cells[x]!;
      const b = expected.lines[y]!.cells[x]!;
      assert(sameCell(a, b), `cell ${x},${y}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
    }
  }
}

Deno.test(
  "the first frame after Show is the live screen, and nothing typed while hidden is in it",
  opts,
  async () => {
    const { events, screens } = await run([
      "Set Shell bash",
      "Set Cols 50",
      "Set Rows 8",
      "Type \"printf '\\033[1;32mgreen\\033[0m\\n'\" Enter",
      "Sleep 200ms",
      "Hide",
      'Type "export TOKEN=hunter2-secret; clear" Enter',
      "Type \"printf '\\033[7minverse\\033[0m \\033[38;5;208mX\\033[0m\\n'\" Enter",
      "Show",
      "Sleep 300ms",
    ].join("\n"));
    const show = screens.find((s) => s.source === "Show")!;
    const showTime = events.find((e) => e.data.startsWith("\x1bc"))!.time;
    assertSameScreen(replay(events, 50, 8, showTime), show.screen);
    assert(screenText(show.screen).includes("inverse X"), screenText(show.screen));
    for (const e of events) {
      assert(!e.data.includes("hunter2"), `typed while hidden, yet in the file: ${e.data}`);
      assert(!e.data.includes("export"), `typed while hidden, yet in the file: ${e.data}`);
    }
    assertEquals(events.at(-1), { time: showTime + 300_000, code: "x", data: "0" });
  },
);

Deno.test("the final screen of the recording equals the last golden screen", opts, async () => {
  const { events, screens } = await run([
    "Set Shell sh",
    "Set Cols 40",
    "Set Rows 6",
    'Type "for i in 1 2 3 4 5 6 7; do echo line $i; done" Enter',
    "Wait",
    "Sleep 100ms",
  ].join("\n"));
  assertSameScreen(replay(events, 40, 6), screens.at(-1)!.screen);
  assert(screenText(screens.at(-1)!.screen).includes("line 7"));
});

Deno.test("arrow keys follow the program's cursor key mode", opts, async () => {
  const { screens } = await run([
    "Set Shell sh",
    "Set Cols 40",
    "Set Rows 12",
    'Type "cat -v" Enter Up Enter',
    "Ctrl+C",
    "Type \"printf '\\033[?1h'; cat -v\" Enter Up Enter",
    "Ctrl+C Sleep 100ms",
  ].join("\n"));
  const text = screenText(screens.at(-1)!.screen);
  assert(text.includes("^[[A"), text);
  assert(text.includes("^[OA"), text);
});

Deno.test(
  "a Wait that times out fails with the command, the value seen and the screen",
  opts,
  async () => {
    const error = await assertRejects(
      () => run('Set Shell sh\nType "echo waiting"\nWait@300ms /never/\nType "x"'),
      TapeRunError,
    );
    assert(error instanceof TapeRunError);
    assertEquals(error.command?.loc.line, 3);
    assertEquals(
      error.message,
      'timed out after 300 ms waiting for /never/ to match the line the cursor is on; it was: "> echo waiting"',
    );
    assertEquals(error.screen, "> echo waiting");
  },
);

Deno.test("a shell that exits before the tape ends fails at the next key press", opts, async () => {
  const error = await assertRejects(
    () => run('Set Shell sh\nType "exit 3" Enter\nSleep 1s\nType "echo more"'),
    TapeRunError,
  );
  assert(error instanceof TapeRunError);
  assertEquals(error.command?.source, 'Type "echo more"');
  assertEquals(error.message, "the shell exited with status 3; nothing is left to type into");
});

Deno.test("--fast skips quiet Sleep time without changing the recording", opts, async () => {
  // Margins for a busy machine (see the README): 100 ms key presses, a 100 ms frame grid.
  const tape = "Set Shell sh\nSet TypingSpeed 100ms\nSet Framerate 10\n" +
    'Type "echo hi" Enter\nSleep 2s\nType "echo bye" Enter\nSleep 1s';
  const fast = await run(tape, { fast: true });
  const slow = await run(tape);
  assertEquals(fast.events, slow.events);
  assert(slow.wallMs - fast.wallMs > 2000, `fast ${fast.wallMs} ms, slow ${slow.wallMs} ms`);
});

Deno.test("programs that ask the terminal where the cursor is get an answer", opts, async () => {
  const { screens } = await run([
    "Set Shell bash",
    "Set Cols 100",
    "Set Rows 5",
    "Type `printf 'ab\\033[6n'; IFS= read -rs -d R pos; echo \" at ${pos#*[}\"` Enter",
    "Wait+Screen@3s /at \\d+;\\d+/",
  ].join("\n"));
  assertEquals(screenText(screens.at(-1)!.screen).split("\n")[1], "ab at 2;3");
});
