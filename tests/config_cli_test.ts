/**
 * asciinema's config files as defaults under the flags, seen from outside: `rec` and `play`
 * run as processes with `ASCIINEMA_CONFIG_HOME` pointing at a temporary directory.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli } from "./_cli.ts";
import type { Event, Header } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";

async function withConfig(
  config: string,
  fn: (dir: string, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-config-cli-" });
  try {
    await Deno.writeTextFile(`${dir}/config.toml`, config);
    await fn(dir, { ASCIINEMA_CONFIG_HOME: dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readBack(path: string): Promise<{ header: Header; events: Event[] }> {
  const recording = await openRecording(path);
  const events: Event[] = [];
  for await (const e of recording.events) events.push(e);
  return { header: recording.header, events };
}

const output = (events: Event[]) =>
  events.filter((e) => e.code === "o").map((e) => e.data).join("");

Deno.test("rec takes session.command and idle_time_limit from config.toml; -c and -i win", async (t) => {
  const config = '[session]\ncommand = "echo from-config"\nidle_time_limit = 3\n' +
    'capture_env = "ASCIIREC_TEST_VAR"\n';
  await withConfig(config, async (dir, configEnv) => {
    const env = { ...configEnv, ASCIIREC_TEST_VAR: "v" };
    await t.step("from the config", async () => {
      const result = await runCli(["rec", "--headless", `${dir}/a.cast`], { env });
      assertEquals(result.code, 0, result.stderr);
      const { header, events } = await readBack(`${dir}/a.cast`);
      assertEquals(header.command, "echo from-config");
      assertEquals(header.idleTimeLimit, 3);
      assertEquals(header.env, { ASCIIREC_TEST_VAR: "v" });
      assertEquals(output(events), "from-config\r\n");
      assert(!result.stderr.includes("Press <ctrl+d>"), "a configured command is not a shell");
    });
    await t.step("flags override it", async () => {
      const args = ["rec", "--headless", "-c", "echo from-flag", "-i", "1", "--capture-env", ""];
      const result = await runCli([...args, `${dir}/b.cast`], { env });
      assertEquals(result.code, 0, result.stderr);
      const { header, events } = await readBack(`${dir}/b.cast`);
      assertEquals(header.command, "echo from-flag");
      assertEquals(header.idleTimeLimit, 1);
      assertEquals(header.env, undefined);
      assertEquals(output(events), "from-flag\r\n");
    });
  });
});

/** Runs `asciirec play` and returns ms between the first and the last piece of stdout. */
async function playSpan(args: string[], env: Record<string, string>): Promise<number> {
  const [cmd, ...rest] = cliArgv();
  const child = new Deno.Command(cmd!, {
    args: [...rest, "play", "-q", ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  let first: number | undefined;
  let last = 0;
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (first === undefined && text.includes("a")) first = performance.now();
    if (text.includes("b")) last = performance.now();
  }
  assertEquals((await child.status).code, 0);
  assertEquals(text, "ab");
  return last - first!;
}

Deno.test("play takes playback.speed from config.toml; -s wins", async (t) => {
  await withConfig("[playback]\nspeed = 10\n", async (dir, env) => {
    const cast = `${dir}/gap.cast`;
    await Deno.writeTextFile(
      cast,
      [{ version: 3, term: { cols: 80, rows: 24 } }, [0, "o", "a"], [1.5, "o", "b"]]
        .map((line) => JSON.stringify(line)).join("\n") + "\n",
    );
    await t.step("speed 10 from the config: the 1.5 s gap takes about 0.15 s", async () => {
      const ms = await playSpan([cast], env);
      assert(ms < 1000, `played in ${ms.toFixed(0)} ms, expected about 150`);
    });
    await t.step("-s 1 overrides it: the gap takes 1.5 s", async () => {
      const ms = await playSpan(["-s", "1", cast], env);
      assert(ms >= 1400, `played in ${ms.toFixed(0)} ms, expected 1500`);
    });
  });
});

Deno.test("a malformed or invalid config file is a clear error with its path, exit 1", async (t) => {
  const cases: [string, string[], string][] = [
    [
      "[session]\ncommand = echo\n",
      ["rec", "--headless", "x.cast"],
      'line 2: command: invalid value "echo"',
    ],
    [
      '[session]\npause_key = "^1"\n',
      ["stream", "-l"],
      "session.pause_key: invalid key definition '^1'",
    ],
    [
      "[playback]\nspeed = 0\n",
      ["play", "x.cast"],
      "playback.speed: expected a positive number, got 0",
    ],
  ];
  for (const [config, args, message] of cases) {
    await t.step(args[0]!, async () => {
      await withConfig(config, async (dir, env) => {
        const result = await runCli(args, { env, cwd: dir });
        assertEquals(result.code, 1, result.stderr);
        assertStringIncludes(result.stderr, `error: ${dir}/config.toml: ${message}`);
        assert(!result.stderr.includes("    at "), `no stack trace:\n${result.stderr}`);
        assert(!(await Deno.stat(`${dir}/x.cast`).catch(() => undefined)), "no file is written");
      });
    });
  }
});
