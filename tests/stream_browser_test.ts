/**
 * The real asciinema player in Chromium (driven by playwright-core) against a running
 * `asciirec stream --local -c …`: the page shows what the command printed, a late joiner
 * sees the current screen at once, and when the command exits the page says "Stream ended"
 * and does not reconnect.
 */
import { chromium, type Page } from "playwright-core";
import { assert, assertEquals } from "./_assert.ts";
import { LiveCli } from "./_live_cli.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 15_000) {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test({
  name:
    "the asciinema player in Chromium shows a live asciirec stream, a late joiner's screen and the end",
  ignore: !hasChromium(),
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
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
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
      const termText = (page: Page) => page.locator(".ap-term").innerText().catch(() => "");
      // The overlay's text as in the DOM (CSS shows it upper-cased).
      const overlay = (page: Page) =>
        page.evaluate("document.querySelector('.ap-overlay-info')?.textContent ?? ''");

      const first = await open("first");
      assertEquals(await first.title(), "browser demo");
      await until(
        "the first page to show the output",
        async () => (await termText(first)).includes("hello from asciirec"),
      );
      assert(await first.evaluate("typeof window.player === 'object'"), "window.player is set");

      await cli.type("\n");
      await until(
        "the first page to show live output",
        async () => (await termText(first)).includes("second line"),
      );

      // A late joiner sees the current screen from its Init: nothing new is printed meanwhile.
      const second = await open("second");
      await until("the late page to show the current screen", async () => {
        const text = await termText(second);
        return text.includes("hello from asciirec") && text.includes("second line");
      });
      assertEquals(
        [
          await second.locator("body").getAttribute("data-cols"),
          await second.locator("body").getAttribute("data-rows"),
        ],
        ["60", "10"],
      );

      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
      await until(
        "the first page to say the stream ended",
        async () => (await overlay(first)) === "Stream ended",
      );
      await until(
        "the late page to say the stream ended",
        async () => (await overlay(second)) === "Stream ended",
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
