/**
 * `asciirec stream` and `asciirec session` as processes: the printed URL serves the stream,
 * `session` records and streams the same events, and the flags fail clearly.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { LiveCli } from "./_live_cli.ts";
import { waitUntil } from "./_wait_until.ts";
import { decodeAlisMessage } from "../lib/alis/decoder.ts";
import type { AlisMessage } from "../lib/alis/message.ts";

/** Connects a plain ALiS viewer to a page URL's socket. */
async function viewer(pageUrl: string) {
  const socket = new WebSocket(pageUrl.replace("http:", "ws:") + "ws", "v1.alis");
  socket.binaryType = "arraybuffer";
  const raw: Uint8Array[] = [];
  socket.onmessage = (e) => raw.push(new Uint8Array(e.data as ArrayBuffer));
  const closed = new Promise<CloseEvent>((resolve) => (socket.onclose = resolve));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error("cannot connect"));
  });
  return {
    raw,
    closed,
    messages: (): AlisMessage[] => raw.slice(1).map(decodeAlisMessage),
  };
}

Deno.test({
  name: "session -o FILE --local records and streams the same session",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const cli = new LiveCli([
        "session",
        "-o",
        "out/demo.cast",
        "--local",
        "-t",
        "both at once",
        "-c",
        "read line; echo streamed-and-recorded",
      ], dir);
      const url = await cli.url();
      assertMatch(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(url);
      assertStringIncludes(await page.text(), "<title>both at once</title>");
      const v = await viewer(url);
      await waitUntil(() => v.raw.length >= 2, "the Init");
      await cli.type("go\n");
      const close = await v.closed;
      assertEquals([close.code, close.reason], [1000, "Stream ended"]);
      assertEquals(await cli.exit(), 0);

      const messages = v.messages();
      const streamed = messages.filter((m) => m.type === "output").map((m) =>
        m.type === "output" ? m.data : ""
      ).join("");
      assertStringIncludes(streamed, "streamed-and-recorded");
      assertEquals(messages.slice(-2).map((m) => m.type), ["exit", "eot"]);

      const lines = (await Deno.readTextFile(`${dir}/out/demo.cast`)).trim().split("\n");
      const header = JSON.parse(lines[0]!);
      assertEquals([header.version, header.title], [3, "both at once"]);
      const recorded = lines.slice(1).map((l) => JSON.parse(l)).filter((e) => e[1] === "o")
        .map((e) => e[2]).join("");
      assertStringIncludes(recorded, "streamed-and-recorded");
      // Both outputs saw the same output events.
      assertEquals(streamed, recorded);
      assertStringIncludes(cli.stderr, "::: Recording to out/demo.cast");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a flood reaches a viewer in few messages, while the file keeps one event per read",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const cli = new LiveCli(
        ["session", "-o", "flood.cast", "--local", "-c", "read line; seq 1 300000"],
        dir,
      );
      const v = await viewer(await cli.url());
      await waitUntil(() => v.raw.length >= 2, "the Init");
      await cli.type("go\n");
      await v.closed;
      assertEquals(await cli.exit(), 0);
      const outputs = v.messages().filter((m) => m.type === "output");
      const streamed = outputs.map((m) => m.type === "output" ? m.data : "").join("");
      const recorded = (await Deno.readTextFile(`${dir}/flood.cast`)).trim().split("\n").slice(1)
        .map((l) => JSON.parse(l)).filter((e) => e[1] === "o");
      assertEquals(streamed, recorded.map((e) => e[2]).join(""));
      assertStringIncludes(streamed, "300000\r\n");
      // The PTY hands over a few KB per read; output of one turn of the event loop goes to
      // viewers as one message.
      assert(recorded.length > 100, `${recorded.length} events in the file`);
      assert(
        outputs.length * 4 < recorded.length,
        `${outputs.length} messages for ${recorded.length} events`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("stream and session refuse bad targets: no server configured, nowhere to stream", async (t) => {
  // An empty home and no server URL: --remote must not reach any real server.
  const home = await Deno.makeTempDir({ prefix: "asciirec-home-" });
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_STATE_HOME: `${home}/.state`,
    ASCIINEMA_SERVER_URL: "",
  };
  const table: [string[], number, string][] = [
    [["stream", "--remote", "-c", "true"], 1, "no asciinema server configured"],
    [["stream", "-c", "true"], 2, "nowhere to stream"],
    [["session", "-c", "true"], 2, "nothing to do"],
    [["session", "-r", "abc", "-l"], 1, "no asciinema server configured"],
    [["stream", "--local", "localhost:8080"], 2, 'Invalid listen address "localhost:8080"'],
    [["stream", "--local", "127.0.0.1:99999"], 2, "port out of range"],
  ];
  for (const [args, code, message] of table) {
    await t.step(args.join(" "), async () => {
      const result = await runCli(args, { env });
      assertEquals(result.code, code, result.stderr);
      assertStringIncludes(result.stderr, message);
    });
  }
  await Deno.remove(home, { recursive: true });
});

Deno.test({
  name: "stream --local prints the URL and ends the stream when the command exits",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cli = new LiveCli([
      "stream",
      "--local",
      "127.0.0.1:0",
      "-c",
      "read line; exit 3",
      "--return",
    ]);
    const url = await cli.url();
    const v = await viewer(url);
    await waitUntil(() => v.raw.length >= 2, "the Init");
    await cli.type("\n");
    assertEquals((await v.closed).code, 1000);
    assertEquals(await cli.exit(), 3);
    const exit = v.messages().find((m) => m.type === "exit");
    assert(exit?.type === "exit" && exit.status === 3, "the exit status is streamed");
    assertStringIncludes(cli.stderr, "::: Stream ended");
  },
});
