/**
 * Asks the host terminal what it is and which colours it uses (XTVERSION, OSC 10/11, OSC 4 for
 * the 16 palette colours, then primary DA as the end marker), as asciinema does at the start of
 * a recording, and parses the replies.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";

/** What the terminal told about itself. */
export interface TerminalInfo {
  /** The XTVERSION reply, e.g. `"tmux 3.3a"`. */
  version?: string;
  /** Colours, when fg, bg and all 16 palette colours were answered. */
  theme?: Theme;
  /** Whether the end marker (the DA reply) arrived: if not, late replies may still come. */
  answered: boolean;
  /** Bytes read that were not replies (keys typed meanwhile), to forward as input. */
  input: Uint8Array;
}

/** The parts of a terminal that {@linkcode queryTerminal} needs. */
export interface QueryableTerminal {
  /** Writes to the terminal. */
  write(bytes: Uint8Array): void;
  /** The terminal's input (raw mode must be on). */
  readonly input: ReadableStream<Uint8Array>;
}

/** Options for {@linkcode queryTerminal}. */
export interface QueryTerminalOptions {
  /** Give up waiting after this many milliseconds. Default 1000. */
  timeoutMs?: number;
}

/** The query, written in one go. */
export function terminalQuery(): Uint8Array {
  let q = "\x1b[>0q\x1b]10;?\x1b\\\x1b]11;?\x1b\\";
  for (let i = 0; i < 16; i++) q += `\x1b]4;${i};?\x1b\\`;
  return new TextEncoder().encode(q + "\x1b[c");
}

/**
 * Whether the terminal should be queried, from the environment: not for `TERM` `dumb` or
 * `linux` (they do not answer), nor inside GNU screen (`STY`).
 */
export function shouldQueryTerminal(env: { get(name: string): string | undefined }): boolean {
  const term = env.get("TERM");
  return term !== "dumb" && term !== "linux" && !env.get("STY");
}

/**
 * Sends the query and collects the replies until the DA reply or the timeout. The terminal
 * must be in raw mode. Replies that come later must be discarded by the caller (see
 * {@linkcode stripQueryReplies}) when `answered` is false.
 *
 * @example
 * ```ts
 * import { HostTerminal } from "./host_terminal.ts";
 * import { queryTerminal } from "./query_terminal.ts";
 * using term = HostTerminal.open();
 * if (term) {
 *   term.setRaw(true);
 *   const info = await queryTerminal(term, { timeoutMs: 500 });
 *   console.log(info.version, info.theme?.bg);
 * }
 * ```
 */
export async function queryTerminal(
  term: QueryableTerminal,
  options: QueryTerminalOptions = {},
): Promise<TerminalInfo> {
  const parser = new ReplyParser();
  const reader = term.input.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), options.timeoutMs ?? 1000);
  });
  try {
    term.write(terminalQuery());
    while (!parser.done) {
      const result = await Promise.race([reader.read(), timeout]);
      if (result === "timeout" || result.done) break;
      parser.feed(result.value);
    }
  } finally {
    clearTimeout(timer);
    // A read still pending is rejected here; its data stays queued for the next reader.
    reader.releaseLock();
  }
  return parser.result();
}

/** Parses reply sequences out of terminal input. */
class ReplyParser {
  done = false;
  #pending: number[] = [];
  #input: number[] = [];
  #version: string | undefined;
  #fg: string | undefined;
  #bg: string | undefined;
  #palette: (string | undefined)[] = [];

  feed(bytes: Uint8Array): void {
    for (const b of bytes) this.#pending.push(b);
    for (;;) {
      const found = findReply(this.#pending, 0);
      if (found === undefined) {
        // Keep a possibly unfinished reply; pass everything before it on as input.
        const esc = this.#pending.indexOf(0x1b);
        const keep = esc === -1 ? this.#pending.length : esc;
        this.#input.push(...this.#pending.splice(0, keep));
        return;
      }
      this.#input.push(...this.#pending.splice(0, found.start));
      const body = this.#pending.splice(0, found.end - found.start);
      this.#handle(found.kind, body);
    }
  }

  #handle(kind: ReplyKind, seq: number[]): void {
    if (kind === "da") {
      this.done = true;
      return;
    }
    // The text between the introducer (ESC P / ESC ]) and the terminator (BEL or ESC \).
    const end = seq.at(-1) === 0x07 ? seq.length - 1 : seq.length - 2;
    const body = new TextDecoder().decode(new Uint8Array(seq.slice(2, end)));
    if (kind === "dcs") {
      if (body.startsWith(">|")) this.#version = body.slice(2);
      return;
    }
    const m = /^(\d+);(?:(\d+);)?(rgb:[0-9a-fA-F/]+)$/.exec(body);
    if (!m) return;
    const color = parseColor(m[3]!);
    if (color === undefined) return;
    if (m[1] === "10") this.#fg = color;
    else if (m[1] === "11") this.#bg = color;
    else if (m[1] === "4" && m[2] !== undefined && Number(m[2]) < 16) {
      this.#palette[Number(m[2])] = color;
    }
  }

