/**
 * Large recordings for memory tests and benchmarks, written fast: one block of events that
 * looks like a real session is generated once (seeded) and written over and over. asciicast
 * v3 stores intervals, so repeated blocks are one valid recording on one timeline.
 *
 * @module
 */
import { mulberry32 } from "./_mulberry32.ts";

/** What {@linkcode writeBigCast} wrote. */
export interface BigCast {
  /** Bytes in the file. */
  bytes: number;
  /** Events in the file. */
  events: number;
  /** The text of the last line of output, found nowhere else. */
  lastLine: string;
}

const WORDS = ["src", "main.rs", "Cargo.toml", "README.md", "target", "tests", "lib", "index"];

/**
 * One block of a session (80x24 at first): typed commands echoed a key at a time, prompts,
 * coloured `ls` and compiler output, progress bars redrawn with `\r`, UTF-8 (box drawing,
 * emoji), bursts of output of up to 4 KiB per event, a full-screen program drawing with
 * cursor addressing on the alternate screen, a resize and back, and a marker.
 */
function _block(seed: number, targetBytes: number): { text: string; events: number } {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const line = (): string =>
    pick([
      () => `\x1b[0m\x1b[01;34m${pick(WORDS)}\x1b[0m  ${pick(WORDS)}  ${pick(WORDS)}\r\n`,
      () =>
        `   Compiling ${pick(WORDS)} v0.${Math.floor(random() * 9)}.0 (/home/u/${pick(WORDS)})\r\n`,
      () =>
        `│ ${pick(WORDS).padEnd(16)} │ ✔ ok │ ${(random() * 100).toFixed(2).padStart(7)} ms │\r\n`,
      () => "warning: unused variable: `x`\r\n --> src/main.rs:3:9\r\n",
      () => `INFO request served in ${Math.floor(random() * 900)} ms 🚀\r\n`,
    ])();
  const events: string[] = [];
  let bytes = 0;
  const add = (seconds: number, code: string, data: string) => {
    const text = `[${seconds.toFixed(3)}, "${code}", ${JSON.stringify(data)}]\n`;
    events.push(text);
    bytes += text.length;
  };
  while (bytes < targetBytes) {
    add(0.8, "o", "\r\n\x1b[1;32muser@host\x1b[0m:\x1b[1;34m~/project\x1b[0m$ ");
    for (const key of pick(["make test", "ls -la", "cargo build", "git status"])) {
      add(0.05 + random() * 0.1, "o", key);
    }
    add(0.2, "o", "\r\n");
    const burst = Math.floor(random() * 6);
    for (let i = 0; i < burst; i++) {
      let chunk = "";
      const size = 256 + random() * 3840;
      while (chunk.length < size) chunk += line();
      add(random() * 0.05, "o", chunk);
    }
    for (let p = 0; p <= 40; p += 8) {
      add(0.03, "o", `\r[${"#".repeat(p)}${" ".repeat(40 - p)}] ${Math.floor(p * 2.5)}%`);
    }
    if (random() < 0.2) {
      let screen = "\x1b[?1049h\x1b[H\x1b[2J";
      for (let row = 1; row <= 23; row++) screen += `\x1b[${row};1H~ ${line().trimEnd()}`;
      add(0.1, "o", screen + "\x1b[24;1H-- INSERT --");
      add(0.5, "o", "\x1b[5;3Hedited\x1b[K");
      add(0.5, "o", "\x1b[?1049l");
    }
    if (random() < 0.02) {
      add(0.1, "r", "100x30");
      add(0.1, "r", "80x24");
    }
    if (random() < 0.05) add(0.1, "m", "step");
  }
  return { text: events.join(""), events: events.length };
}

/**
 * Writes an asciicast v3 file of at least `bytes` bytes to `path`, ending with a line of
 * output found nowhere else.
 */
export async function writeBigCast(path: string, bytes: number): Promise<BigCast> {
  const header = JSON.stringify({
    version: 3,
    term: { cols: 80, rows: 24, type: "xterm-256color" },
    timestamp: 1700000000,
    env: { SHELL: "/bin/bash" },
  }) + "\n";
  const block = _block(7, 4 * 1024 * 1024);
  const encoded = new TextEncoder().encode(block.text);
  const lastLine = "the very last line of the big recording";
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  let written = await _writeAll(file, new TextEncoder().encode(header));
  let events = 0;
  while (written < bytes) {
    written += await _writeAll(file, encoded);
    events += block.events;
  }
  const tail = new TextEncoder().encode(`[0.5, "o", ${JSON.stringify(`\r\n${lastLine}\r\n`)}]\n`);
  written += await _writeAll(file, tail);
  return { bytes: written, events: events + 1, lastLine };
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<number> {
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  return bytes.length;
}
