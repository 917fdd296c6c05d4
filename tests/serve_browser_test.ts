/**
 * The real asciinema player in Chromium on the relay's stream page: it shows what a remote
 * producer publishes, carries on across a relay restart (player and producer reconnect),
 * and says the stream ended.
 * Also plays an uploaded recording on its `/a/<id>` page.
 */
import { assertEquals } from "./_assert.ts";
import { CHROMIUM, launchChromium, playerOverlay, playerText } from "./_browser.ts";
import { ApiClient } from "../lib/remote/api_client.ts";
import { createRemoteProducer, prepareRemoteStream } from "../lib/remote/producer.ts";
import { newInstallId, startTestRelay, type TestRelay } from "./_relay.ts";
import { waitUntil } from "./_wait_until.ts";
import { restartablePort } from "./_port.ts";
import { skipWithoutPeer } from "./_peers.ts";

Deno.test({
  name: "the player on the relay's stream page survives a relay restart and shows the end",
  ignore: skipWithoutPeer(CHROMIUM),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir();
    let relay: TestRelay = await startTestRelay({ dataDir, graceMs: 30_000 }, restartablePort());
    const port = Number(new URL(relay.url).port);
    const browser = await launchChromium();
    try {
      const endpoint = await prepareRemoteStream({
        serverUrl: relay.url,
        installId: newInstallId(),
        title: "relayed",
      });
      const problems: string[] = [];
      const page = await browser.newPage();
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to /.test(m.text())) problems.push(m.text());
      });
      const producer = createRemoteProducer(endpoint, { minBackoffMs: 20, maxBackoffMs: 200 })(
        { cols: 70, rows: 12 },
      );
      producer.write({ time: 0, code: "o", data: "\x1b[1mbefore restart\x1b[0m\r\n" });
      await waitUntil(() => producer.connected, "the producer");
      await page.goto(endpoint.viewerUrl!);
      assertEquals(await page.title(), "relayed");
      await waitUntil(
        async () => (await playerText(page)).includes("before restart"),
        "the page to show the output",
      );

      await relay.stop();
      producer.write({ time: 1_000_000, code: "o", data: "during restart\r\n" });
      relay = await startTestRelay({ dataDir, graceMs: 30_000 }, port);
      await waitUntil(() => producer.connected, "the producer to reconnect");
      producer.write({ time: 2_000_000, code: "o", data: "after restart\r\n" });
      // The player reconnects by itself (1001 is not an end) and gets a fresh Init.
      await waitUntil(async () => {
        const text = await playerText(page);
        return text.includes("before restart") && text.includes("during restart") &&
          text.includes("after restart");
      }, "the page to continue");
      producer.write({ time: 3_000_000, code: "x", data: "0" });
      await producer.close();
      await waitUntil(
        async () => (await playerOverlay(page)) === "Stream ended",
        "the page to say the stream ended",
      );
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await relay.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the player on /a/<id> shows the last screen as its poster and plays an upload",
  ignore: skipWithoutPeer(CHROMIUM),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using r = await startTestRelay();
    const cast = '{"version": 3, "term": {"cols": 40, "rows": 5}}\n' +
      '[0.1, "o", "uploaded text\\r\\n"]\n[0.5, "o", "final screen\\r\\n"]\n';
    const { url } = await new ApiClient(r.url, newInstallId()).upload(
      new TextEncoder().encode(cast),
      "u.cast",
    );
    const browser = await launchChromium();
    try {
      const problems: string[] = [];
      const page = await browser.newPage();
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to /.test(m.text())) problems.push(m.text());
      });
      await page.goto(url);
      // Before play is pressed, the poster: the recording's last screen, not an empty box.
      await waitUntil(
        async () => (await playerText(page)).includes("final screen"),
        "the poster",
      );
      await page.evaluate("window.player.play()");
      await waitUntil(
        async () => (await playerText(page)).includes("uploaded text"),
        "the recording to play",
      );
      assertEquals(problems, []);
    } finally {
      await browser.close();
    }
  },
});
