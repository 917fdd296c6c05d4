/**
 * `asciirec upload`: upload a recording to an asciinema server.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `upload` command. */
export function uploadCommand(): Command {
  return notBuiltCommand("upload", "upload a recording to an asciinema server");
}
