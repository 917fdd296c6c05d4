/**
 * `asciirec auth`: link this machine to an asciinema server account.
 *
 * @module
 */
import type { Command } from "commander";
import { notBuiltCommand } from "./not_built.ts";

/** Builds the `auth` command. */
export function authCommand(): Command {
  return notBuiltCommand("auth", "link this machine to an asciinema server account");
}
