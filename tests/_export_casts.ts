/**
 * Recordings for the export tests and benchmarks, generated from a seed: a typing demo (a
 * prompt, commands typed key by key, coloured output that scrolls), a recording whose whole
 * screen changes every frame, and a glyph-coverage screen.
 *
 * @module
 */
import { mulberry32 } from "./_mulberry32.ts";

const PROMPT = "\x1b[1;32muser@host\x1b[0m:\x1b[1;34m~/demo\x1b[0m$ ";

const OUTPUTS: Record<string, string[]> = {
  "ls -la": [
    "total 48",
    "drwxr-xr-x  5 user user 4096 Mar  3 10:12 \x1b[1;34m.\x1b[0m",
    "drwxr-xr-x 40 user user 4096 Mar  3 09:58 \x1b[1;34m..\x1b[0m",
    "-rw-r--r--  1 user user  220 Mar  3 10:01 .gitignore",
    "-rw-r--r--  1 user user 1067 Mar  3 10:01 LICENSE",
    "-rw-r--r--  1 user user 2481 Mar  3 10:11 README.md",
    "-rwxr-xr-x  1 user user 8312 Mar  3 10:12 \x1b[1;32mbuild.sh\x1b[0m",
    "drwxr-xr-x  2 user user 4096 Mar  3 10:05 \x1b[1;34msrc\x1b[0m",
    "drwxr-xr-x  2 user user 4096 Mar  3 10:05 \x1b[1;34mtests\x1b[0m",
  ],
  "git status": [
    "On branch \x1b[1mmain\x1b[0m",
    "Changes not staged for commit:",
    '  (use "git add <file>..." to update what will be committed)',
    "\t\x1b[31mmodified:   src/main.ts\x1b[0m",
    "\t\x1b[31mmodified:   README.md\x1b[0m",
    "",
    'no changes added to commit (use "git add" and/or "git commit -a")',
  ],
  "make test": [
    "deno test --allow-all",
    "running 12 tests from ./tests/main_test.ts",
    "parses the header ... \x1b[32mok\x1b[0m \x1b[2m(3ms)\x1b[0m",
    "reads every event ... \x1b[32mok\x1b[0m \x1b[2m(12ms)\x1b[0m",
    "rejects a bad line ... \x1b[32mok\x1b[0m \x1b[2m(1ms)\x1b[0m",
    "",
    "\x1b[32mok\x1b[0m | 12 passed | 0 failed \x1b[2m(340ms)\x1b[0m",
  ],
  "cat src/main.ts": [
    '\x1b[35mimport\x1b[0m { parse } \x1b[35mfrom\x1b[0m \x1b[32m"./parse.ts"\x1b[0m;',
    "",
    "\x1b[35mexport function\x1b[0m \x1b[33mmain\x1b[0m(args: \x1b[36mstring\x1b[0m[]) {",
    "  \x1b[35mconst\x1b[0m options = parse(args);",
    "  \x1b[35mreturn\x1b[0m run(options);",
    "}",
  ],
};

/**
 * An asciicast v2 typing demo of about `seconds` at `cols` × `rows`: commands typed at
 * 60–180 ms per key, each followed by its output, the prompt coming back.
 *
 * @example
 * ```ts
 * import { typingDemo } from "./_export_casts.ts";
 * const cast = typingDemo({ seconds: 10 });
 * cast.startsWith('{"version": 2'); // true
 * ```
 */
export function typingDemo(
  options: { seconds?: number; cols?: number; rows?: number; seed?: number } = {},
): string {
  const { seconds = 10, cols = 80, rows = 24, seed = 7 } = options;
  const random = mulberry32(seed);
  const lines = [`{"version": 2, "width": ${cols}, "height": ${rows}, "timestamp": 1700000000}`];
  let t = 0.2;
  const out = (data: string) => lines.push(`[${t.toFixed(6)}, "o", ${JSON.stringify(data)}]`);
  out(PROMPT);
  const commands = Object.keys(OUTPUTS);
  for (let k = 0; t < seconds - 0.5; k++) {
    const command = commands[k % commands.length]!;
    t += 0.6;
    for (const ch of command) {
      if (t > seconds - 0.3) break;
      out(ch);
      t += 0.06 + random() * 0.12;
    }
    t += 0.3;
    out("\r\n" + OUTPUTS[command]!.join("\r\n") + "\r\n" + PROMPT);
  }
  return lines.join("\n") + "\n";
}

