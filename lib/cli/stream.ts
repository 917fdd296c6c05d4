/**
 * `asciirec stream`: stream a terminal session live.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `stream` command. */
export function streamCommand(): Command {
  return notBuiltCommand("stream", "stream a terminal session live");
}
