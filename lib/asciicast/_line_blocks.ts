/**
 * Splits a byte stream into blocks of complete lines, decoded as UTF-8: lines are found on
 * bytes (`\n` never occurs inside a UTF-8 sequence), and each block of complete lines is
 * decoded in one call of one fatal `TextDecoder`, so invalid UTF-8 is caught and pinned to
 * its line. Memory stays at one buffer (1 MiB, or the longest line) whatever the input size.
 *
 * @module
 */

/** Something bytes can be read from: a file, stdin, an HTTP body. */
export interface ByteSource {
  /** Reads into `into`; the number of bytes read, or null at the end. */
  read(into: Uint8Array): Promise<number | null>;
  /** Releases the source; idempotent. */
  close(): void;
  /**
   * Reading ahead is safe and useful (a regular file: the next read runs on another thread
   * while the current block is parsed). Not for stdin, where a read may wait forever.
   */
  prefetch?: boolean;
}

/** One block of lines. */
export interface LineBlock {
  /**
   * Complete lines, each ending in `\n`; for the final block, the last line, which has no
   * `\n` (possibly cut off, even in the middle of a UTF-8 sequence).
   */
  text: string;
  /** This is the last line of the input, which did not end in a newline. */
  final: boolean;
  /** The line right after `text` is not valid UTF-8; no further block follows. */
  invalidUtf8?: boolean;
}

const READ_SIZE = 1 << 20;
// Blocks are decoded in pieces this small so that their strings (up to twice as many bytes
// as UTF-16) stay out of V8's large-object space, which only a full GC frees.
const BLOCK_BYTES = 24 * 1024;
/** No asciicast line is this long; a file that has one is not a recording. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;
const NL = 10;

/** Reads blocks of lines from a {@linkcode ByteSource}. */
export class _LineBlockReader {
  #source: ByteSource;
  #buf = new Uint8Array(2 * READ_SIZE);
  #readBuf = new Uint8Array(READ_SIZE);
  #ahead: Promise<number | null> | undefined;
  #start = 0;
  #end = 0;
  #eof = false;
  #done = false;
  #decoder = new TextDecoder("utf-8", { fatal: true });
  #checkAbort: () => void;

  constructor(source: ByteSource, checkAbort: () => void = () => {}) {
    this.#source = source;
    this.#checkAbort = checkAbort;
  }

  /** The next block, or null at the end of the input. */
  async next(): Promise<LineBlock | null> {
    if (this.#done) return null;
    for (;;) {
      let nl = -1;
      if (this.#end > this.#start) {
        const limit = Math.min(this.#end, this.#start + BLOCK_BYTES);
        nl = this.#buf.lastIndexOf(NL, limit - 1);
        if (nl < this.#start && limit < this.#end) {
          // Only the filled part: beyond #end the buffer holds stale bytes of earlier reads.
          const i = this.#buf.subarray(limit, this.#end).indexOf(NL);
          nl = i === -1 ? -1 : limit + i;
        }
      }
      if (nl >= this.#start) {
        const bytes = this.#buf.subarray(this.#start, nl + 1);
        this.#start = nl + 1;
        return this.#decodeLines(bytes);
      }
      if (this.#eof) {
        this.#done = true;
        if (this.#start === this.#end) return null;
        return this.#decodeFinal(this.#buf.subarray(this.#start, this.#end));
      }
      await this.#fill();
    }
  }

  /** Releases the source, after a read ahead in flight has finished. */
  async close(): Promise<void> {
    this.#done = true;
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead) await ahead.catch(() => null);
    this.#source.close();
  }

  async #fill(): Promise<void> {
    this.#checkAbort();
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end >= MAX_LINE_BYTES) {
      throw new SyntaxError(`a line is longer than ${MAX_LINE_BYTES >> 20} MiB`);
    }
    const pending = this.#ahead ?? this.#source.read(this.#readBuf);
    this.#ahead = undefined;
    const n = await pending;
    if (n === null) {
      this.#eof = true;
      return;
    }
    if (this.#buf.length - this.#end < n) {
      const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#end + n));
      bigger.set(this.#buf.subarray(0, this.#end));
      this.#buf = bigger;
    }
    this.#buf.set(this.#readBuf.subarray(0, n), this.#end);
    this.#end += n;
    if (this.#source.prefetch) this.#ahead = this.#source.read(this.#readBuf);
  }

  #decodeLines(bytes: Uint8Array): LineBlock {
    try {
      return { text: this.#decoder.decode(bytes), final: false };
    } catch {
      this.#done = true;
      const bad = _firstInvalidUtf8(bytes);
      const lineStart = bytes.lastIndexOf(NL, bad) + 1;
      const text = lineStart > 0 ? this.#decoder.decode(bytes.subarray(0, lineStart)) : "";
      return { text, final: false, invalidUtf8: true };
    }
  }

  #decodeFinal(bytes: Uint8Array): LineBlock {
    try {
      return { text: this.#decoder.decode(bytes), final: true };
    } catch {
      // Cut off inside a multi-byte character (a recorder killed mid-write) is a truncated
      // line, not corrupt data: decode what is complete.
      if (_firstInvalidUtf8(bytes) === bytes.length) {
        const text = new TextDecoder("utf-8").decode(bytes).replace(/\uFFFD+$/, "");
        return { text, final: true };
      }
      return { text: "", final: true, invalidUtf8: true };
    }
  }
}

/**
 * The offset of the first byte that starts an invalid UTF-8 sequence; `bytes.length` when
 * the only problem is a sequence cut off at the end; -1 when all is valid.
 */
export function _firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return n;
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
