import { assert, assertEquals } from "../../tests/_assert.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import { compilePattern } from "./pattern.ts";
import { BUILTIN_RULES, compileRules } from "./rules.ts";

/** Every position where a match of `pattern` can begin in `text` (by JavaScript's regex). */
function starts(pattern: string, text: string): number[] {
  const flags = compilePattern(pattern).ignoreCase ? "iu" : "u";
  const source = pattern.replace(/^\(\?i\)/, "");
  const sticky = new RegExp(source, flags.replace("u", "uy"));
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    sticky.lastIndex = i;
    if (sticky.test(text)) out.push(i);
  }
  return out;
}

Deno.test("the trigger stops wherever a rule's match or a control character can begin", () => {
  const custom = [
    { name: "literal", pattern: "tok-[0-9]+" },
    { name: "class first", pattern: "[xyz][0-9]{3}" },
    { name: "case-insensitive", pattern: "(?i)secret=\\w+" },
  ];
  const rules = compileRules([...BUILTIN_RULES, ...custom]);
  const random = mulberry32(7);
  const words = [
    "AKIAABCDEFGHIJKLMNOP",
    "ghp_0123456789abcdefABCDEF0123456789abcd",
    "password=hunter2",
    "PassWord: x",
    "tok-123",
    "y123",
    "SeCrEt=abc",
    "eyJhbGciOiJIUzI1NiJ9",
    "-----BEGIN RSA PRIVATE KEY-----",
    "\x1b[31m",
    "\r\n",
    "plain words",
    "12345",
    "é漢",
  ];
  let checked = 0;
  for (let round = 0; round < 200; round++) {
    let text = "";
    while (text.length < 300) text += words[Math.floor(random() * words.length)]!;
    const trigger = new RegExp(rules.trigger.source, rules.trigger.flags);
    const stops = new Set<number>();
    for (let m = trigger.exec(text); m; m = trigger.exec(text)) {
      stops.add(m.index);
      trigger.lastIndex = m.index + 1;
    }
    for (const spec of custom) {
      for (const at of starts(spec.pattern, text)) {
        assert(stops.has(at), `${spec.name} at ${at} of ${JSON.stringify(text)}`);
        checked++;
      }
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
        assert(stops.has(i), `control at ${i}`);
      }
    }
    // The same stops as the alternation without its lookahead of first characters.
    const plain = new RegExp(rules.trigger.source.replace(/^\(\?=\[[^\]]*\]\)/, ""), "gu");
    const plainStops = new Set<number>();
    for (let m = plain.exec(text); m; m = plain.exec(text)) {
      plainStops.add(m.index);
      plain.lastIndex = m.index + 1;
    }
    assertEquals([...stops], [...plainStops]);
  }
  assert(checked > 100, `only ${checked} matches checked`);
});
