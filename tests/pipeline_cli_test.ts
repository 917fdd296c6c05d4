/**
 * The one live pipeline, end to end as processes: `session -o FILE --local --remote` against
 * `asciirec serve` runs exactly one terminal emulator, and the screen is the same everywhere
 * it is seen: the file replayed, a local viewer's Init, a relay viewer's Init.
 */
import { assert, assertEquals } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import { homeEnv, spawnServe, TestViewer, waitUntil } from "./_relay.ts";
import { decodeAlisMessage } from "../lib/alis/decoder.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { Vt } from "../lib/vt/vt.ts";
import type { Screen } from "../lib/vt/screen.ts";

/** The screen a fresh terminal shows after `output`. */
function screenOf(output: string, cols = 80, rows = 24): Screen {
  using vt = new Vt(cols, rows, { sync: true });
  vt.feed(output);
  return vt.screen();
}

/** The initData of the Init a new ALiS viewer of `url` gets. */
async function initOf(url: string): Promise<string> {
  const ws = new WebSocket(url, ["v1.alis"]);
  ws.binaryType = "arraybuffer";
  try {
    return await new Promise<string>((resolve, reject) => {
      ws.onmessage = (e) => {
        const bytes = new Uint8Array(e.data);
        if (bytes[0] === 0x41) return; // the magic
        const message = decodeAlisMessage(bytes);
        if (message.type === "init") resolve(message.initData);
      };
      ws.onclose = () => reject(new Error(`${url} closed before an Init`));
    });
  } finally {
    ws.onclose = null;
    ws.close();
  }
}

Deno.test({
  name: "session --local --remote runs one emulator and every viewer sees the file's screen",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir();
    const env = homeEnv(home);
    const gate = `${home}/gate`;
    const castPath = `${home}/out.cast`;
    const serve = await spawnServe(["--listen", "127.0.0.1:0", "--data-dir", `${home}/relay`], env);
    const [cmd, ...rest] = cliArgv();
    const draw = [
      // A flood first (which the live terminal may skip drawing), in colour, then a drawing.
      'awk \'BEGIN { printf "\\033[32m"; for (i = 1; i <= 50000; i++) print i; ' +
      'printf "\\033[44m"; for (i = 1; i <= 30000; i++) print i; printf "\\033[0m" }\'',
      "printf '\\033[1;31mred bold\\033[0m plain \\033[48;5;22mgreen bg\\033[0m\\n'",
      "printf 'wide: 界界 emoji: 🎉\\n'",
      "printf '\\033[10;5H\\033[7minverse at 10,5\\033[0m'",
      "printf '\\033[3;70Hcorner'",
      `while [ ! -e ${gate} ]; do sleep 0.05; done`,
    ].join("; ");
    const session = new Deno.Command(cmd!, {
      args: [
        ...rest,
        "session",
        "--verbose",
        "-o",
        castPath,
        "--local",
        "--remote",
        "--server-url",
        serve.url,
        "--headless",
        "--window-size",
        "80x24",
        "-c",
        draw,
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
      await waitUntil(() => (stderr.match(/Live streaming at \S+/g) ?? []).length === 2, "URLs");
      const urls = [...stderr.matchAll(/Live streaming at (\S+)/g)].map((m) => m[1]!);
      const local = urls.find((u) => !u.startsWith(serve.url))!;
      const relayPage = urls.find((u) => u.startsWith(serve.url))!;
      const relayWs = `ws://${new URL(relayPage).host}/ws/s/${relayPage.split("/").pop()}`;
      const viewer = new TestViewer(relayWs);
      await viewer.waitForText("corner");
      await viewer.close();
      const localInit = await initOf(`${local.replace("http", "ws")}ws`);
      const relayInit = await initOf(relayWs);
      await Deno.writeTextFile(gate, "");
      const { code } = await session.status;
      await pump;
      assertEquals(code, 0, stderr);
      assert(
        /live: 1 terminal emulator\(s\) ran for this session/.test(stderr),
        `one emulator; stderr: ${stderr}`,
      );

      const recording = await openRecording(castPath);
      let output = "";
      for await (const event of recording.events) if (event.code === "o") output += event.data;
      const fileScreen = screenOf(output);
      assert(fileScreen.lines[9]!.cells[4]!.chars === "i", "the file has the drawing");
      assertEquals(screenOf(localInit), fileScreen, "the local viewer's Init");
      assertEquals(screenOf(relayInit), fileScreen, "the relay viewer's Init");
    } finally {
      await serve.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});
