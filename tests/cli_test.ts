import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";

const COMMANDS = ["rec", "play", "cat", "convert", "stream", "session", "upload", "auth", "serve"];

Deno.test("asciirec --help lists every command of the design", async () => {
  const { code, stdout } = await runCli(["--help"]);
  assertEquals(code, 0);
  for (const name of COMMANDS) assertMatch(stdout, new RegExp(`^  ${name}\\b`, "m"));
});

Deno.test("every command answers --help with its usage and exit status 0", async () => {
  const results = await Promise.all(COMMANDS.map((name) => runCli([name, "--help"])));
  results.forEach(({ code, stdout }, i) => {
    assertEquals(code, 0, COMMANDS[i]);
    assertStringIncludes(stdout, `Usage: asciirec ${COMMANDS[i]}`);
  });
});

Deno.test("--version prints the program name and version", async () => {
  const { code, stdout } = await runCli(["--version"]);
  assertEquals(code, 0);
  assertMatch(stdout, /^asciirec \d+\.\d+\.\d+\n$/);
});

Deno.test("an unknown flag is a usage error: message on stderr, exit status 2", async () => {
  const { code, stdout, stderr } = await runCli(["convert", "--no-such-flag", "a", "b"]);
  assertEquals(code, 2);
  assertEquals(stdout, "");
  assertMatch(stderr, /^error: unknown option '--no-such-flag'/);
});

Deno.test("an unknown command is a usage error with exit status 2", async () => {
  const { code, stderr } = await runCli(["frobnicate"]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, "error: unknown command 'frobnicate'");
});

Deno.test("an unambiguous prefix selects the command, as in asciinema", async () => {
  const { code, stdout } = await runCli(["conv", "--help"]);
  assertEquals(code, 0);
  assertStringIncludes(stdout, "Usage: asciirec convert");
});

Deno.test("a runtime failure prints 'error: …' without a stack trace and exits 1", async () => {
  const { code, stderr } = await runCli(["convert", "/nonexistent/in.cast", "-"]);
  assertEquals(code, 1);
  assertMatch(stderr, /^error: /m);
  assert(!stderr.includes("    at "), stderr);
});
