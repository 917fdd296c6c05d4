import { assertEquals } from "../../tests/_assert.ts";
import { playerPageCsp } from "./player_page_csp.ts";

Deno.test("player page CSP allows the inline script by hash and forbids framing unless framable", async (t) => {
  // SHA-256 of "window.player = 1;", as `printf %s … | openssl dgst -sha256 -binary | base64`.
  const hash = "'sha256-RVnH07IqzCXwBSDDFLklSkrtaSCDU1DHlAEzYqmCZsU='";
  const common = "default-src 'none'; " +
    `script-src 'self' 'wasm-unsafe-eval' ${hash}; ` +
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'";
  const table: [string, { framable?: boolean }, string][] = [
    ["by default", {}, `${common}; frame-ancestors 'none'`],
    ["framable", { framable: true }, common],
  ];
  for (const [name, options, expected] of table) {
    await t.step(name, async () => {
      assertEquals(await playerPageCsp("window.player = 1;", options), expected);
    });
  }
});
