/**
 * `asciirec convert` and `asciirec cat` as a user runs them: byte-exact results for the
 * reference's worked examples, the rules for output files, and plain errors (never a stack
 * trace) for malformed input.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";

const encoder = new TextEncoder();

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "asciirec-cast-test-" });
}

function assertNoStack(stderr: string) {
  assert(!/^\s+at /m.test(stderr), `no stack trace expected:\n${stderr}`);
}

// asciicast.md §3.3 and, converted, the events of §2.6.
const V2_EXAMPLE =
  `{"version":2,"width":80,"height":24,"timestamp":1700000000,"title":"build","env":{"SHELL":"/bin/bash","TERM":"xterm-256color"}}
[0.104213, "o", "$ "]
[1.560877, "i", "make\\r"]
[1.561902, "o", "make\\r\\n"]
[2.0, "m", "compile"]
[4.311507, "r", "100x30"]
[6.902004, "o", "\\u001b[32mdone\\u001b[0m\\r\\n$ "]
`;
const V3_EXAMPLE =
  `{"version":3,"term":{"cols":80,"rows":24,"type":"xterm-256color"},"timestamp":1700000000,"title":"build","env":{"SHELL":"/bin/bash","TERM":"xterm-256color"}}
[0.104, "o", "$ "]
[1.457, "i", "make\\r"]
[0.001, "o", "make\\r\\n"]
[0.438, "m", "compile"]
[2.312, "r", "100x30"]
[2.590, "o", "\\u001b[32mdone\\u001b[0m\\r\\n$ "]
`;

Deno.test("convert turns the v2 example of asciicast.md §3.3 into the v3 lines of §2.6, byte for byte", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(`${dir}/in.cast`, V2_EXAMPLE);
    const r = await runCli(["convert", `${dir}/in.cast`, `${dir}/out.cast`]);
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals(await Deno.readTextFile(`${dir}/out.cast`), V3_EXAMPLE);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("convert reads stdin and writes stdout with -, and -f picks the format", async (t) => {
  await t.step("v3 to v2", async () => {
    const r = await runCli(["convert", "-f", "asciicast-v2", "-", "-"], { stdin: V3_EXAMPLE });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.split("\n").slice(1, 4), [
      '[0.104, "o", "$ "]',
      '[1.561, "i", "make\\r"]',
      '[1.562, "o", "make\\r\\n"]',
    ]);
  });
  await t.step("raw", async () => {
    const r = await runCli(["convert", "-f", "raw", "-", "-"], { stdin: V2_EXAMPLE });
    assertEquals(r.stdout, "\x1b[8;24;80t$ make\r\n\x1b[32mdone\x1b[0m\r\n$ ");
  });
  await t.step("txt", async () => {
    const r = await runCli(["convert", "-f", "txt", "-", "-"], { stdin: V2_EXAMPLE });
    assertEquals(r.stdout, "$ make\ndone\n$\n");
  });
  await t.step("an unknown format is a usage error", async () => {
    const r = await runCli(["convert", "-f", "webm", "-", "-"], { stdin: V2_EXAMPLE });
    assertEquals(r.code, 2);
    assertStringIncludes(r.stderr, "webm");
  });
});

Deno.test("convert -f txt of a known recording gives the expected screen text", async () => {
  const dir = await tempDir();
  try {
    const events = [
      [0.1, "o", "$ ls --color\r\n"],
      [0.2, "o", "\x1b[01;34mbin\x1b[0m  \x1b[01;32mrun.sh\x1b[0m  notes.txt\r\n"],
      [0.3, "o", "$ printf 'a%.0s' {1..25}\r\n"],
      [0.4, "o", "aaaaaaaaaaaaaaaaaaaa"], // wraps at 20 columns
      [0.5, "o", "aaaaa\r\n$ clear\r\n"],
      [0.6, "o", "\x1b[H\x1b[2J\x1b[3J$ echo done    \r\n"],
      [0.7, "r", "30x5"],
      [0.8, "o", "done\r\n$ vim\r\n\x1b[?1049h\x1b[HEDITOR SCREEN\x1b[?1049l$ exit\r\n"],
      [0.9, "x", "0"],
    ];
    const cast = `{"version":2,"width":20,"height":5}\n` +
      events.map(([t, c, d]) => JSON.stringify([t, c, d]) + "\n").join("");
    await Deno.writeTextFile(`${dir}/session.cast`, cast);
    const r = await runCli(["convert", `${dir}/session.cast`, `${dir}/session.TXT`]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(
      await Deno.readTextFile(`${dir}/session.TXT`),
      [
        "$ ls --color",
        "bin  run.sh  notes.txt",
        "$ printf 'a%.0s' {1..25}",
        "a".repeat(25),
        "$ clear",
        "$ echo done",
        "done",
        "$ vim",
        "$ exit",
        "",
      ].join("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("convert follows asciinema's rules for the output file", async (t) => {
  const dir = await tempDir();
  try {
    const input = `${dir}/in.cast`;
    await Deno.writeTextFile(input, V2_EXAMPLE);
    await t.step("a non-empty file needs --overwrite", async () => {
      await Deno.writeTextFile(`${dir}/taken.cast`, "keep me");
      const r = await runCli(["convert", input, `${dir}/taken.cast`]);
      assertEquals(r.code, 1);
      assertEquals(
        r.stderr,
        `error: ${dir}/taken.cast: file exists, use --overwrite option to overwrite the file\n`,
      );
      assertEquals(await Deno.readTextFile(`${dir}/taken.cast`), "keep me");
      const again = await runCli(["convert", "--overwrite", input, `${dir}/taken.cast`]);
      assertEquals(again.code, 0, again.stderr);
      assertEquals(await Deno.readTextFile(`${dir}/taken.cast`), V3_EXAMPLE);
    });
    await t.step("an empty file is written without --overwrite", async () => {
      await Deno.writeTextFile(`${dir}/empty.cast`, "");
      const r = await runCli(["convert", input, `${dir}/empty.cast`]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(await Deno.readTextFile(`${dir}/empty.cast`), V3_EXAMPLE);
    });
    await t.step("parent directories are not created", async () => {
      const r = await runCli(["convert", input, `${dir}/no/such/dir/out.cast`]);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, `error: cannot create ${dir}/no/such/dir/out.cast`);
      assertEquals(await Deno.stat(`${dir}/no`).then(() => true, () => false), false);
    });
    await t.step("the input itself is not overwritten", async () => {
      const r = await runCli(["convert", "--overwrite", input, input]);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, "is the input file");
      assertEquals(await Deno.readTextFile(input), V2_EXAMPLE);
    });
    await t.step("a missing input is named", async () => {
      const r = await runCli(["convert", `${dir}/nope.cast`, `${dir}/out2.cast`]);
      assertEquals([r.code, r.stderr], [1, `error: cannot open ${dir}/nope.cast: no such file\n`]);
      assertEquals(await Deno.stat(`${dir}/out2.cast`).then(() => true, () => false), false);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const V3H = '{"version":3,"term":{"cols":80,"rows":24}}\n';

Deno.test("convert reports malformed input plainly: file, line, what was wrong", async (t) => {
  const dir = await tempDir();
  try {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ["empty file", "", /^error: (.*)\/in\.cast: empty file\n$/],
      [
        "bad header JSON",
        '{"version": 2, "width": 80\n',
        /^error: .*in\.cast:1: the header is not valid JSON/,
      ],
      [
        "missing width",
        '{"version": 2, "height": 24}\n',
        /^error: .*in\.cast:1: header lacks "width"\n$/,
      ],
      [
        "wrong version",
        '{"version": 5, "width": 80, "height": 24}\n',
        /^error: .*in\.cast:1: unsupported asciicast version 5/,
      ],
      [
        "non-array event",
        V3H + '[0.1, "o", "a"]\n"event"\n',
        /^error: .*in\.cast:3: expected a 3-element array \[interval, code, data\], got "event"\n$/,
      ],
      [
        "string time",
        V3H + '["0.1", "o", "a"]\n',
        /^error: .*in\.cast:2: the interval must be a number, got "0\.1"\n$/,
      ],
      [
        "negative interval",
        V3H + '[0.1, "o", "a"]\n[-0.1, "o", "b"]\n',
        /^error: .*in\.cast:3: negative interval -0\.1\n$/,
      ],
      [
        "invalid UTF-8",
        new Uint8Array([
          ...encoder.encode(V3H + '[0.1, "o", "a"]\n[0.1, "o", "'),
          0xe2,
          0x28,
          0xa1,
          ...encoder.encode('"]\n'),
        ]),
        /^error: .*in\.cast:3: invalid UTF-8\n$/,
      ],
    ];
    for (const [name, content, pattern] of cases) {
      await t.step(name, async () => {
        if (typeof content === "string") await Deno.writeTextFile(`${dir}/in.cast`, content);
        else await Deno.writeFile(`${dir}/in.cast`, content);
        const r = await runCli(["convert", `${dir}/in.cast`, `${dir}/out.cast`]);
        assertEquals(r.code, 1, r.stderr);
        assertMatch(r.stderr, pattern);
        assertNoStack(r.stderr);
        // A failed conversion leaves no half-written output behind.
        assertEquals(await Deno.stat(`${dir}/out.cast`).then(() => true, () => false), false);
      });
    }
    await t.step("truncated last line: a warning, and the events before it", async () => {
      await Deno.writeTextFile(`${dir}/in.cast`, V3H + '[0.1, "o", "a"]\n[0.1, "o", "b');
      const r = await runCli(["convert", `${dir}/in.cast`, "-"]);
      assertEquals(r.code, 0, r.stderr);
      assertMatch(r.stderr, /^!!! .*in\.cast:3: the last line is cut off; ignored\n$/);
      assertEquals(r.stdout, V3H + '[0.100, "o", "a"]\n');
      const quiet = await runCli(["convert", "-q", `${dir}/in.cast`, "-"]);
      assertEquals([quiet.code, quiet.stderr], [0, ""]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const A_CAST = `{"version":3,"term":{"cols":80,"rows":24},"title":"part 1"}
[0.100, "o", "one\\r\\n"]
[1.400, "o", "two\\r\\n"]
[0.500, "x", "0"]
`;
const B_CAST = `{"version":3,"term":{"cols":100,"rows":30},"title":"part 2"}
[0.250, "o", "three\\r\\n"]
[0.750, "m", "end"]
[0.100, "x", "0"]
`;

Deno.test("cat joins the worked example of asciicast.md §10 byte for byte", async (t) => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.cast`, A_CAST);
    await Deno.writeTextFile(`${dir}/b.cast`, B_CAST);
    await t.step("v3", async () => {
      const r = await runCli(["cat", `${dir}/a.cast`, `${dir}/b.cast`]);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(
        r.stdout,
        `{"version":3,"term":{"cols":80,"rows":24},"title":"part 1"}
[0.100, "o", "one\\r\\n"]
[1.400, "o", "two\\r\\n"]
[0.500, "x", "0"]
[0.000, "r", "100x30"]
[0.250, "o", "three\\r\\n"]
[0.750, "m", "end"]
[0.100, "x", "0"]
`,
      );
    });
    await t.step("a v2 first file makes v2 output", async () => {
      const v2 = await runCli(["convert", "-f", "asciicast-v2", `${dir}/a.cast`, `${dir}/a2.cast`]);
      assertEquals(v2.code, 0, v2.stderr);
      const r = await runCli(["cat", `${dir}/a2.cast`, `${dir}/b.cast`]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout.split("\n").slice(4), [
        '[2.0, "r", "100x30"]',
        '[2.25, "o", "three\\r\\n"]',
        '[3.0, "m", "end"]',
        '[3.1, "x", "0"]',
        "",
      ]);
    });
    await t.step("one file is a usage error", async () => {
      const r = await runCli(["cat", `${dir}/a.cast`]);
      assertEquals(r.code, 2);
      assertStringIncludes(r.stderr, "at least two");
    });
    await t.step("a v1 first file is refused", async () => {
      await Deno.writeTextFile(
        `${dir}/v1.json`,
        '{"version": 1, "width": 80, "height": 24, "stdout": [[0.5, "x"]]}',
      );
      const r = await runCli(["cat", `${dir}/v1.json`, `${dir}/a.cast`]);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, "asciicast v1 files can't be concatenated");
      assertNoStack(r.stderr);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cat of three files gives one timeline whose duration is the sum", async () => {
  const dir = await tempDir();
  try {
    const durations = [1.234, 2.5, 0.75];
    const files = [];
    for (const [i, duration] of durations.entries()) {
      const path = `${dir}/part${i}.cast`;
      const lines = [`{"version":2,"width":80,"height":24}`];
      for (let k = 1; k <= 4; k++) {
        lines.push(
          JSON.stringify([Number((duration * k / 4).toFixed(6)), "o", `part ${i} #${k}\r\n`]),
        );
      }
      await Deno.writeTextFile(path, lines.join("\n") + "\n");
      files.push(path);
    }
    // stdin as one of the parts, too.
    const r = await runCli(["cat", files[0]!, "-", files[2]!], {
      stdin: await Deno.readTextFile(files[1]!),
    });
    assertEquals(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").slice(1).map((l) => JSON.parse(l));
    assertEquals(events.length, 12);
    assertEquals(
      events.map((e) => e[2]).join(""),
      [0, 1, 2].map((i) => [1, 2, 3, 4].map((k) => `part ${i} #${k}\r\n`).join("")).join(""),
    );
    const times = events.map((e) => e[0] as number);
    assert(times.every((t, i) => i === 0 || t >= times[i - 1]!), "times never go backwards");
    assertEquals(times.at(-1), 4.484);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
