/**
 * Golden text (`Output demo.txt` / `demo.ascii`), as VHS writes it: after every command that
 * runs while recording, the screen, one line per row with trailing whitespace trimmed, then a
 * line of 80 `─` (U+2500). Projects commit these files and compare them in CI; here they are
 * written, and compared with a readable diff naming the command after which the screens
 * first differ.
 *
 * Unlike VHS (its issue #657), the rows are the visible screen even after output has
 * scrolled, so the file shows what a viewer saw.
 *
 * @module
 */
import { lineText, type Screen } from "../vt/screen.ts";

/** The line that ends each screen. */
export const GOLDEN_SEPARATOR: string = "─".repeat(80);

/**
 * One screen of golden text: every row (trailing whitespace trimmed), then the separator,
 * each line ending in `\n`.
 *
 * @example
 * ```ts
 * import { goldenFrame } from "./golden.ts";
 * import { Vt } from "../vt/vt.ts";
 * using vt = new Vt(10, 2, { sync: true });
 * vt.feed("> ls");
 * goldenFrame(vt.screen()); // "> ls\n\n" + "─".repeat(80) + "\n"
 * ```
 */
export function goldenFrame(screen: Screen): string {
  let out = "";
  for (const line of screen.lines) out += lineText(line).trimEnd() + "\n";
  return out + GOLDEN_SEPARATOR + "\n";
}

/**
 * Splits golden text into its screens (each without its separator line, as an array of
 * rows). Text after the last separator, if any, is a last screen of its own.
 *
 * @example
 * ```ts
 * import { GOLDEN_SEPARATOR, splitGolden } from "./golden.ts";
 * splitGolden(`a\nb\n${GOLDEN_SEPARATOR}\nc\n\n${GOLDEN_SEPARATOR}\n`); // [["a", "b"], ["c", ""]]
 * ```
 */
export function splitGolden(text: string): string[][] {
  const frames: string[][] = [];
  let rows: string[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    if (line === GOLDEN_SEPARATOR) {
      frames.push(rows);
      rows = [];
    } else rows.push(line);
  }
  if (rows.length > 0) frames.push(rows);
  return frames;
}

/** Where two golden texts first differ. */
export interface GoldenDifference {
  /** Index of the first screen that differs (or that one of them lacks). */
  index: number;
  /** That screen in the expected text (undefined: the expected text has fewer screens). */
  expected?: string[];
  /** That screen in this run (undefined: this run has fewer screens). */
  actual?: string[];
  /** Screens in the expected text. */
  expectedCount: number;
  /** Screens in this run. */
  actualCount: number;
}

/**
 * The first screen where `actual` differs from `expected`; undefined when they are the same.
 *
 * @example
 * ```ts
 * import { compareGolden } from "./golden.ts";
 * compareGolden([["> ls"]], [["> ls"]]); // undefined
 * compareGolden([["> ls"]], [["> lx"]])?.index; // 0
 * ```
 */
export function compareGolden(
  expected: readonly string[][],
  actual: readonly string[][],
): GoldenDifference | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const a = expected[i];
    const b = actual[i];
    if (a && b && a.length === b.length && a.every((line, j) => line === b[j])) continue;
    const difference: GoldenDifference = {
      index: i,
      expectedCount: expected.length,
      actualCount: actual.length,
    };
    if (a) difference.expected = a;
    if (b) difference.actual = b;
    return difference;
  }
  return undefined;
}

/**
 * The rows of two screens as a line diff: `  ` same, `- ` expected, `+ ` this run; rows
 * empty in both after the last text are left out.
 *
 * @example
 * ```ts
 * import { screenDiff } from "./golden.ts";
 * screenDiff(["> echo hello", "hello"], ["> echo hello", "hallo"]);
 * // ["  > echo hello", "- hello", "+ hallo"]
 * ```
 */
export function screenDiff(expected: readonly string[], actual: readonly string[]): string[] {
  let rows = Math.max(expected.length, actual.length);
  while (rows > 0 && !expected[rows - 1] && !actual[rows - 1]) rows--;
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = expected[i];
    const b = actual[i];
    if (a === b) out.push(`  ${a}`);
    else {
      if (a !== undefined) out.push(`- ${a}`);
      if (b !== undefined) out.push(`+ ${b}`);
    }
  }
  return out;
}
