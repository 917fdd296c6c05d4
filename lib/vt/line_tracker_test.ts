import { assert, assertEquals } from "../../tests/_assert.ts";
import { LineTracker, type TrackedLine } from "./line_tracker.ts";

/** A tracker and everything it reported, step by step. */
function track(cols: number, rows: number) {
  const lines: TrackedLine[] = [];
  const tracker = new LineTracker(cols, rows, (line) => lines.push(line));
  return {
    tracker,
    /** Feeds `data` and returns what was reported for it. */
    feed(data: string) {
      tracker.feed(data);
      return lines.splice(0);
    },
    texts(reported: TrackedLine[]) {
      return reported.map((l) =>
        `${l.scrolledOff ? "off" : "on"}${l.alternate ? "/alt" : ""}:${l.text}`
      );
    },
  };
}

Deno.test("LineTracker reports new and changed lines, and lines scrolled off even within one feed", () => {
  const t = track(20, 3);
  using _ = t.tracker;
  assertEquals(t.texts(t.feed("one\r\ntwo\r\nthree")), ["on:one", "on:two", "on:three"]);
  // "one" to "three" scroll off, unchanged since they were reported: nothing new.
  assertEquals(t.texts(t.feed("\r\nfour\r\nfive\r\nsix")), ["on:four", "on:five", "on:six"]);
  // Lines drawn and scrolled away inside one feed are seen, as they leave.
  assertEquals(t.texts(t.feed("\r\n1\r\n2\r\n3\r\n4\r\n5")), [
    "off:1",
    "off:2",
    "on:3",
    "on:4",
    "on:5",
  ]);
});

Deno.test("LineTracker keeps a line's identity while it scrolls and while a full-screen program runs", () => {
  const t = track(20, 4);
  using _ = t.tracker;
  const [first] = t.feed("kept line");
  // Scrolling moves the line up without reporting it again.
  assertEquals(t.texts(t.feed("\r\nsecond\r\nthird")), ["on:second", "on:third"]);
  // A full-screen program comes and goes: the normal screen's lines are the same lines.
  assertEquals(t.texts(t.feed("\x1b[?1049h\x1b[H\x1b[2Jin vim\x1b[4;1H~")), [
    "on/alt:in vim",
    "on/alt:~",
  ]);
  assertEquals(t.feed("\x1b[?1049l"), []);
  // Typing onto a line changes its text, not its identity.
  const [changed] = t.feed("\x1b[1;10H!");
  assertEquals(changed!.text, "kept line!");
  assert(changed!.id === first!.id);
  // Written to once more and scrolled off in one feed, it is still the same line.
  const off = t.feed("\x1b[1;11H?\x1b[4;1H\r\n\r\n\r\n\r\n").find((l) => l.scrolledOff);
  assert(off!.id === first!.id);
  assertEquals(off!.text, "kept line!?");
});

Deno.test("LineTracker makes a new line of a wholly erased one, not of one edited after its start", () => {
  const t = track(30, 3);
  using _ = t.tracker;
  const [a] = t.feed("$ make");
  const [b] = t.feed("\b\b\b\b\x1b[Kls");
  assert(a!.id === b!.id, "erasing from the middle keeps the line");
  const [c] = t.feed("\r\x1b[2Kmake");
  assert(c!.id !== a!.id, "erasing all of it makes a new one");
  const [d] = t.feed("\x1b[H\x1b[2Jmake");
  assert(d!.id !== c!.id, "clearing the screen makes new ones");
  assertEquals(d!.text, "make");
});

Deno.test("LineTracker reads text placed by cursor addressing, and nothing of escape sequences", () => {
  const t = track(30, 5);
  using _ = t.tracker;
  const reported = t.feed(
    "\x1b]0;secret title\x07\x1b[3;10Hmiddle\x1b[1;1Htop\x1b]8;;https://hidden.example/\x1b\\link" +
      "\x1b]8;;\x1b\\\x1bPqignored dcs\x1b\\",
  );
  assertEquals(t.texts(reported), ["on:toplink", "on:         middle"]);
});

Deno.test("LineTracker joins wrapped rows, without a space where a wide character wrapped", () => {
  const t = track(10, 4);
  using _ = t.tracker;
  const [line] = t.feed("0123456789abcdef");
  assertEquals([line!.text, t.tracker.vt.screen().lines[1]!.wrapped], ["0123456789abcdef", true]);
  // Nine columns of text, then a wide character that does not fit in the tenth.
  const [wide] = t.feed("\r\n123456789中文");
  assertEquals(wide!.text, "123456789中文");
});

Deno.test("LineTracker keeps identities across a resize where the text did not change", () => {
  const t = track(20, 3);
  using _ = t.tracker;
  const [a, b] = t.feed("alpha\r\nbeta");
  t.tracker.resize(30, 4);
  const after = t.feed("");
  assertEquals(after.map((l) => [l.id, l.text]), [[a!.id, "alpha"], [b!.id, "beta"]]);
  const [edited] = t.feed("\x1b[1;6H!");
  assert(edited!.id === a!.id && edited!.text === "alpha!");
});

Deno.test("LineTracker reports a line that scrolls off only when it changed since it was reported", () => {
  const t = track(20, 2);
  using _ = t.tracker;
  t.feed("one\r\ntwo");
  assertEquals(t.texts(t.feed("\r\n")), []);
  assertEquals(t.texts(t.feed("\x1b[1;4H!\x1b[2;1H\r\n")), ["off:two!"]);
});
