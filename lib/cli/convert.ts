/**
 * `asciirec convert`: convert a recording to another format.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `convert` command. */
export function convertCommand(): Command {
  return notBuiltCommand("convert", "convert a recording to another format");
}