  result(): TerminalInfo {
    // Unfinished bytes at the end are input (e.g. an arrow key) unless they begin a reply.
    const p = this.#pending;
    const partialReply = p[0] === 0x1b &&
      (p[1] === undefined || p[1] === 0x50 || p[1] === 0x5d || (p[1] === 0x5b && p[2] === 0x3f));
    const input = partialReply ? this.#input : [...this.#input, ...p];
    const info: TerminalInfo = { answered: this.done, input: new Uint8Array(input) };
    if (this.#version !== undefined) info.version = this.#version;
    const palette = Array.from({ length: 16 }, (_, i) => this.#palette[i]);
    if (this.#fg && this.#bg && palette.every((c) => c !== undefined)) {
      info.theme = { fg: this.#fg, bg: this.#bg, palette: palette as string[] };
    }
    return info;
  }
}

type ReplyKind = "da" | "dcs" | "osc";

/**
 * Finds the first complete reply sequence at or after `from`: DA (`CSI ? … c`), DCS
 * (`ESC P … ST`) or OSC (`ESC ] … ST|BEL`).
 */
function findReply(
  bytes: ArrayLike<number>,
  from: number,
): { kind: ReplyKind; start: number; end: number } | undefined {
  for (let i = from; i < bytes.length - 1; i++) {
    if (bytes[i] !== 0x1b) continue;
    const next = bytes[i + 1];
    if (next === 0x5b /* [ */ && bytes[i + 2] === 0x3f /* ? */) {
      let j = i + 3;
      while (j < bytes.length && isDaParam(bytes[j]!)) j++;
      if (j < bytes.length && bytes[j] === 0x63 /* c */) {
        return { kind: "da", start: i, end: j + 1 };
      }
      continue;
    }
    if (next === 0x50 /* P */ || next === 0x5d /* ] */) {
      for (let j = i + 2; j < bytes.length; j++) {
        if (bytes[j] === 0x07) return { kind: next === 0x50 ? "dcs" : "osc", start: i, end: j + 1 };
        if (bytes[j] === 0x1b && bytes[j + 1] === 0x5c) {
          return { kind: next === 0x50 ? "dcs" : "osc", start: i, end: j + 2 };
        }
        if (bytes[j] === 0x1b) break;
      }
    }
  }
  return undefined;
}

function isDaParam(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x3b;
}

/** `rgb:R/G/B` with 1–4 hex digits per part → `#rrggbb` (the first two digits of each). */
function parseColor(spec: string): string | undefined {
  const m = /^rgb:([0-9a-f]{1,4})\/([0-9a-f]{1,4})\/([0-9a-f]{1,4})$/i.exec(spec);
  if (!m) return undefined;
  const part = (p: string) => (p.length === 1 ? p + p : p.slice(0, 2)).toLowerCase();
  return `#${part(m[1]!)}${part(m[2]!)}${part(m[3]!)}`;
}

/**
 * Removes complete terminal-reply sequences (DA, DCS, OSC colour replies) from input, for
 * replies that arrive after {@linkcode queryTerminal} gave up waiting.
 *
 * @example
 * ```ts
 * import { stripQueryReplies } from "./query_terminal.ts";
 * stripQueryReplies(new TextEncoder().encode("a\x1b[?62;22cb")); // "ab" as bytes
 * ```
 */
export function stripQueryReplies(bytes: Uint8Array): Uint8Array {
  let found = findReply(bytes, 0);
  if (found === undefined) return bytes;
  const out: number[] = [];
  let pos = 0;
  while (found !== undefined) {
    for (let i = pos; i < found.start; i++) out.push(bytes[i]!);
    pos = found.end;
    found = findReply(bytes, pos);
  }
  for (let i = pos; i < bytes.length; i++) out.push(bytes[i]!);
  return new Uint8Array(out);
}
