import { assert, assertEquals } from "../../tests/_assert.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import type { Event } from "../asciicast/event.ts";
import { Vt } from "../vt/vt.ts";
import { screenText } from "../vt/screen.ts";
import { RedactTransform } from "./redact_transform.ts";
import { BUILTIN_RULES, compileRules, envRules, literalPattern, type RuleSpec } from "./rules.ts";

const GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
const AWS_ID = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const JWT =
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const LITERAL = "correct-horse-battery";

const RULES = compileRules([
  ...BUILTIN_RULES,
  { name: "literal", pattern: literalPattern(LITERAL) },
]);

/** Runs events through a transform that never times out; returns what came out. */
function redact(events: Event[], rules = RULES, wholeEvents = false): Event[] {
  const out: Event[] = [];
  const t = new RedactTransform(rules, (e) => out.push(e), { holdMs: Infinity, wholeEvents });
  for (const e of events) t.push(e);
  t.flush();
  return out;
}

function output(chunks: string[]): Event[] {
  return chunks.map((data, i) => ({ time: i * 1000, code: "o", data }));
}

function text(events: Event[], code = "o"): string {
  return events.filter((e) => e.code === code).map((e) => e.data).join("");
}

/** What a terminal shows after the events' output. */
function screen(data: string): string {
  using vt = new Vt(120, 30, { sync: true });
  vt.feed(data);
  return screenText(vt.screen());
}

const PEM = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  "QyNTUxOQAAACD9LmGIOsq1zeO2cRvzK0Yo0Og4DWpAhTX0a7n3Bn0oHgAAAJgE3eCQBN3g",
  "-----END OPENSSH PRIVATE KEY-----",
].join("\r\n");
const PEM_BODY = PEM.split("\r\n").slice(1, 3);

