/**
 * asciirec: record, play and stream terminal sessions, compatible with asciinema.
 *
 * @module
 */
import { run } from "./lib/cli/program.ts";

if (import.meta.main) {
  Deno.exit(await run(Deno.args));
}
