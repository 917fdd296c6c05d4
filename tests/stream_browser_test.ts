/**
 * The real asciinema player in Chromium (driven by playwright-core) against a running
 * `asciirec stream --local -c …`: the page shows what the command printed, a late joiner
 * sees the current screen at once, and when the command exits the page says "Stream ended"
 * and does not reconnect.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "./_assert.ts";
import { CHROMIUM, launchChromium, playerOverlay, playerText } from "./_browser.ts";
import { LiveCli } from "./_live_cli.ts";
import { waitUntil } from "./_wait_until.ts";
import { skipWithoutPeer } from "./_peers.ts";

Deno.test({
  name:
    "the asciinema player in Chromium shows a live asciirec stream, a late joiner's screen and the end",
  ignore: skipWithoutPeer(CHROMIUM),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Each line typed into the session (stdin) lets the command go one step further.
    const cli = new LiveCli([
      "stream",
      "--local",
      "-t",
      "browser demo",
      "--window-size",
      "60x10",
      "-c",
      "printf '\\033[1;32mhello from asciirec\\033[0m\\n'; read a; echo second line; read b",
    ]);
    const browser = await launchChromium();
    try {
      const url = await cli.url();
      const problems: string[] = [];
      const sockets: string[] = [];
      const open = async (name: string): Promise<Page> => {
        const page = await browser.newPage();
        page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
        page.on("console", (m) => {
          if (/Content Security Policy|Refused/i.test(m.text())) problems.push(m.text());
        });
        page.on("websocket", () => sockets.push(name));
        await page.goto(url);
        return page;
      };

      const first = await open("first");
      assertEquals(await first.title(), "browser demo");
      await waitUntil(
        async () => (await playerText(first)).includes("hello from asciirec"),
        "the first page to show the output",
      );
      assert(await first.evaluate("typeof window.player === 'object'"), "window.player is set");

      await cli.type("\n");
      await waitUntil(
        async () => (await playerText(first)).includes("second line"),
        "the first page to show live output",
      );

      // A late joiner sees the current screen from its Init: nothing new is printed meanwhile.
      const second = await open("second");
      await waitUntil(async () => {
        const text = await playerText(second);
        return text.includes("hello from asciirec") && text.includes("second line");
      }, "the late page to show the current screen");
      assertEquals(
        [
          await second.locator("body").getAttribute("data-cols"),
          await second.locator("body").getAttribute("data-rows"),
        ],
        ["60", "10"],
      );

      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
      await waitUntil(
        async () => (await playerOverlay(first)) === "Stream ended",
        "the first page to say the stream ended",
      );
      await waitUntil(
        async () => (await playerOverlay(second)) === "Stream ended",
        "the late page to say the stream ended",
      );
      // A 3.17 player that was not told about the end reconnects within ~0.5 s; wait longer.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assertEquals(sockets, ["first", "second"]);
      assertEquals(problems, []);
    } finally {
      await browser.close();
      try {
        cli.child.kill();
      } catch {
        // it has exited already
      }
      await cli.exit();
    }
  },
});