/** Each case: its output chunks (split as they arrive) and the secrets that must not leak. */
const LEAKS: [string, string[], string[]][] = [
  ["a GitHub token in one piece", [`token ${GITHUB} ok\r\n`], [GITHUB]],
  ["split across reads", [
    `x ${GITHUB.slice(0, 7)}`,
    GITHUB.slice(7, 20),
    `${GITHUB.slice(20)}\r\n`,
  ], [GITHUB]],
  ["echoed one character at a time", [...`${LITERAL}\r\n`], [LITERAL]],
  [
    "interleaved with colour changes",
    [`\x1b[1m${GITHUB.slice(0, 10)}\x1b[31m${GITHUB.slice(10, 11)}\x1b[0m${GITHUB.slice(11)}\r\n`],
    [GITHUB],
  ],
  ["in a window title", [`\x1b]0;deploy ${GITHUB}\x07$ `], [GITHUB]],
  ["in a hyperlink", [`\x1b]8;;https://x/?t=${GITHUB}\x1b\\link\x1b]8;;\x1b\\\r\n`], [GITHUB]],
  ["in the OSC 7 directory", [`\x1b]7;file://host/home/${LITERAL}/src\x07`], [LITERAL]],
  ["in iTerm's OSC 1337", [`\x1b]1337;SetUserVar=tok=${JWT}\x07`], [JWT]],
  ["AWS id and secret side by side", [`${AWS_ID}  ${AWS_SECRET}\r\n`], [AWS_ID, AWS_SECRET]],
  [
    "AWS credentials file",
    [`aws_access_key_id = ${AWS_ID}\r\naws_secret_access_key = ${AWS_SECRET}\r\n`],
    [AWS_ID, AWS_SECRET],
  ],
  ["a JWT", [`Authorization: Bearer ${JWT}\r\n`], [JWT]],
  ["a password assignment", ["DB_URL=x password=hunter2secret!\r\n"], ["hunter2secret!"]],
  [
    "a private key block",
    [PEM.slice(0, 50), PEM.slice(50, 120), PEM.slice(120) + "\r\n"],
    PEM_BODY,
  ],
  ["a private key block in one piece, as a terminal shows it", [
    PEM.replaceAll("\r\n", "\r\r\n") + "\r\r\n",
  ], PEM_BODY],
  ["at the very start", [`${GITHUB}`, " and more\r\n"], [GITHUB]],
  ["at the very end", ["last words ", GITHUB], [GITHUB]],
  [
    "other tokens",
    [
      "glpat-abcdefghij1234567890 xoxb-1234567890-abcdefghij sk_live_abcdefghijklmnop1234 " +
      "npm_abcdefghijklmnopqrstuvwxyz0123456789\r\n",
    ],
    [
      "glpat-abcdefghij1234567890",
      "xoxb-1234567890-abcdefghij",
      "sk_live_abcdefghijklmnop1234",
      "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    ],
  ],
];

Deno.test("no secret of the leak corpus survives, and the screen layout is kept", async (t) => {
  for (const [name, chunks, secrets] of LEAKS) {
    await t.step(name, () => {
      const out = redact(output(chunks));
      const data = text(out);
      for (const secret of secrets) {
        assert(!data.includes(secret), `leaked ${secret} in ${JSON.stringify(data)}`);
        assert(!out.some((e) => e.data.includes(secret)), "in an event");
      }
      // The screen has the same shape: every line the same width.
      const before = screen(chunks.join("")).split("\n").map((l) => l.length);
      const after = screen(data).split("\n").map((l) => l.length);
      assertEquals(after, before);
      assert(/\*{4,}/.test(data), "the secret became stars");
    });
  }
});

Deno.test("a secret split over events is redacted in every way of splitting it", () => {
  const random = mulberry32(7);
  const whole = `start ${GITHUB} \x1b[32m${LITERAL}\x1b[0m ${AWS_ID} ${AWS_SECRET} end\r\n`;
  const reference = text(redact(output([whole])));
  for (let n = 0; n < 300; n++) {
    const chunks: string[] = [];
    let rest = whole;
    while (rest.length > 0) {
      const size = 1 + Math.floor(random() * 12);
      chunks.push(rest.slice(0, size));
      rest = rest.slice(size);
    }
    assertEquals(text(redact(output(chunks))), reference, JSON.stringify(chunks));
  }
  for (const secret of [GITHUB, LITERAL, AWS_ID, AWS_SECRET]) assert(!reference.includes(secret));
});

Deno.test("clean output passes byte for byte", () => {
  const clean = [
    "total 1234\r\ndrwxr-xr-x  2 root root  4096 Jan  1 12:00 x86_64-linux-gnu\r\n",
    "commit 3a1b2c3d4e5f60718293a4b5c6d7e8f901234567\r\nAuthor: Ann <ann@example.com>\r\n",
    "    Fix the password check in the login form (token refresh)\r\n",
    '\x1b[?1049h\x1b[H\x1b[2J\x1b[1;1H~\x1b[2;1H~\x1b[24;1H"notes.txt" 12L, 340B',
    "\x1b[1;1H  CPU[|||||     25.0%]   Tasks: 42, 3 thr; 1 running\r\n",
  ];
  const events = output(clean);
  assertEquals(redact(events), events);
});

Deno.test("with wholeEvents, events keep their boundaries and times wherever they are cut", () => {
  const random = mulberry32(11);
  const clean =
    "\x1b[33mcommit 336ee9e1\x1b[m\r\n tests/pipeline_cli_test.ts | 3 \x1b[32m+++\x1b[m\r\n" +
    "Author: Ann <ann@example.com>\r\n    token refresh, password check\r\n";
  const secret = `key ${GITHUB} and ${LITERAL}\r\n`;
  let split = 0;
  for (let n = 0; n < 200; n++) {
    const chunks: string[] = [];
    for (let rest = clean + secret + clean; rest.length > 0;) {
      const size = 1 + Math.floor(random() * 9);
      chunks.push(rest.slice(0, size));
      rest = rest.slice(size);
    }
    const events = output(chunks);
    const out = redact(events, RULES, true);
    assertEquals(out.map((e) => e.time), events.map((e) => e.time), JSON.stringify(chunks));
    const sliced = out.map((e) => e.data);
    assertEquals(sliced.join(""), text(redact(events)));
    const cleanEvents = output(chunks.slice(0, chunks.findIndex((c) => c.includes("k"))));
    assertEquals(redact(cleanEvents, RULES, true), cleanEvents);
    // Without it, the decided part of an event goes ahead of the rest (a live session).
    if (redact(cleanEvents).length !== cleanEvents.length) split++;
  }
  assert(split > 0, "the cuts fall inside a held prefix at least once");
});

Deno.test("typed input is redacted too, and events keep their order and times", () => {
  const events: Event[] = [
    { time: 1, code: "o", data: "$ " },
    ...[...LITERAL].map((c, i) => ({ time: 10 + i, code: "i", data: c })),
    { time: 50, code: "m", data: "after" },
    { time: 60, code: "o", data: `${LITERAL}\r\n` },
  ];
  const out = redact(events);
  assertEquals(text(out, "i"), "*".repeat(LITERAL.length));
  assertEquals(text(out, "o"), "$ " + "*".repeat(LITERAL.length) + "\r\n");
  assertEquals(out.map((e) => e.code).filter((c, i, a) => c !== a[i - 1]), ["o", "i", "m", "o"]);
  for (let i = 1; i < out.length; i++) {
    assert(out[i]!.time >= out[i - 1]!.time, "times stay in order");
  }
});

Deno.test("a partial match is held back at most the hold time, then let through", async () => {
  const out: Event[] = [];
  const t = new RedactTransform(RULES, (e) => out.push(e), { holdMs: 30 });
  t.push({ time: 0, code: "o", data: "plain text\r\n" });
  assertEquals(out.length, 1, "nothing to hold: out at once");
  t.push({ time: 1, code: "o", data: "ghp_abc" }); // might be the start of a token
  assertEquals(out.length, 1);
  assertEquals(t.held, 1);
  await new Promise((r) => setTimeout(r, 80));
  assertEquals(text(out), "plain text\r\nghp_abc");
  t.push({ time: 2, code: "o", data: ` ${GITHUB}` });
  t.flush();
  assert(!text(out).includes(GITHUB));
  t.dispose();
});

Deno.test("while keys are typed, an echoed secret is held however slowly it comes", async () => {
  const out: Event[] = [];
  let lastKey = performance.now();
  const t = new RedactTransform(RULES, (e) => out.push(e), {
    holdMs: 10,
    typingMs: 200,
    lastKeyAt: () => lastKey,
  });
  for (const c of LITERAL) {
    lastKey = performance.now();
    t.push({ time: 0, code: "o", data: c });
    await new Promise((r) => setTimeout(r, 20)); // slower than the hold time
  }
  t.push({ time: 0, code: "o", data: "\r\n" });
  await new Promise((r) => setTimeout(r, 300));
  assert(!text(out).includes(LITERAL), JSON.stringify(text(out)));
  assertEquals(text(out), "*".repeat(LITERAL.length) + "\r\n");
  t.dispose();
});

Deno.test("a secret that straddles a paused recording is held through the pause", async () => {
  const out: Event[] = [];
  const t = new RedactTransform(RULES, (e) => out.push(e), { holdMs: 10, maxHoldMs: 40 });
  t.push({ time: 1, code: "o", data: `key ${GITHUB.slice(0, 12)}` });
  t.setPaused(true);
  await new Promise((r) => setTimeout(r, 100)); // longer than the hold and the longest hold
  assertEquals(text(out), "key ", "what may begin a secret stays held while paused");
  t.setPaused(false);
  t.push({ time: 2, code: "o", data: `${GITHUB.slice(12)}\r\n` });
  await new Promise((r) => setTimeout(r, 60));
  assertEquals(text(out), "key " + "*".repeat(GITHUB.length) + "\r\n");
  // After the pause, the hold counts again: a lone partial match is let through.
  t.push({ time: 3, code: "o", data: "ghp_abc" });
  await new Promise((r) => setTimeout(r, 60));
  assert(text(out).endsWith("ghp_abc"));
  t.dispose();
});

Deno.test("environment values are literal secrets, each of their lines too", () => {
  const warnings: string[] = [];
  const specs: RuleSpec[] = envRules(
    ["KEY", "SHORT", "UNSET"],
    (n) => ({ KEY: "line-one-secret\nline-two-secret", SHORT: "ab" })[n],
    (w) => warnings.push(w),
  );
  assertEquals(specs.map((s) => s.name), ["env:KEY", "env:KEY", "env:KEY"]);
  assertEquals(warnings.length, 2);
  const out = text(redact(output(["a line-two-secret b\r\n"]), compileRules(specs)));
  assertEquals(out, "a *************** b\r\n");
});
