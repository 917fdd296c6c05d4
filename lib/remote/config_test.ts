import { assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { apiUrl, resolveServerUrl, serverUrlFromToml, validateServerUrl } from "./config.ts";
import { configHome, stateHome } from "../config/locations.ts";
import { parseConfigToml } from "../config/toml.ts";

function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("configHome and stateHome follow ASCIINEMA_*, then XDG_*, then HOME", async (t) => {
  const cases: [Record<string, string>, string, string][] = [
    [{ HOME: "/h" }, "/h/.config/asciinema", "/h/.local/state/asciinema"],
    [
      { HOME: "/h", XDG_CONFIG_HOME: "/xc", XDG_STATE_HOME: "/xs" },
      "/xc/asciinema",
      "/xs/asciinema",
    ],
    [
      {
        HOME: "/h",
        XDG_CONFIG_HOME: "/xc",
        ASCIINEMA_CONFIG_HOME: "/ac",
        ASCIINEMA_STATE_HOME: "/as",
      },
      "/ac",
      "/as",
    ],
    [{ HOME: "/h", XDG_CONFIG_HOME: "" }, "/h/.config/asciinema", "/h/.local/state/asciinema"],
  ];
  for (const [vars, config, state] of cases) {
    await t.step(JSON.stringify(vars), () => {
      assertEquals(configHome(envOf(vars)), config);
      assertEquals(stateHome(envOf(vars)), state);
    });
  }
  assertThrows(() => configHome(envOf({})), Error, "cannot find the config directory");
});

Deno.test("serverUrlFromToml reads server.url and ignores everything else", async (t) => {
  const cases: [string, string | undefined][] = [
    ['[server]\nurl = "https://a.example"\n', "https://a.example"],
    ["[server]\nurl = 'https://lit.example' # c\n", "https://lit.example"],
    [
      '# comment\n[session]\ncommand = "x"\n[server]\n  url="https://b.example"  \n',
      "https://b.example",
    ],
    ['[session]\nurl = "https://wrong.example"\n', undefined],
    ['server.url = "https://dotted.example"\n', "https://dotted.example"],
    ['[server]\nurl = "https://esc.example/\\u0041"\n', "https://esc.example/A"],
    ["", undefined],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text), () => assertEquals(serverUrlFromToml(text), expected));
  }
});

Deno.test("parseConfigToml reads tables, dotted keys and scalar values", async (t) => {
  const text = [
    "# asciinema config",
    "[session]",
    'command = "bash -l" # trailing comment',
    "capture_input = true",
    "idle_time_limit = 2.5",
    "'quoted key' = 'lit\\eral'",
    'pause_key = "\\u001c"',
    "[playback]",
    "speed = 1_000",
    "neg = -3e2",
    "hex = 0x1F",
    'list = [1, "]", [2,',
    "  3]] # an array over two lines",
    "inline = { a = 1 }",
    "when = 1979-05-27 07:32:00Z",
    'multi = """',
    "one \\",
    '   two"""',
    "raw = '''",
    "a\\b'''",
    "[[servers]]",
    "url = 'x'",
    'notifications.command = "notify-send"',
    "",
  ].join("\n");
  const values = parseConfigToml(text, { strict: true });
  const cases: [string, unknown][] = [
    ["session.command", "bash -l"],
    ["session.capture_input", true],
    ["session.idle_time_limit", 2.5],
    ["session.quoted key", "lit\\eral"],
    ["session.pause_key", "\x1c"],
    ["playback.speed", 1000],
    ["playback.neg", -300],
    ["playback.hex", 31],
    ["playback.list", null],
    ["playback.inline", null],
    ["playback.when", null],
    ["playback.multi", "one two"],
    ["playback.raw", "a\\b"],
    ["servers.url", "x"],
    ["servers.notifications.command", "notify-send"],
  ];
  for (const [key, want] of cases) {
    await t.step(key, () => assertEquals(values.get(key), want));
  }
  await t.step("nothing else", () => assertEquals(values.size, cases.length));
});

Deno.test("parseConfigToml names the line that is not TOML when strict, skips it otherwise", async (t) => {
  const cases: [string, string][] = [
    ["[session]\ncommand = bash\n", 'line 2: command: invalid value "bash"'],
    ["[session\n", "line 1: invalid table header"],
    ["just words\n", "line 1: expected KEY = VALUE"],
    ['a = "open\n', "line 1: a: unterminated string"],
    ['a = "x" y\n', 'line 1: unexpected "y" after the value of a'],
    ["\n\na = [1,\n2\n", "line 3: unterminated value of a"],
    ['a = "\\q"\n', "line 1: a: invalid escape \\q"],
    ["a = 1__0\n", "line 1: a: invalid value"],
  ];
  for (const [text, message] of cases) {
    await t.step(JSON.stringify(text), () => {
      assertThrows(() => parseConfigToml(text, { strict: true }), SyntaxError, message);
      parseConfigToml(text); // lenient: no throw
    });
  }
  await t.step("lenient keeps the good lines", () => {
    const values = parseConfigToml('junk line\n[server]\nurl = "https://ok.example"\n');
    assertEquals([...values], [["server.url", "https://ok.example"]]);
  });
});

