/**
 * Chromium for the browser tests: the Debian package's `/usr/bin/chromium`, headless, driven
 * by playwright-core, plus the few ways those tests look at the asciinema player on a page.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, which the browser tests drive. */
export const CHROMIUM = "/usr/bin/chromium";
// No sandbox (tests may run as root in a container) and nothing that reaches the network.
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

/**
 * Starts a headless Chromium; the caller closes it (`await browser.close()`).
 *
 * @example
 * ```ts
 * import { launchChromium } from "./_browser.ts";
 * const browser = await launchChromium();
 * try {
 *   const page = await browser.newPage();
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * The text of the player's terminal on `page` (`""` while there is none).
 *
 * @example
 * ```ts
 * import { playerText } from "./_browser.ts";
 * declare const page: import("playwright-core").Page;
 * const text = await playerText(page);
 * ```
 */
export function playerText(page: Page): Promise<string> {
  return page.locator(".ap-term").innerText().catch(() => "");
}

/**
 * The text of the player's info overlay on `page` as in the DOM (CSS shows it upper-cased),
 * e.g. `"Stream ended"`; `""` while there is none.
 *
 * @example
 * ```ts
 * import { playerOverlay } from "./_browser.ts";
 * declare const page: import("playwright-core").Page;
 * const ended = (await playerOverlay(page)) === "Stream ended";
 * ```
 */
export function playerOverlay(page: Page): Promise<string> {
  return page.evaluate("document.querySelector('.ap-overlay-info')?.textContent ?? ''");
}
