/**
 * `asciirec session`: record and stream a terminal session at once.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `session` command. */
export function sessionCommand(): Command {
  return notBuiltCommand("session", "record and stream a terminal session at once");
}