Deno.test("validateServerUrl accepts http(s) URLs with a host and strips the trailing slash", () => {
  assertEquals(validateServerUrl("https://x.example/sub/", "t"), "https://x.example/sub");
  assertEquals(validateServerUrl("http://127.0.0.1:4040", "t"), "http://127.0.0.1:4040");
  assertThrows(
    () => validateServerUrl("ftp://x.example", "--server-url"),
    TypeError,
    "--server-url",
  );
  assertThrows(() => validateServerUrl("not a url", "ENV"), TypeError, "invalid server URL");
});

Deno.test("apiUrl appends API paths to the base path instead of replacing it", () => {
  assertEquals(
    apiUrl("https://h.example/cast", "/api/v1/streams").href,
    "https://h.example/cast/api/v1/streams",
  );
  assertEquals(
    apiUrl("https://h.example/cast/", "api/v1/streams").href,
    "https://h.example/cast/api/v1/streams",
  );
  assertEquals(apiUrl("https://h.example", "connect/x").href, "https://h.example/connect/x");
});

Deno.test("resolveServerUrl takes the highest-priority source", async (t) => {
  const home = await Deno.makeTempDir();
  const system = `${home}/etc-config.toml`;
  const cfg = `${home}/.config/asciinema`;
  await Deno.mkdir(cfg, { recursive: true });
  const base = { HOME: home };
  const resolve = (vars: Record<string, string>, flag?: string) =>
    resolveServerUrl({ flag, env: envOf(vars), systemConfigPath: system, interactive: false });
  try {
    await t.step(
      "nothing configured, not interactive → error naming the ways to set one",
      async () => {
        await assertRejects(() => resolve(base), Error, "--server-url");
      },
    );
    await Deno.writeTextFile(system, '[server]\nurl = "https://system.example"\n');
    await t.step("/etc config", async () => {
      assertEquals((await resolve(base)).url, "https://system.example");
    });
    await Deno.writeTextFile(
      `${cfg}/defaults.toml`,
      '[server]\nurl = "https://defaults.example"\n',
    );
    await t.step("defaults.toml over /etc", async () => {
      assertEquals((await resolve(base)).url, "https://defaults.example");
    });
    await Deno.writeTextFile(`${cfg}/config.toml`, '[server]\nurl = "https://config.example"\n');
    await t.step("config.toml over defaults.toml", async () => {
      assertEquals((await resolve(base)).url, "https://config.example");
    });
    await t.step("ASCIINEMA_API_URL over files", async () => {
      assertEquals(
        (await resolve({ ...base, ASCIINEMA_API_URL: "https://api.example" })).url,
        "https://api.example",
      );
    });
    await t.step("ASCIINEMA_SERVER_URL over ASCIINEMA_API_URL", async () => {
      const r = await resolve({
        ...base,
        ASCIINEMA_API_URL: "https://api.example",
        ASCIINEMA_SERVER_URL: "https://srv.example",
      });
      assertEquals(r, { url: "https://srv.example", source: "ASCIINEMA_SERVER_URL" });
    });
    await t.step("--server-url over everything", async () => {
      const r = await resolve(
        { ...base, ASCIINEMA_SERVER_URL: "https://srv.example" },
        "http://flag.example/",
      );
      assertEquals(r, { url: "http://flag.example", source: "--server-url" });
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("resolveServerUrl asks once in a terminal and saves the answer to defaults.toml", async () => {
  const home = await Deno.makeTempDir();
  try {
    const asked: [string, string][] = [];
    const options = {
      env: envOf({ HOME: home }),
      systemConfigPath: `${home}/none.toml`,
      interactive: true,
      ask: (q: string, prefilled: string) => {
        asked.push([q, prefilled]);
        return "https://mine.example/";
      },
    };
    const first = await resolveServerUrl(options);
    assertEquals(first.url, "https://mine.example");
    assertEquals(asked.length, 1);
    assertEquals(asked[0]![1], "https://asciinema.org");
    const saved = await Deno.readTextFile(`${home}/.config/asciinema/defaults.toml`);
    assertEquals(serverUrlFromToml(saved), "https://mine.example");
    const second = await resolveServerUrl(options);
    assertEquals(second.url, "https://mine.example");
    assertEquals(asked.length, 1);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("resolveServerUrl takes the pre-filled asciinema.org when the answer is empty", async () => {
  const home = await Deno.makeTempDir();
  try {
    const r = await resolveServerUrl({
      env: envOf({ HOME: home }),
      systemConfigPath: `${home}/none.toml`,
      interactive: true,
      ask: () => "",
    });
    assertEquals(r.url, "https://asciinema.org");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
