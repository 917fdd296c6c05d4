/**
 * SVG exports judged by tools that are not asciirec: `xmllint` (Debian's libxml2-utils) for
 * well-formed XML, and Chromium for what a viewer sees: the text where Chromium lays it out,
 * at the end, at given moments, and with reduced motion; markup in terminal text stays text.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "./_assert.ts";
import { CHROMIUM, launchChromium } from "./_browser.ts";
import { runCli } from "./_cli.ts";
import { typingDemo } from "./_export_casts.ts";
import { skipWithoutPeer } from "./_peers.ts";

const XMLLINT = "/usr/bin/xmllint";

async function tempCast(text: string): Promise<{ dir: string; cast: string }> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-svg-" });
  await Deno.writeTextFile(`${dir}/in.cast`, text);
  return { dir, cast: `${dir}/in.cast` };
}

async function txt(input: string): Promise<string> {
  const r = await runCli(["convert", input, "-", "-f", "txt"]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.replace(/\n+$/, "");
}

/**
 * The text Chromium shows in the SVG on `page`, rebuilt as rows and columns from where it
 * placed each character. `<use>` references are first replaced by what they stand for.
 */
function svgScreenText(page: Page, cols: number, rows: number): Promise<string> {
  return page.evaluate(`(${SCREEN_TEXT})(${cols}, ${rows})`);
}

// Runs in the page (as text: the tests are not type-checked against the DOM).
const SCREEN_TEXT = `(cols, rows) => {
  const ns = "http://www.w3.org/2000/svg";
  for (const use of [...document.querySelectorAll("use")]) {
    const target = document.querySelector(use.getAttribute("href"));
    const g = document.createElementNS(ns, "g");
    g.setAttribute("transform", "translate(0 " + (use.getAttribute("y") ?? 0) + ")");
    const copy = target.cloneNode(true);
    copy.removeAttribute("id");
    g.appendChild(copy);
    use.replaceWith(g);
  }
  // The terminal's viewport (the inner svg), in screen pixels.
  const screen = document.querySelector("svg svg");
  const m = screen.getScreenCTM();
  const box = { left: m.e, top: m.f };
  const cw = screen.width.baseVal.value * m.a / cols;
  const ch = screen.height.baseVal.value * m.d / rows;
  const grid = [...Array(rows)].map(() => Array(cols).fill(" "));
  for (const text of screen.querySelectorAll("text")) {
    if (text.closest("defs")) continue;
    const ctm = text.getScreenCTM();
    let index = 0;
    for (const c of text.textContent) {
      const p = text.getStartPositionOfChar(index);
      index += c.length;
      const sx = ctm.a * p.x + ctm.c * p.y + ctm.e - box.left;
      const sy = ctm.b * p.x + ctm.d * p.y + ctm.f - box.top;
      const col = Math.round(sx / cw);
      const row = Math.floor(sy / ch);
      if (row < 0 || row >= rows || col < 0 || col >= cols || c === " ") continue;
      grid[row][col] = c;
    }
  }
  return grid.map((r) => r.join("").replace(/ +$/, "")).join("\\n").replace(/\\n+$/, "");
}`;

/** Pauses every animation at `ms`, or at the end of its first run. */
const SEEK = (ms: number | "end") =>
  `for (const a of document.getAnimations()) {
    a.pause();
    a.currentTime = ${ms === "end" ? "a.effect.getComputedTiming().duration - 1" : ms};
  }`;

Deno.test({
  name: "svg: valid XML, and Chromium shows the final text, the first frame and a still",
  ignore: skipWithoutPeer(CHROMIUM) || skipWithoutPeer(XMLLINT),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cols = 80;
    const rows = 30;
    const { dir, cast: input } = await tempCast(typingDemo({ seconds: 5, rows }));
    const r = await runCli(["convert", input, `${dir}/demo.svg`, "--window"]);
    assertEquals(r.code, 0, r.stderr);
    const lint = await new Deno.Command(XMLLINT, { args: ["--noout", `${dir}/demo.svg`] }).output();
    assert(lint.success, new TextDecoder().decode(lint.stderr));
    const expected = await txt(input);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${dir}/demo.svg`);
      // Let every animation run to its end, then hold it there.
      await page.evaluate(SEEK("end"));
      assertEquals(await svgScreenText(page, cols, rows), expected);

      await page.reload();
      // The prompt appears at 0.2 s; the first key is typed at 0.8 s.
      await page.evaluate(SEEK(100));
      assertEquals(await svgScreenText(page, cols, rows), "");
      await page.evaluate(SEEK(500));
      assertEquals(await svgScreenText(page, cols, rows), "user@host:~/demo$");

      // prefers-reduced-motion: no animation, the last frame.
      const still = await browser.newPage({ reducedMotion: "reduce" });
      await still.goto(`file://${dir}/demo.svg`);
      assertEquals(await svgScreenText(still, cols, rows), expected);
      assertEquals(await still.evaluate("document.getAnimations().length"), 0);
    } finally {
      await browser.close();
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "svg: markup in terminal text and in the title stays text in Chromium",
  ignore: skipWithoutPeer(CHROMIUM) || skipWithoutPeer(XMLLINT),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const evil = '</text></svg><script>window.pwned=1</script><svg onload="window.pwned=2">&amp;';
    const castText = JSON.stringify({ version: 2, width: 100, height: 3, title: evil }) + "\n" +
      JSON.stringify([0.1, "o", evil]) + "\n";
    const { dir, cast: input } = await tempCast(castText);
    const r = await runCli(["convert", input, `${dir}/evil.svg`, "--at", "1"]);
    assertEquals(r.code, 0, r.stderr);
    const lint = await new Deno.Command(XMLLINT, { args: ["--noout", `${dir}/evil.svg`] }).output();
    assert(lint.success, new TextDecoder().decode(lint.stderr));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${dir}/evil.svg`);
      assertEquals(await page.evaluate("window.pwned"), undefined);
      assertEquals(await page.evaluate("document.querySelectorAll('script').length"), 0);
      assertEquals(await svgScreenText(page, 100, 3), evil);
      assertEquals(await page.evaluate("document.querySelector('title')?.textContent"), evil);
    } finally {
      await browser.close();
    }
    await Deno.remove(dir, { recursive: true });
  },
});
