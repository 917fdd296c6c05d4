/**
 * Redaction rules: the built-in detectors of high-confidence secrets, and the rules users
 * add (patterns, environment variables whose values are secret, files of patterns),
 * compiled once into what the redactors run.
 *
 * @module
 */
import { compilePattern, PatternError, type Program, triggerOf } from "./pattern.ts";

/** One rule before compiling. */
export interface RuleSpec {
  /** How reports name it (`github-token`, `--redact #2`, `env:API_TOKEN`). */
  name: string;
  /** The pattern (see `pattern.ts` for the syntax). */
  pattern: string;
  /**
   * `secret` (default): matches are redacted. `block-begin`/`block-end`: everything visible
   * between a match of the first and the next match of the second is redacted (a private
   * key's body), as it arrives.
   */
  kind?: "secret" | "block-begin" | "block-end";
}

/** Rules ready to run. */
export interface CompiledRules {
  /** Each rule's name and kind, by index. */
  rules: { name: string; kind: "secret" | "block-begin" | "block-end" }[];
  /** Each rule's program, by the same index. */
  programs: Program[];
  /**
   * Finds (with `lastIndex`) the next place where a match may begin, or a control character
   * (escape sequences): text before it cannot hold a secret and passes unexamined.
   */
  trigger: RegExp;
  /** The longest trigger: this much of a chunk's end may begin one that the next completes. */
  longest: number;
}

/** The built-in detectors: secrets with a recognisable form, so that false matches are rare. */
export const BUILTIN_RULES: readonly RuleSpec[] = [
  {
    name: "private-key",
    pattern: "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",
    kind: "block-begin",
  },
  {
    name: "private-key",
    pattern: "-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----",
    kind: "block-end",
  },
  { name: "aws-access-key-id", pattern: "\\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\\b" },
  {
    // The secret key beside its id, as `aws configure`, CSV exports and credential files show them.
    name: "aws-secret-access-key",
    pattern:
      "(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}[\"']?[ \\t,;:|=]+[\"']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)",
  },
  {
    name: "aws-secret-access-key",
    pattern:
      "(?i)aws_?secret_?access_?key[\"']?[ \\t]*[=:][ \\t]*[\"']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)",
  },
  { name: "github-token", pattern: "\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\\b" },
  { name: "github-token", pattern: "\\bgithub_pat_[A-Za-z0-9_]{82}\\b" },
  { name: "gitlab-token", pattern: "\\bglpat-[A-Za-z0-9_-]{20}" },
  { name: "slack-token", pattern: "\\bxox[abposr]-[A-Za-z0-9-]{10,}" },
  {
    name: "slack-webhook",
    pattern: "https://hooks\\.slack\\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+",
  },
  { name: "stripe-key", pattern: "\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}" },
  { name: "npm-token", pattern: "\\bnpm_[A-Za-z0-9]{36}\\b" },
  {
    name: "jwt",
    pattern: "\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}",
  },
  {
    // `password=…` and `password: …` (the value only; the word stays).
    name: "password-assignment",
    pattern:
      "(?i)\\b(?:password|passwd|passphrase)[ \\t]*[=:][ \\t]*(\"[^\"\\r\\n]+\"|'[^'\\r\\n]+'|[^\\s\"'][^\\s]*)",
  },
  {
    name: "secret-assignment",
    pattern:
      "(?i)\\b(?:secret|token|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)[ \\t]*=[ \\t]*(\"[^\"\\r\\n]+\"|'[^'\\r\\n]+'|[^\\s\"'][^\\s]*)",
  },
];

/** Escapes text for use as a literal pattern. */
export function literalPattern(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|\/-]/g, "\\$&");
}

/** Secrets shorter than this are not taken from the environment (they would match everywhere). */
export const MIN_LITERAL = 4;

/**
 * Rules for the values of environment variables: each value is a literal secret, and so is
 * each of its lines (a multi-line value, such as a key, shows up a line at a time).
 * `warn` is told about variables that are unset or too short to redact safely.
 *
 * @example
 * ```ts
 * import { envRules } from "./rules.ts";
 * envRules(["TOKEN"], (n) => ({ TOKEN: "s3cr3t-value" })[n]); // [{ name: "env:TOKEN", pattern: "s3cr3t\\-value" }]
 * ```
 */
export function envRules(
  names: readonly string[],
  lookup: (name: string) => string | undefined,
  warn: (message: string) => void = () => {},
): RuleSpec[] {
  const specs: RuleSpec[] = [];
  for (const name of names) {
    const value = lookup(name);
    if (value === undefined || value === "") {
      warn(`--redact-env ${name}: the variable is not set; nothing to redact`);
      continue;
    }
    const pieces = new Set([value, ...value.split(/\r?\n/)]);
    for (const piece of pieces) {
      const text = piece.trim();
      if (text.length < MIN_LITERAL) {
        if (piece === value) {
          warn(
            `--redact-env ${name}: values shorter than ${MIN_LITERAL} characters are not redacted`,
          );
        }
        continue;
      }
      specs.push({ name: `env:${name}`, pattern: literalPattern(text) });
    }
  }
  return specs;
}

/**
 * Rules from the text of a rules file: one pattern per line; blank lines and lines starting
 * with `#` are skipped.
 *
 * @throws {PatternError} naming the file and line of a pattern that does not compile.
 */
export function fileRules(path: string, text: string): RuleSpec[] {
  const specs: RuleSpec[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const pattern = line.trim();
    if (pattern === "" || pattern.startsWith("#")) continue;
    try {
      compilePattern(pattern);
    } catch (error) {
      throw new PatternError(pattern, `${path}:${i + 1}: ${(error as Error).message}`);
    }
    specs.push({ name: `${path}:${i + 1}`, pattern });
  }
  return specs;
}

/**
 * Compiles rules.
 *
 * @throws {PatternError} for a pattern that does not compile.
 * @example
 * ```ts
 * import { BUILTIN_RULES, compileRules } from "./rules.ts";
 * const rules = compileRules(BUILTIN_RULES);
 * rules.programs.length === BUILTIN_RULES.length; // true
 * ```
 */
export function compileRules(specs: readonly RuleSpec[]): CompiledRules {
  const programs = specs.map((spec) => compilePattern(spec.pattern));
  const triggers = programs.map(triggerOf);
  // Control characters (escape sequences) always stop the skipping: the scanner must see them.
  const controls = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f";
  // The lookahead of first characters lets the search pass over most text without trying
  // each alternative (about 1.4× faster on digits, the same on prose).
  const first = `(?=[${controls}${triggers.map((t) => t.first).join("")}])`;
  const source = `${first}(?:${[`[${controls}]`, ...triggers.map((t) => t.source)].join("|")})`;
  return {
    rules: specs.map((s) => ({ name: s.name, kind: s.kind ?? "secret" })),
    programs,
    trigger: new RegExp(source, "gu"),
    longest: Math.max(1, ...triggers.map((t) => t.longest)),
  };
}
