/**
 * Wait patterns: tapes write Go (RE2) regular expressions; JavaScript's cover the common
 * subset. The few RE2 spellings JavaScript lacks are translated: leading flags `(?i)`,
 * `(?s)`, `(?m)`, named groups `(?P<name>…)`, and the text anchors `\A` and `\z`.
 *
 * @module
 */

/**
 * Compiles a tape's regular expression.
 *
 * @throws {SyntaxError} with the reason when it is not a valid pattern.
 *
 * @example
 * ```ts
 * import { compilePattern } from "./pattern.ts";
 * compilePattern("(?i)done$").test("DONE"); // true
 * ```
 */
export function compilePattern(source: string): RegExp {
  let body = source;
  let flags = "";
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead) {
    for (const flag of lead[1]!) {
      if (flag === "i" || flag === "m" || flag === "s") {
        if (!flags.includes(flag)) flags += flag;
      } else {
        throw new SyntaxError(`the flag (?${flag}) is not supported (only i, m and s are)`);
      }
    }
    body = body.slice(lead[0].length);
  }
  body = body.replace(/\(\?P</g, "(?<");
  body = body.replace(/(^|[^\\])((?:\\\\)*)\\A/g, "$1$2^").replace(
    /(^|[^\\])((?:\\\\)*)\\z/g,
    "$1$2$",
  );
  try {
    return new RegExp(body, flags);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, "");
    throw new SyntaxError(reason);
  }
}
