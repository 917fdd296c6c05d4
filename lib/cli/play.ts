/**
 * `asciirec play`: play a recording in this terminal.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `play` command. */
export function playCommand(): Command {
  return notBuiltCommand("play", "play a recording in this terminal");
}
