/**
 * `asciirec watch` in a real terminal: one tmux server runs the streamer's session, another
 * the watcher; the watcher's pane shows the streamer's pane cell by cell (colours and
 * attributes included, `capture-pane -e`) from its first screen and then live; it survives
 * a relay restart and leaves at the end of the stream with "Stream ended".
 */
import { assertEquals } from "./_assert.ts";
import { cliArgv, TEST_ENV } from "./_cli.ts";
import { api, homeEnv, spawnServe } from "./_relay.ts";
import { shellQuote } from "./_shell_quote.ts";
import { delay, Tmux } from "./_tmux.ts";
import { waitUntil } from "./_wait_until.ts";
import { restartablePort } from "./_port.ts";

const TOKEN = "WatchTmuxTestToken_0123456789";
const COLS = 72;
const ROWS = 20;

function command(args: string[], env: Record<string, string> = {}): string {
  const vars = { ...TEST_ENV, SHELL: "/bin/sh", PS1: "live$ ", ...env };
  const assignments = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return `env ${assignments.join(" ")} ${[...cliArgv(), ...args].map(shellQuote).join(" ")}`;
}

/** The pane cell by cell (with its SGR attributes) and the cursor position. */
async function screen(tmux: Tmux): Promise<string> {
  const cursor = await tmux.flag("cursor_x") + "," + await tmux.flag("cursor_y");
  return `${await tmux.capture(true)}\ncursor ${cursor}`;
}

/** Waits until both panes show the same screen containing `text`, and returns it. */
async function sameScreens(streamer: Tmux, watcher: Tmux, text: string): Promise<string> {
  await watcher.waitFor((s) => s.includes(text), `the watcher to show ${text}`);
  let a = "";
  let b = "";
  for (let i = 0; i < 100; i++) {
    a = await screen(streamer);
    b = await screen(watcher);
    if (a === b && a.includes(text)) return a;
    await delay(100);
  }
  assertEquals(b, a, "the watcher's pane is the streamer's, cell by cell");
  return a;
}

const COLOURFUL = "clear; printf '\\033[1;31mred bold\\033[0m \\033[42;30mgreen\\033[0m " +
  "\\033[4munderlined\\033[0m wide: 日本語 ✓\\n'; seq 1 3; printf '\\033[7mreversed\\033[0m\\n'";

Deno.test({
  name: "watch shows the streamer's pane cell by cell, at once and live, and leaves at the end",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const port = restartablePort();
    await using streamer = await Tmux.start({ cols: COLS, rows: ROWS, timeoutMs: 30_000 });
    await using watcher = await Tmux.start({ cols: COLS, rows: ROWS, timeoutMs: 30_000 });
    await streamer.type(
      command(["stream", "-q", "--local", `127.0.0.1:${port}`, "--token", TOKEN]),
      true,
    );
    await streamer.waitFor((s) => /^live\$/m.test(s), "the streamed shell's prompt");
    await streamer.type(COLOURFUL, true);
    await streamer.waitFor((s) => s.includes("reversed"), "the streamer's output");

    // A late joiner: its first screen is the Init's.
    await watcher.type(command(["watch", `http://127.0.0.1:${port}/${TOKEN}/`]), true);
    const first = await sameScreens(streamer, watcher, "reversed");
    assertEquals(first.includes("\x1b[1m"), true, "attributes are compared");

    // Then live output, cursor moves included.
    await streamer.type(
      "printf 'live \\033[33myellow\\033[0m line\\n'; printf '\\033[5;40Hplaced'",
      true,
    );
    await sameScreens(streamer, watcher, "placed");

    await streamer.type("exit", true);
    await watcher.waitFor((s) => s.includes("::: Stream ended"), "the watcher to say the end");
    await waitUntil(async () => (await watcher.child()) === undefined, "watch to exit");
  },
});

Deno.test({
  name: "watch follows a relayed stream across a relay restart and leaves at its end",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "asciirec-watch-relay-" });
    const dataDir = `${home}/relay`;
    const installId = crypto.randomUUID();
    await Deno.mkdir(`${home}/.local/state/asciinema`, { recursive: true });
    await Deno.writeTextFile(`${home}/.local/state/asciinema/install-id`, installId);
    const port = restartablePort();
    const env = homeEnv(home);
    const serveArgs = [
      "--listen",
      `127.0.0.1:${port}`,
      "--data-dir",
      dataDir,
      "--grace-period",
      "60",
    ];
    let relay = await spawnServe(serveArgs, env);
    try {
      await using streamer = await Tmux.start({ cols: COLS, rows: ROWS, timeoutMs: 40_000 });
      await using watcher = await Tmux.start({ cols: COLS, rows: ROWS, timeoutMs: 40_000 });
      await streamer.type(
        command(["stream", "-q", "--remote", "--server-url", relay.url], env),
        true,
      );
      await streamer.waitFor((s) => /^live\$/m.test(s), "the streamed shell's prompt");
      let url = "";
      for (let i = 0; i < 100 && url === ""; i++) {
        const { json } = await api(relay.url, "GET", "/api/v1/user/streams", installId);
        url = (json as { url: string }[])[0]?.url ?? "";
        if (url === "") await delay(100);
      }
      await streamer.type(COLOURFUL, true);
      await watcher.type(command(["watch", url]), true);
      await sameScreens(streamer, watcher, "reversed");

      // The relay goes away and comes back on the same address and data.
      assertEquals(await relay.stop("SIGTERM"), 0);
      await delay(500);
      relay = await spawnServe(serveArgs, env);
      await streamer.type("echo after the relay restart", true);
      await sameScreens(streamer, watcher, "after the relay restart");

      await streamer.type("exit", true);
      await watcher.waitFor((s) => s.includes("::: Stream ended"), "the watcher to say the end");
      await waitUntil(async () => (await watcher.child()) === undefined, "watch to exit");
    } finally {
      await relay.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});