/**
 * An asciicast v2 recording of `frames` screens `interval` seconds apart, each filling the
 * whole `cols` × `rows` screen with new random coloured text.
 *
 * @example
 * ```ts
 * import { fullScreenChanges } from "./_export_casts.ts";
 * const cast = fullScreenChanges({ frames: 3 });
 * cast.split("\n").length; // 5: header, three events, and the empty last line
 * ```
 */
export function fullScreenChanges(
  options: { frames?: number; cols?: number; rows?: number; interval?: number; seed?: number } = {},
): string {
  const { frames = 100, cols = 80, rows = 24, interval = 0.05, seed = 3 } = options;
  const random = mulberry32(seed);
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 .,;:-_=+()[]{}";
  const lines = [`{"version": 2, "width": ${cols}, "height": ${rows}}`];
  for (let i = 0; i < frames; i++) {
    let screen = "\x1b[H";
    for (let y = 0; y < rows; y++) {
      screen += `\x1b[3${(y + i) % 8}m`;
      for (let x = 0; x < cols; x++) screen += alphabet[Math.floor(random() * alphabet.length)];
      if (y < rows - 1) screen += "\r\n";
    }
    lines.push(`[${(i * interval).toFixed(6)}, "o", ${JSON.stringify(screen + "\x1b[0m")}]`);
  }
  return lines.join("\n") + "\n";
}

/** Characters of every kind a terminal shows, one kind per line (the font lacks CJK, emoji). */
export const COVERAGE_LINES: readonly string[] = [
  "ASCII  The quick brown fox jumps over the lazy dog 0123456789 !@#$%^&*()",
  "Latin  café naïve Ångström ß œ ø ł ž  Greek αβγδ ΩΣ  Cyrillic жизнь Щ",
  "Box    ┌─┬─┐ ╔═╦═╗ ┏━┳━┓ ╭─╮ ├─┼─┤ ╠═╬═╣ ┣━╋━┫ │ ║ ┃ ╰─╯ └─┴─┘ ╚═╩═╝ ┗━┻━┛ ╱╲╳ ┄┅┆",
  "Blocks ▀▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐░▒▓▔▕▖▗▘▙▚▛▜▝▞▟",
  "Braille ⠁⠃⠇⡇⣇⣧⣷⣿ ⠿⢿⣻⣽ ⡀⢀⠈⠐",
  "Power  \ue0b0\ue0b1\ue0b2\ue0b3\ue0b4\ue0b5\ue0b6\ue0b7\ue0b8\ue0ba\ue0bc\ue0be",
  "Marks  e\u0301 a\u0300 o\u0308 n\u0303 c\u0327 q\u0307",
  "Symbols → ← ↑ ↓ ✓ ✗ • … « » ½ ° ± × ÷ € £ ¥ © ®",
  "CJK    中文字 日本語 한국어",
  "Emoji  \u{1f600} \u{1f680} \u{1f44d}",
];

/** A v2 recording that prints {@linkcode COVERAGE_LINES} (bold and italic too). */
export function coverageCast(): string {
  const lines = [`{"version": 2, "width": 100, "height": 14}`];
  const text = COVERAGE_LINES.join("\r\n") +
    "\r\n\x1b[1mBold ┼ ▌ ⣿\x1b[0m \x1b[3mItalic ┼\x1b[0m\r\n";
  lines.push(`[0.1, "o", ${JSON.stringify(text)}]`);
  return lines.join("\n") + "\n";
}
