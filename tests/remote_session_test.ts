/**
 * End to end on 127.0.0.1, as a user runs it: `asciirec serve` and
 * `asciirec session -o out.cast --remote` as processes. The relay is killed mid-stream and
 * restarted within the grace period: the producer reconnects, viewers continue, and the
 * local file is complete.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { homeEnv, spawnServe, TestViewer, waitUntil } from "./_relay.ts";
import { restartablePort } from "./_port.ts";

function viewerUrlOf(page: string): string {
  const u = new URL(page);
  return `ws://${u.host}/ws/s/${u.pathname.split("/").pop()}`;
}

Deno.test({
  name:
    "session -o --remote streams through a relay that is killed and restarted; the file is complete",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir();
    const env = homeEnv(home);
    const dataDir = `${home}/relay`;
    const gate = `${home}/gate`;
    const castPath = `${home}/out.cast`;
    let serve = await spawnServe(
      ["--listen", `127.0.0.1:${restartablePort()}`, "--data-dir", dataDir],
      env,
    );
    const port = new URL(serve.url).port;
    const [cmd, ...rest] = cliArgv();
    const session = new Deno.Command(cmd!, {
      args: [
        ...rest,
        "session",
        "-o",
        castPath,
        "--remote",
        "--server-url",
        serve.url,
        "--headless",
        "--window-size",
        "80x24",
        "-c",
        `echo first-part; while [ ! -e ${gate} ]; do sleep 0.05; done; ` +
        "echo second-part; sleep 0.3; echo last-part",
      ],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const pump = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of session.stderr) stderr += decoder.decode(chunk, { stream: true });
    })();
    try {
      await waitUntil(() => /Live streaming at \S+/.test(stderr), "the stream URL", 30_000);
      const page = /Live streaming at (\S+)/.exec(stderr)![1]!;
      assert(page.startsWith(`${serve.url}/s/`), page);
      const viewer = new TestViewer(viewerUrlOf(page));
      await viewer.waitForText("first-part");

      assertEquals(await serve.stop("SIGKILL"), 137);
      const lost = (await viewer.closed).code;
      // An abrupt loss (Deno reports 0 or 1006): asciinema-player reconnects on it.
      assert(lost !== 1000 && !(lost >= 4000 && lost <= 4100), `viewer closed with ${lost}`);
      serve = await spawnServe(["--listen", `127.0.0.1:${port}`, "--data-dir", dataDir], env);
      // A returning viewer gets the screen as it was as soon as the producer is back.
      const again = new TestViewer(viewerUrlOf(page));
      await again.waitForText("first-part", 30_000);
      await Deno.writeTextFile(gate, "");
      await again.waitForText("last-part");
      assertStringIncludes(again.screenText, "second-part");

      const { code } = await session.status;
      await pump;
      assertEquals(code, 0, stderr);
      assertEquals((await again.closed).code, 1000);
      assert(again.messages.some((m) => m.type === "eot"), "the viewer was told the stream ended");

      const recording = await openRecording(castPath);
      let text = "";
      const codes: string[] = [];
      for await (const event of recording.events) {
        codes.push(event.code);
        if (event.code === "o") text += event.data;
      }
      assertStringIncludes(text, "first-part\r\nsecond-part\r\nlast-part\r\n");
      assertEquals(codes.at(-1), "x");
    } finally {
      try {
        session.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await session.status;
      await pump;
      await serve.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});
