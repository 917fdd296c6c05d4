/**
 * `asciirec rec`: record a terminal session into a file.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `rec` command. */
export function recCommand(): Command {
  return notBuiltCommand("rec", "record a terminal session into a file");
}
