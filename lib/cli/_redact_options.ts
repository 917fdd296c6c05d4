/**
 * The redaction flags that `rec`, `stream`, `session`, `serve` and `redact` share, with the
 * `[redact]` config keys under them, turned into compiled rules.
 *
 * @module
 */
import { type Command, Option } from "./command.ts";
import type { RedactConfig } from "../config/asciinema_config.ts";
import { PatternError } from "../redact/pattern.ts";
import {
  BUILTIN_RULES,
  type CompiledRules,
  compileRules,
  envRules,
  fileRules,
  type RuleSpec,
} from "../redact/rules.ts";
import { UsageError } from "./usage_error.ts";

/** The parsed redaction flags. */
export interface RedactFlags {
  /** `--redact REGEX` (repeatable). */
  redact?: string[];
  /** `--redact-env NAME` (repeatable). */
  redactEnv?: string[];
  /** `--redact-file FILE` (repeatable). */
  redactFile?: string[];
  /** `--no-redact-builtin` makes this false. */
  redactBuiltin?: boolean;
  /** `--redact-hold MS`. */
  redactHold?: number;
}

/** What the flags and config decided. */
export interface Redaction {
  /** The rules to run. */
  rules: CompiledRules;
  /** How long a possible secret is held back (ms). */
  holdMs: number;
  /** One line for the user: what is redacted. */
  summary: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `--redact`, `--redact-env`, `--redact-file`, `--no-redact-builtin`, `--redact-hold`. */
export function addRedactOptions(cmd: Command, holdOption = true): Command {
  cmd
    .option(
      "--redact <regex>",
      "redact what matches (repeatable; capturing groups mark the secret part)",
      collect,
    )
    .option(
      "--redact-env <name>",
      "redact the value (and each line of it) of this environment variable (repeatable)",
      collect,
    )
    .option(
      "--redact-file <file>",
      "redact what matches the patterns in FILE, one per line",
      collect,
    )
    .option("--no-redact-builtin", "turn off the built-in detectors of secrets (on by default)");
  if (holdOption) {
    cmd.addOption(
      new Option(
        "--redact-hold <ms>",
        "hold text that may begin a secret at most this long (default 30)",
      ).argParser((text) => {
        const n = Number(text);
        if (!(n >= 0 && n <= 10_000)) throw new UsageError(`--redact-hold ${text}: 0 to 10000 ms`);
        return n;
      }),
    );
  }
  return cmd;
}

/**
 * The rules the flags (over the `[redact]` config) ask for; `undefined` when there are none
 * (built-ins off and no rule of the user's). `warn` is told about environment variables that
 * cannot be used.
 *
 * @throws {UsageError} naming a pattern that does not compile, or a file that cannot be read.
 */
export async function redactionFrom(
  flags: RedactFlags,
  config: RedactConfig = {},
  warn: (message: string) => void = () => {},
): Promise<Redaction | undefined> {
  const builtin = flags.redactBuiltin === false ? false : config.builtin ?? true;
  const specs: RuleSpec[] = builtin ? [...BUILTIN_RULES] : [];
  const patterns = [...(flags.redact ?? [])];
  if (config.pattern !== undefined) patterns.push(config.pattern);
  patterns.forEach((pattern, i) => specs.push({ name: `--redact #${i + 1}`, pattern }));
  const envNames = [...(flags.redactEnv ?? [])];
  if (config.env) envNames.push(...config.env.split(",").map((n) => n.trim()).filter(Boolean));
  const envSpecs = envRules(envNames, (name) => Deno.env.get(name), warn);
  specs.push(...envSpecs);
  const files = [...(flags.redactFile ?? [])];
  if (config.file !== undefined) files.push(config.file);
  let fromFiles = 0;
  for (const path of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      throw new UsageError(`--redact-file ${path}: ${(error as Error).message}`);
    }
    try {
      const rules = fileRules(path, text);
      fromFiles += rules.length;
      specs.push(...rules);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (specs.length === 0) return undefined;
  let rules: CompiledRules;
  try {
    rules = compileRules(specs);
  } catch (error) {
    if (error instanceof PatternError) throw new UsageError(error.message);
    throw error;
  }
  const parts: string[] = [];
  if (builtin) parts.push("built-in detectors (--no-redact-builtin turns them off)");
  if (patterns.length > 0) {
    parts.push(`${patterns.length} pattern${patterns.length > 1 ? "s" : ""}`);
  }
  if (fromFiles > 0) parts.push(`${fromFiles} from files`);
  const vars = new Set(envSpecs.map((s) => s.name)).size;
  if (vars > 0) parts.push(`${vars} variable${vars > 1 ? "s" : ""}`);
  return {
    rules,
    holdMs: flags.redactHold ?? config.holdMs ?? 30,
    summary: `Redacting secrets: ${parts.join(", ")}`,
  };
}
