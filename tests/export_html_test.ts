/**
 * The HTML export judged by Chromium: the page plays from `file://` with the network off,
 * makes no request, ends on the text `convert -f txt` gives, uses the theme, and a recording
 * that contains `</script>` cannot break out of its script.
 */
import { assertEquals, assertStringIncludes } from "./_assert.ts";
import { CHROMIUM, launchChromium } from "./_browser.ts";
import { runCli } from "./_cli.ts";
import { typingDemo } from "./_export_casts.ts";
import { skipWithoutPeer } from "./_peers.ts";
import { waitUntil } from "./_wait_until.ts";

async function tempCast(text: string): Promise<{ dir: string; cast: string }> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-html-" });
  await Deno.writeTextFile(`${dir}/in.cast`, text);
  return { dir, cast: `${dir}/in.cast` };
}

async function txt(input: string): Promise<string> {
  const r = await runCli(["convert", input, "-", "-f", "txt"]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.replace(/\n+$/, "");
}

Deno.test({
  name: "html: the page plays from file:// with the network off and ends on the final text",
  ignore: skipWithoutPeer(CHROMIUM),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const evil = "</script><script>window.pwned=1</script><!--";
    const castText = typingDemo({ seconds: 3, rows: 20 }).replace(
      "\n",
      `\n${JSON.stringify([0.05, "o", evil + "\r\n"])}\n`,
    );
    const { dir, cast: input } = await tempCast(castText);
    const r = await runCli([
      "convert",
      input,
      `${dir}/demo.html`,
      "--no-loop",
      "--speed",
      "4",
      "--theme",
      "dracula",
      "--window",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const expected = await txt(input);
    assertStringIncludes(expected, evil);

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ offline: true });
      const requests: string[] = [];
      context.on("request", (req) => {
        if (!req.url().startsWith("file:") && !req.url().startsWith("data:")) {
          requests.push(req.url());
        }
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`file://${dir}/demo.html`);
      const screen = (): Promise<string> =>
        page.evaluate(`[...document.querySelectorAll(".ap-line")]
          .map((l) => l.textContent.replace(/\\s+$/, "")).join("\\n").replace(/\\n+$/, "")`);
      let last = "";
      try {
        await waitUntil(async () => (last = await screen()) === expected, "the final text");
      } finally {
        if (last !== expected) console.error(`page text:\n${last}`);
      }
      assertEquals(problems, []);
      assertEquals(requests, []);
      assertEquals(await page.evaluate("window.pwned"), undefined);
      const bg = await page.evaluate(
        `getComputedStyle(document.querySelector(".ap-term"))
          .getPropertyValue("--term-color-background").trim()`,
      );
      assertEquals(bg, "#282a36");
    } finally {
      await browser.close();
    }
    await Deno.remove(dir, { recursive: true });
  },
});
