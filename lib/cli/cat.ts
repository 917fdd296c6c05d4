/**
 * `asciirec cat`: join recordings into one, on one timeline.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `cat` command. */
export function catCommand(): Command {
  return notBuiltCommand("cat", "join recordings into one, on one timeline");
}
