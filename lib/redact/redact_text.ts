/**
 * Redacting a whole piece of text at once: header fields (title, command, captured
 * environment), a producer's Init screen, anything that is not a stream.
 *
 * @module
 */
import type { CompiledRules } from "./rules.ts";
import { type FoundSecret, type TextKind, TextRedactor } from "./text_redactor.ts";

/**
 * `text` with its secrets redacted; `kind` says whether it is terminal output (escape
 * sequences understood) or plain text.
 *
 * @example
 * ```ts
 * import { BUILTIN_RULES, compileRules } from "./rules.ts";
 * import { redactText } from "./redact_text.ts";
 * redactText(compileRules(BUILTIN_RULES), "password=hunter2", "input"); // "password=*******"
 * ```
 */
export function redactText(
  rules: CompiledRules,
  text: string,
  kind: TextKind,
  onFound?: (found: FoundSecret) => void,
): string {
  const redactor = new TextRedactor(rules, kind, onFound);
  redactor.append(text);
  redactor.finish();
  return redactor.take(redactor.end);
}
