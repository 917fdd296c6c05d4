import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import { BOUNDARY, type PatternMatch, StreamMatcher } from "./matcher.ts";
import { compilePattern, PatternError } from "./pattern.ts";

function run(patterns: string[], text: string): PatternMatch[] {
  const m = new StreamMatcher(patterns.map(compilePattern));
  for (const ch of text) m.push(ch === "\u0001" ? BOUNDARY : ch.codePointAt(0)!);
  m.finish();
  return m.takeMatches().sort((a, b) => a.rule - b.rule || a.start - b.start);
}

/** JS's own matches (code-unit positions; the tests use BMP text so they agree). */
function jsMatches(pattern: string, text: string): [number, number][] {
  let flags = "gm"; // ^ and $ are line anchors here
  let src = pattern;
  if (src.startsWith("(?i)")) {
    flags += "i";
    src = src.slice(4);
  }
  return [...text.matchAll(new RegExp(src, flags))].map((m) => [m.index!, m.index! + m[0].length]);
}

Deno.test("matches agree with JavaScript's on random text", async (t) => {
  const patterns = [
    "ab+c",
    "a(b|bc)d",
    "[a-c]{3}",
    "\\bab\\b",
    "x.*?y",
    "x.*y",
    "(?i)hello",
    "(a|ab)(c|bcd)",
    "[^ab]c",
    "\\d{2,4}",
    "a{2,}",
    "b+?",
    "(?:ab)+",
    "\\w+@\\w+",
    "^ab",
    "c$",
  ];
  const random = mulberry32(5);
  const alphabet = "abcdxy HELLOhello12@\n";
  for (const pattern of patterns) {
    await t.step(pattern, () => {
      for (let n = 0; n < 300; n++) {
        let text = "";
        for (let k = Math.floor(random() * 30); k > 0; k--) {
          text += alphabet[Math.floor(random() * alphabet.length)];
        }
        const ours = run([pattern], text).map((m) => [m.start, m.end]);
        assertEquals(ours, jsMatches(pattern, text), `${pattern} on ${JSON.stringify(text)}`);
      }
    });
  }
});

Deno.test("capturing groups mark what is secret; several patterns match independently", () => {
  const found = run(["password=(\\S+)", "pass"], "x password=hunter2 y");
  assertEquals(found, [
    { rule: 0, start: 2, end: 18, spans: [[11, 18]] },
    { rule: 1, start: 2, end: 6, spans: [[2, 6]] },
  ]);
});

Deno.test("a boundary breaks a match and counts as a line break", () => {
  assertEquals(run(["abc"], "ab\u0001c abc").map((m) => m.start), [5]);
  assertEquals(run(["^ab"], "x\u0001ab").map((m) => m.start), [2]);
});

Deno.test("settled tells how far back a match could still begin", () => {
  const m = new StreamMatcher([compilePattern("ghp_[a-z]{4}")]);
  for (const ch of "see gh") m.push(ch.codePointAt(0)!);
  assertEquals(m.settled, 4); // "gh" might begin a token
  for (const ch of "x ") m.push(ch.codePointAt(0)!);
  assertEquals(m.settled, 8); // "ghx" cannot
  for (const ch of "ghp_abcd") m.push(ch.codePointAt(0)!);
  assertEquals(m.settled, 16); // complete and final: the next char cannot extend it
  assertEquals(m.takeMatches().map((x) => [x.start, x.end]), [[8, 16]]);
});

Deno.test("patterns this engine cannot run in linear time, or that match nothing, are refused", async (t) => {
  const bad: [string, string][] = [
    ["(a)\\1", "backreferences"],
    ["(?=a)b", "lookaround"],
    ["a*", "matches empty text"],
    ["[z-a]", "out of order"],
    ["(ab", "not closed"],
    ["a{5,2}", "out of order"],
    ["*a", "nothing to repeat"],
    ["\\q", "unknown escape"],
    ["a{1001}", "over 1000"],
  ];
  for (const [pattern, reason] of bad) {
    await t.step(pattern, () => {
      assertThrows(() => compilePattern(pattern), PatternError, reason);
    });
  }
});

Deno.test("a hostile input runs in linear time", () => {
  const m = new StreamMatcher([compilePattern("(a+)+b"), compilePattern("(a|a)*c")]);
  const start = performance.now();
  for (let i = 0; i < 50_000; i++) m.push(97);
  m.finish();
  const ms = performance.now() - start;
  // A backtracking engine needs exponential time on these; this one a few ms per thousand.
  assertEquals(m.takeMatches(), []);
  if (ms > 5000) throw new Error(`took ${ms} ms`);
});
