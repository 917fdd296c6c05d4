/**
 * The Content-Security-Policy of a page that shows the embedded asciinema player: the
 * local streaming page and the relay's recording page.
 *
 * @module
 */

/** Options for {@linkcode playerPageCsp}. */
export interface PlayerPageCspOptions {
  /** Whether other pages may frame this one (no `frame-ancestors 'none'`). Default `false`. */
  framable?: boolean;
}

/**
 * The policy for a page whose only inline script is `inlineScript`: scripts from the page's
 * own origin plus that script (by its SHA-256 hash), inline styles, and connections (the
 * WebSocket) only to the page's origin.
 *
 * @example
 * ```ts
 * import { playerPageCsp } from "./player_page_csp.ts";
 * const csp = await playerPageCsp("window.player = 1;");
 * csp.startsWith("default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-"); // true
 * ```
 */
export async function playerPageCsp(
  inlineScript: string,
  options: PlayerPageCspOptions = {},
): Promise<string> {
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(inlineScript)),
  );
  // The player compiles its inlined WebAssembly at run time: 'wasm-unsafe-eval'.
  const directives = [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' 'sha256-${btoa(String.fromCharCode(...hash))}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  if (!options.framable) directives.push("frame-ancestors 'none'");
  return directives.join("; ");
}
