/**
 * The stream page with the real asciinema player in Chromium: a late joiner rewinds to the
 * first output of the session, goes back to live and sees new output; the page shows the
 * live indicator, the title, the viewer count and the end; and a rewind while the stream's
 * server is away, or after it restarted, gives a clear message instead of a broken page.
 *
 * With `ASCIIREC_SCREENSHOT=FILE.png` the first test also saves a picture of the page (the
 * README's).
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { CHROMIUM, launchChromium, playerText } from "./_browser.ts";
import { LiveCli } from "./_live_cli.ts";
import { waitUntil } from "./_wait_until.ts";
import { skipWithoutPeer } from "./_peers.ts";
import { restartablePort } from "./_port.ts";

const TOKEN = "LanBrowserTestToken_0123456789";

/** Chromium and the player share two busy cores with the session: generous waits. */
const wait = (ok: () => boolean | Promise<boolean>, what: string) => waitUntil(ok, what, 30_000);

async function openPage(
  browser: Awaited<ReturnType<typeof launchChromium>>,
  url: string,
  problems: string[],
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 420 } });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
  });
  await page.goto(url);
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText().catch(() => "");
const state = (page: Page) => page.locator("body").getAttribute("data-state");

Deno.test({
  name: "a late joiner rewinds to the first output, goes back to live and sees new output",
  ignore: skipWithoutPeer(CHROMIUM),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The first line scrolls off the 12-row screen long before the viewer joins.
    const cli = new LiveCli([
      "stream",
      "--local",
      "-t",
      "rewind demo",
      "--window-size",
      "60x12",
      "-c",
      "printf '\\033[1;33mfirst output of the session\\033[0m\\n'; sleep 0.3; " +
      'for i in $(seq 1 40); do echo "build step $i ok"; done; read a; ' +
      "echo 'new output after the rewind'; read b",
    ]);
    const browser = await launchChromium();
    try {
      const url = await cli.url();
      const problems: string[] = [];
      const page = await openPage(browser, url, problems);
      await wait(
        async () => (await playerText(page)).includes("build step 40 ok"),
        "the late joiner to see the current screen",
      );
      assert(!(await playerText(page)).includes("first output"), "the first line scrolled off");
      await wait(async () => (await state(page)) === "live", "the live indicator");
      assertEquals(await text(page, "#state"), "LIVE");
      assertEquals(await text(page, "#title"), "rewind demo");
      await wait(
        async () => (await text(page, "#viewers")) === "1 watching",
        "the viewer count",
      );

      await page.click("#rewind");
      await wait(
        async () => (await playerText(page)).includes("first output of the session"),
        "the rewound player to show the first output",
      );
      assertEquals(await page.locator("body").getAttribute("data-mode"), "rewind");
      assertEquals(await text(page, "#state"), "◀◀ rewind");
      // The real player plays it as a recording: a duration and a seek bar over it.
      const duration = await page.evaluate("window.player.getDuration()") as number;
      assert(duration > 0.2, `duration ${duration}`);
      assert(await page.locator(".ap-progressbar").count() > 0, "a seek bar");
      const shot = Deno.env.get("ASCIIREC_SCREENSHOT");
      if (shot) {
        await page.hover("#player");
        await new Promise((resolve) => setTimeout(resolve, 600));
        await page.screenshot({ path: shot });
      }

      await page.click("#live");
      await wait(async () => (await state(page)) === "live", "live again");
      await cli.type("\n");
      await wait(
        async () => (await playerText(page)).includes("new output after the rewind"),
        "new live output after going back to live",
      );
      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
      await wait(async () => (await state(page)) === "ended", "the page to show the end");
      assertEquals(await text(page, "#state"), "stream ended");
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

Deno.test({
  name: "a rewind with the stream's server away or restarted says so and leaves a working page",
  ignore: skipWithoutPeer(CHROMIUM),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const port = restartablePort();
    const stream = (word: string) =>
      new LiveCli([
        "stream",
        "--local",
        `127.0.0.1:${port}`,
        "--token",
        TOKEN,
        "--window-size",
        "50x8",
        "-c",
        `echo 'session ${word}'; read a`,
      ]);
    let cli = stream("one");
    const browser = await launchChromium();
    try {
      const url = await cli.url();
      assertEquals(url, `http://127.0.0.1:${port}/${TOKEN}/`);
      const problems: string[] = [];
      const page = await openPage(browser, url, problems);
      await wait(
        async () => (await playerText(page)).includes("session one"),
        "the first session",
      );
      // The page has seen the first session's rewind log (its status is polled at once).
      await wait(
        async () =>
          (await page.evaluate("fetch('status').then((r) => r.json())") as {
            rewind: unknown;
          }).rewind !== null,
        "the status",
      );
      await new Promise((resolve) => setTimeout(resolve, 300));

      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
      await wait(async () => (await state(page)) === "ended", "the end of session one");
      await page.click("#rewind");
      await wait(
        async () => /does not answer/.test(await text(page, "#message")),
        "a message that the server is away",
      );
      assertMatch(
        await text(page, "#message"),
        /Cannot rewind: the stream's server does not answer/,
      );
      assert((await playerText(page)).includes("session one"), "the last screen stays");

      // The server comes back (same address and token) with a new session.
      cli = stream("two");
      await cli.url();
      await page.click("#live");
      await wait(
        async () => (await playerText(page)).includes("session two"),
        "the page to watch the restarted stream",
      );
      await page.click("#rewind");
      await wait(
        async () => /restarted/.test(await text(page, "#message")),
        "a message that the stream restarted",
      );
      await wait(
        async () => (await playerText(page)).includes("session two"),
        "the rewind of the new session",
      );
      assertEquals(await page.locator("body").getAttribute("data-mode"), "rewind");
      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
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
