/**
 * Whether a test that needs a real peer program (Debian's asciinema, Chromium) may be skipped.
 * On a developer's machine without the peer, yes; in CI (`CI` set), never: there the test
 * runs and fails loudly, so a missing install step cannot turn into a silent green.
 *
 * @module
 */

/** True when the peer at `path` is missing and this is not CI. */
export function skipWithoutPeer(path: string): boolean {
  if (Deno.env.get("CI")) return false;
  try {
    return !Deno.statSync(path).isFile;
  } catch {
    return true;
  }
}
