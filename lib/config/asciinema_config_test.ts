import { assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { loadConfig, parseConfig } from "./asciinema_config.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-config-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("parseConfig reads the [session] and [playback] keys asciirec uses", () => {
  const config = parseConfig(
    [
      "[server]",
      'url = "https://example.com"',
      "[session]",
      'command = "echo hi"',
      "capture_input = true",
      'capture_env = "SHELL,TERM"',
      "idle_time_limit = 2",
      'prefix_key = "C-a"',
      'pause_key = "^\\\\"',
      'add_marker_key = ""',
      "unknown_key = [1, 2]",
      "[playback]",
      "speed = 1.5",
      "idle_time_limit = 0",
      'pause_key = "p"',
      "[notifications]",
      "enabled = false",
    ].join("\n"),
    "config.toml",
  );
  assertEquals(config, {
    session: {
      command: "echo hi",
      captureInput: true,
      captureEnv: "SHELL,TERM",
      idleTimeLimit: 2,
      prefixKey: new Uint8Array([0x01]),
      pauseKey: new Uint8Array([0x1c]),
      addMarkerKey: new Uint8Array(0),
    },
    playback: { speed: 1.5, idleTimeLimit: 0, pauseKey: new Uint8Array([0x70]) },
  });
});

Deno.test("parseConfig rejects bad values and malformed text, naming the file", async (t) => {
  const cases: [string, string][] = [
    ["[session]\ncommand = 3\n", "f.toml: session.command: expected a string, got 3"],
    ['[session]\ncapture_input = "yes"\n', "f.toml: session.capture_input: expected true or false"],
    ["[session]\nidle_time_limit = 0\n", "session.idle_time_limit: expected a positive number"],
    ["[playback]\nspeed = -1\n", "f.toml: playback.speed: expected a positive number, got -1"],
    ["[playback]\nspeed = nan\n", "playback.speed: expected a positive number"],
    ["[playback]\nidle_time_limit = -1\n", "expected a number of seconds, 0 or more"],
    ['[session]\npause_key = "ab"\n', "f.toml: session.pause_key: invalid key definition 'ab'"],
    ["[session]\nprefix_key = [1]\n", "session.prefix_key: expected a key definition string"],
    ["[session]\ncommand = bash\n", 'f.toml: line 2: command: invalid value "bash"'],
    ["[session\n", "f.toml: line 1: invalid table header"],
    [
      "[playback]\npause_key = '\\x1b\\x5b'\n",
      "f.toml: playback.pause_key: a playback key must be a single byte",
    ],
  ];
  for (const [text, message] of cases) {
    await t.step(message, () => {
      assertThrows(() => parseConfig(text, "f.toml"), Error, message);
    });
  }
});

Deno.test("loadConfig merges /etc, defaults.toml and config.toml, later files winning", async () => {
  await withDir(async (dir) => {
    const system = `${dir}/etc.toml`;
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    await Deno.writeTextFile(system, '[session]\ncommand = "sys"\ncapture_env = "SYS"\n');
    await Deno.writeTextFile(
      `${home}/defaults.toml`,
      '[server]\nurl = "https://x.example"\n[session]\ncommand = "defaults"\n' +
        "[playback]\nspeed = 3\n",
    );
    await Deno.writeTextFile(`${home}/config.toml`, "[playback]\nspeed = 2\n");
    const config = await loadConfig({
      env: envOf({ ASCIINEMA_CONFIG_HOME: home }),
      systemConfigPath: system,
    });
    assertEquals(config, {
      session: { command: "defaults", captureEnv: "SYS" },
      playback: { speed: 2 },
    });
  });
});

Deno.test("loadConfig finds the config home like asciinema: XDG_CONFIG_HOME, then HOME", async (t) => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/xdg/asciinema`, { recursive: true });
    await Deno.mkdir(`${dir}/.config/asciinema`, { recursive: true });
    await Deno.writeTextFile(`${dir}/xdg/asciinema/config.toml`, "[playback]\nspeed = 4\n");
    await Deno.writeTextFile(`${dir}/.config/asciinema/config.toml`, "[playback]\nspeed = 5\n");
    const systemConfigPath = `${dir}/none.toml`;
    await t.step("XDG_CONFIG_HOME", async () => {
      const env = envOf({ XDG_CONFIG_HOME: `${dir}/xdg`, HOME: dir });
      assertEquals((await loadConfig({ env, systemConfigPath })).playback.speed, 4);
    });
    await t.step("HOME", async () => {
      const env = envOf({ HOME: dir });
      assertEquals((await loadConfig({ env, systemConfigPath })).playback.speed, 5);
    });
    await t.step("no files, or no config home: nothing set", async () => {
      const empty = { session: {}, playback: {} };
      const env = envOf({ ASCIINEMA_CONFIG_HOME: `${dir}/missing` });
      assertEquals(await loadConfig({ env, systemConfigPath }), empty);
      assertEquals(await loadConfig({ env: envOf({}), systemConfigPath }), empty);
    });
  });
});

Deno.test("loadConfig reports a malformed file with its path", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/config.toml`, "[playback]\nspeed = fast\n");
    await assertRejects(
      () =>
        loadConfig({
          env: envOf({ ASCIINEMA_CONFIG_HOME: dir }),
          systemConfigPath: `${dir}/none.toml`,
        }),
      Error,
      `${dir}/config.toml: line 2: speed: invalid value "fast"`,
    );
  });
});

Deno.test("parseConfig reads the playback keys as single bytes, empty to disable", () => {
  const config = parseConfig(
    '[playback]\npause_key = "p"\nstep_key = ""\nnext_marker_key = "^n"\n',
    "f.toml",
  );
  assertEquals(config.playback.pauseKey, new Uint8Array([0x70]));
  assertEquals(config.playback.stepKey, new Uint8Array([]));
  assertEquals(config.playback.nextMarkerKey, new Uint8Array([0x0e]));
});

Deno.test("parseConfig reads asciirec's own [redact] keys", () => {
  const config = parseConfig(
    '[redact]\nbuiltin = false\npattern = "tok_[0-9]+"\nenv = "A,B"\nfile = "rules.txt"\nhold_ms = 50\n',
    "config.toml",
  );
  assertEquals(config.redact, {
    builtin: false,
    pattern: "tok_[0-9]+",
    env: "A,B",
    file: "rules.txt",
    holdMs: 50,
  });
});
