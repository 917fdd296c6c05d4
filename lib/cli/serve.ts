/**
 * `asciirec serve`: run a self-hosted relay server for live streams and uploads.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `serve` command. */
export function serveCommand(): Command {
  return notBuiltCommand("serve", "run a self-hosted relay server for live streams and uploads");
}
