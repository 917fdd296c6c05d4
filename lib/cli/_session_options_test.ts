import assert from "node:assert/strict";
import { Command, InvalidArgumentError } from "./command.ts";
import {
  addSessionOptions,
  parseIdleTimeLimit,
  parseKey,
  parseWindowSize,
  type SessionFlags,
  sessionHeader,
  sessionId,
  sessionOptionsFrom,
  withSessionConfig,
} from "./_session_options.ts";

Deno.test("parseWindowSize reads COLSxROWS, COLSx and xROWS", async (t) => {
  const cases: [string, { cols?: number; rows?: number }][] = [
    ["100x30", { cols: 100, rows: 30 }],
    ["100x", { cols: 100 }],
    ["x30", { rows: 30 }],
  ];
  for (const [text, want] of cases) {
    await t.step(text, () => assert.deepEqual(parseWindowSize(text), want));
  }
  for (const bad of ["x", "100", "0x10", "axb", "100x30x2", "70000x1"]) {
    await t.step(
      `rejects ${bad}`,
      () => assert.throws(() => parseWindowSize(bad), InvalidArgumentError),
    );
  }
});

Deno.test("parseKey reads characters, control keys and byte escapes", async (t) => {
  const cases: [string, number[]][] = [
    ["", []],
    ["p", [0x70]],
    [" ", [0x20]],
    ["é", [0xc3, 0xa9]],
    ["^\\", [0x1c]],
    ["^]", [0x1d]],
    ["^[", [0x1b]],
    ["^@", [0x00]],
    ["^_", [0x1f]],
    ["^?", [0x7f]],
    ["^a", [0x01]],
    ["^G", [0x07]],
    ["C-b", [0x02]],
    ["c+x", [0x18]],
    ["\\x1c", [0x1c]],
    ["\\e\\x6d", [0x1b, 0x6d]],
    ["^", [0x5e]],
  ];
  for (const [text, want] of cases) {
    await t.step(JSON.stringify(text), () => {
      assert.deepEqual([...parseKey(text)], want);
    });
  }
  for (const bad of ["ab", "^1", "C-", "\\x1"]) {
    await t.step(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseKey(bad), /invalid key definition/);
    });
  }
});

Deno.test("parseIdleTimeLimit takes positive seconds only", () => {
  assert.equal(parseIdleTimeLimit("2.5"), 2.5);
  for (const bad of ["0", "-1", "", "x"]) {
    assert.throws(() => parseIdleTimeLimit(bad), InvalidArgumentError);
  }
});

Deno.test("sessionId is the FNV-1a 128 hash of the pid in decimal", () => {
  // Reference value from an independent implementation of FNV-1a 128.
  assert.equal(sessionId(1234), "680bc8ef6e757277b806e9090df65bc5");
});

Deno.test("addSessionOptions parses the asciinema flags", () => {
  let flags: Record<string, unknown> = {};
  const cmd = addSessionOptions(new Command("x")).exitOverride().action((opts) => {
    flags = opts;
  });
  cmd.parse([
    "-c",
    "ls",
    "-I",
    "--capture-env",
    "SHELL,USER",
    "-t",
    "T",
    "--headless",
    "--window-size",
    "90x",
    "--return",
    "-q",
    "--marker-key",
    "^g",
    "--pause-key",
    "",
    "--cols",
    "10",
  ], { from: "user" });
  assert.equal(flags.command, "ls");
  assert.equal(flags.captureInput, true);
  assert.equal(flags.captureEnv, "SHELL,USER");
  assert.equal(flags.title, "T");
  assert.equal(flags.headless, true);
  assert.deepEqual(flags.windowSize, { cols: 90 });
  assert.equal(flags.return, true);
  assert.equal(flags.quiet, true);
  assert.deepEqual(flags.markerKey, new Uint8Array([7]));
  assert.deepEqual(flags.pauseKey, new Uint8Array(0));
});

Deno.test("sessionOptionsFrom builds session options and header fields", () => {
  const shell = Deno.env.get("SHELL");
  Deno.env.set("SHELL", "/bin/zsh");
  try {
    const parts = sessionOptionsFrom({
      command: "make",
      title: "Build",
      captureEnv: " SHELL , NO_SUCH_VARIABLE_X",
      headless: true,
      windowSize: { rows: 10 },
      return: true,
      markerKey: new Uint8Array([7]),
      prefixKey: new Uint8Array(0),
    }, { ASCIINEMA_REC: "1" });
    assert.equal(parts.session.command, "make");
    assert.equal(parts.session.headless, true);
    assert.deepEqual(parts.session.windowSize, { rows: 10 });
    assert.deepEqual(parts.session.markerKey, new Uint8Array([7]));
    assert.equal(parts.session.pauseKey, undefined); // the session's default applies
    assert.equal(parts.session.prefixKey, null); // "" disables
    assert.equal(parts.session.env?.ASCIINEMA_REC, "1");
    assert.equal(parts.session.env?.ASCIINEMA_SESSION, sessionId());
    assert.deepEqual(parts.env, { SHELL: "/bin/zsh" });
    assert.equal(parts.returnStatus, true);
    assert.equal(parts.autoHeadless, false);

    const header = sessionHeader(
      { cols: 80, rows: 10, termType: "xterm", timestamp: 1700000000 },
      parts,
      3,
      2,
    );
    assert.deepEqual(header, {
      version: 3,
      cols: 80,
      rows: 10,
      termType: "xterm",
      timestamp: 1700000000,
      idleTimeLimit: 2,
      command: "make",
      title: "Build",
      env: { SHELL: "/bin/zsh" },
    });
    // No command given: none in the header.
    assert.equal(
      sessionHeader({ cols: 1, rows: 1, timestamp: 0 }, sessionOptionsFrom({}), 2).command,
      undefined,
    );
  } finally {
    if (shell === undefined) Deno.env.delete("SHELL");
    else Deno.env.set("SHELL", shell);
  }
});

Deno.test("withSessionConfig fills only the flags not given, from the [session] config", async (t) => {
  const config = {
    command: "echo cfg",
    captureInput: true,
    captureEnv: "SHELL,TERM",
    pauseKey: new Uint8Array(0),
    addMarkerKey: new Uint8Array([0x07]),
    prefixKey: new Uint8Array([0x01]),
  };
  await t.step("no flags: everything from the config", () => {
    assert.deepEqual(withSessionConfig({}, config), {
      command: "echo cfg",
      captureInput: true,
      captureEnv: "SHELL,TERM",
      pauseKey: new Uint8Array(0),
      markerKey: new Uint8Array([0x07]),
      prefixKey: new Uint8Array([0x01]),
    });
  });
  await t.step("flags win, and the flags object is left as it was", () => {
    const flags = {
      command: "top",
      captureEnv: "USER",
      pauseKey: new Uint8Array([0x10]),
      markerKey: new Uint8Array(0),
      prefixKey: new Uint8Array([0x02]),
      title: "t",
    };
    const merged = withSessionConfig(flags, config);
    assert.deepEqual(merged, { ...flags, captureInput: true });
    assert.equal("captureInput" in flags, false);
  });
  await t.step("--stdin counts as -I", () => {
    assert.equal(
      withSessionConfig<SessionFlags & { stdin?: boolean }>({ stdin: true }, {
        captureInput: false,
      }).captureInput,
      undefined,
    );
  });
  await t.step("an empty config changes nothing", () => {
    assert.deepEqual(withSessionConfig({ quiet: true }, {}), { quiet: true });
  });
});
