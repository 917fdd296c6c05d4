/**
 * Compressed recordings on the way in: recognises gzip and zstd data by their magic bytes
 * (never by a file name) and decompresses a {@linkcode ByteSource} as it is read, in
 * constant memory.
 *
 * Both formats may be a series of members (gzip) or frames (zstd): a crash-safe recorder
 * finishes one at every flush, so all of them are read. Data cut off inside the last one (a
 * recorder killed mid-write, a partial download) is read as far as it goes, with a warning,
 * like a cut-off last line; anything else that is not valid data is an error.
 *
 * Decoding uses `node:zlib`, built into Deno, which has gzip and zstd. (The web
 * `DecompressionStream` has no zstd, and its gzip fails after the first member.)
 *
 * @module
 */
import type { ByteSource } from "./_line_blocks.ts";

type _Zlib = typeof import("node:zlib");
let zlib: _Zlib | undefined;

/**
 * `node:zlib`, loaded on first use: reading a plain recording (and starting `rec`) must not
 * pay for Node's compatibility layer.
 */
async function _zlib(): Promise<_Zlib> {
  return zlib ??= await import("node:zlib");
}

/** A compression format asciirec reads and writes. */
export type Compression = "gzip" | "zstd";

/** What {@linkcode openDecompressed} found and wraps. */
export interface DecompressedSource {
  /** The decompressed bytes (the source itself when it was not compressed). */
  source: ByteSource;
  /** The compressions found, outermost first (more than one for, say, a gzip file sent with `Content-Encoding: zstd`); empty for plain data. */
  compressions: Compression[];
}

/** Options for {@linkcode decompressSource} and {@linkcode openDecompressed}. */
export interface DecompressOptions {
  /** The source's name, for messages. Default "input". */
  name?: string;
  /** Receives the warning about cut-off data. Default: ignore it. */
  onWarning?: (message: string) => void;
}

const READ_SIZE = 64 * 1024;
/** Nested compressions unwrapped at most (a zstd-encoded download of a `.cast.gz` is two). */
const MAX_LAYERS = 3;

/**
 * The compression whose magic bytes `head` starts with: `1f 8b` is gzip, `28 b5 2f fd` is
 * zstd; undefined for anything else (an asciicast file starts with `{`).
 *
 * @example
 * ```ts
 * import { sniffCompression } from "./decompress.ts";
 * sniffCompression(new Uint8Array([0x1f, 0x8b, 8, 0])); // "gzip"
 * sniffCompression(new TextEncoder().encode('{"version":3}')); // undefined
 * ```
 */
export function sniffCompression(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (
    head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f &&
    head[3] === 0xfd
  ) return "zstd";
  return undefined;
}

/**
 * Looks at the first bytes of `source` and, while they are gzip or zstd, wraps it in a
 * decompressor; nothing read is lost. For plain data the result reads exactly what
 * `source` would have.
 *
 * @example
 * ```ts
 * import { gzipSync } from "node:zlib";
 * import { openDecompressed } from "./decompress.ts";
 * const packed = gzipSync(new TextEncoder().encode("hello\n"));
 * let sent = false;
 * const { source, compressions } = await openDecompressed({
 *   read(into) {
 *     if (sent) return Promise.resolve(null);
 *     sent = true;
 *     into.set(packed);
 *     return Promise.resolve(packed.length);
 *   },
 *   close() {},
 * });
 * compressions; // ["gzip"]
 * const into = new Uint8Array(64);
 * const n = await source.read(into); // 6: "hello\n"
 * ```
 */
export async function openDecompressed(
  source: ByteSource,
  options: DecompressOptions = {},
): Promise<DecompressedSource> {
  const compressions: Compression[] = [];
  let current = source;
  try {
    for (;;) {
      const peeked = await _peek(current, 4);
      current = peeked.source;
      const compression = sniffCompression(peeked.head);
      if (compression === undefined || compressions.length === MAX_LAYERS) break;
      compressions.push(compression);
      await _zlib();
      current = decompressSource(current, compression, options);
    }
  } catch (error) {
    current.close();
    throw error;
  }
  return { source: current, compressions };
}

/**
 * Wraps `source`, which holds `compression` data, in a source of the decompressed bytes.
 * Every gzip member and zstd frame is read; data cut off inside the last one is read as far
 * as it goes and reported to `onWarning`; other bad data fails the read with a
 * `SyntaxError`. Closing the result closes `source`.
 *
 * @example
 * ```ts
 * import { zstdCompressSync } from "node:zlib";
 * import { decompressSource } from "./decompress.ts";
 * const packed = zstdCompressSync(new TextEncoder().encode("hi\n"));
 * let sent = false;
 * const source = decompressSource({
 *   read(into) {
 *     if (sent) return Promise.resolve(null);
 *     sent = true;
 *     into.set(packed);
 *     return Promise.resolve(packed.length);
 *   },
 *   close() {},
 * }, "zstd");
 * await source.read(new Uint8Array(16)); // 3
 * ```
 */
export function decompressSource(
  source: ByteSource,
  compression: Compression,
  options: DecompressOptions = {},
): ByteSource {
  return new _Decompressor(source, compression, options);
}

/**
 * Reads at least `n` bytes from the start of `source` (fewer only if it is shorter); the
 * returned source reads them again. Reads are of a usual size, not of `n` bytes.
 */
async function _peek(
  source: ByteSource,
  n: number,
): Promise<{ head: Uint8Array; source: ByteSource }> {
  const buffer = new Uint8Array(64 * 1024);
  let got = 0;
  while (got < n) {
    const read = await source.read(buffer.subarray(got));
    if (read === null) break;
    got += read;
  }
  let pending = buffer.subarray(0, got);
  return {
    head: pending.subarray(0, n),
    source: {
      prefetch: source.prefetch,
      read(into) {
        if (pending.length === 0) return source.read(into);
        const k = Math.min(into.length, pending.length);
        into.set(pending.subarray(0, k));
        pending = pending.subarray(k);
        return Promise.resolve(k);
      },
      close: () => source.close(),
    },
  };
}

/** The part of a `node:zlib` stream's native handle this module steps by hand. */
interface _ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  onerror: (message: string, errno: number) => void;
}

/** `zlib.h`'s Z_BUF_ERROR: the input ended inside a gzip member. */
const Z_BUF_ERROR = -5;

/**
 * A decompressing {@linkcode ByteSource}. It steps the native decoder of a `node:zlib`
 * stream synchronously (`_handle.writeSync`, what `zlib.gunzipSync` itself does), straight
 * into the reader's buffer: no output chunk is allocated, so memory stays flat even for data
 * that expands a thousandfold, and each read decodes only as much as it returns.
 */
class _Decompressor implements ByteSource {
  readonly prefetch: boolean;
  #inner: ByteSource;
  #compression: Compression;
  #name: string;
  #warn: (message: string) => void;
  #stream: { close(): void } | undefined;
  #handle!: _ZlibHandle;
  #state!: Uint32Array;
  #continueFlag = 0;
  #finishFlag = 0;
  #error: { message: string; errno: number } | undefined;
  #frames: _ZstdFrames | undefined;
  #input = new Uint8Array(READ_SIZE);
  #inOff = 0;
  #inLen = 0;
  #eof = false;
  #done = false;
  #closed = false;
  /** Compressed bytes read so far. */
  #consumed = 0;

  constructor(inner: ByteSource, compression: Compression, options: DecompressOptions) {
    this.#inner = inner;
    this.prefetch = inner.prefetch ?? false;
    this.#compression = compression;
    this.#name = options.name ?? "input";
    this.#warn = options.onWarning ?? (() => {});
    // The zstd decoder passes over data cut off inside a frame and over bytes after the
    // last one without a word: frames are followed here to notice both.
    this.#frames = compression === "zstd" ? new _ZstdFrames() : undefined;
  }

  /** Makes the decoder (`node:zlib` is loaded by then, or now). */
  #start(z: _Zlib): void {
    const compression = this.#compression;
    const stream = compression === "gzip" ? z.createGunzip() : z.createZstdDecompress();
    const internals = stream as unknown as { _handle?: _ZlibHandle; _writeState?: Uint32Array };
    const handle = internals._handle;
    const state = internals._writeState;
    if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array)) {
      stream.close();
      throw new TypeError(`Cannot decompress ${compression}: unsupported node:zlib version`);
    }
    handle.onerror = (message, errno) => this.#error = { message, errno };
    this.#stream = stream;
    this.#handle = handle;
    this.#state = state;
    const c = z.constants;
    this.#continueFlag = compression === "gzip" ? c.Z_NO_FLUSH : c.ZSTD_e_continue;
    this.#finishFlag = compression === "gzip" ? c.Z_FINISH : c.ZSTD_e_end;
  }

  async read(into: Uint8Array): Promise<number | null> {
    if (into.length === 0) return 0;
    if (this.#stream === undefined && !this.#done) this.#start(zlib ?? await _zlib());
    for (;;) {
      if (this.#done) return null;
      if (this.#inLen === 0 && !this.#eof) {
        const n = await this.#inner.read(this.#input);
        if (this.#closed) return null;
        if (n === null) this.#eof = true;
        else {
          this.#frames?.push(this.#input.subarray(0, n), this.#consumed);
          this.#consumed += n;
          this.#inOff = 0;
          this.#inLen = n;
        }
      }
      const flag = this.#eof ? this.#finishFlag : this.#continueFlag;
      const inLen = this.#inLen;
      this.#handle.writeSync(flag, this.#input, this.#inOff, inLen, into, 0, into.length);
      if (this.#error) return this.#failed(this.#error);
      const produced = into.length - this.#state[0]!;
      const used = inLen - this.#state[1]!;
      this.#inOff += used;
      this.#inLen -= used;
      if (produced > 0) return produced;
      if (this.#eof) {
        this.#finish();
        if (this.#frames && !this.#frames.atBoundary()) this.#cutOff();
        return null;
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finish();
    this.#inner.close();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#stream?.close();
  }

  #failed(error: { message: string; errno: number }): null {
    this.#finish();
    if (this.#eof && error.errno === Z_BUF_ERROR) {
      this.#cutOff();
      return null;
    }
    throw new SyntaxError(`the ${this.#compression} data is corrupt (${error.message})`);
  }

  #cutOff(): void {
    this.#warn(
      `${this.#name}: the ${this.#compression} data is cut off after ${this.#consumed} ` +
        `bytes (a recorder killed mid-write?); read up to there`,
    );
  }
}

/** zstd frame header sizes by the Frame_Content_Size flag (single-segment, then not). */
const FCS_SIZES = [[0, 2, 4, 8], [1, 2, 4, 8]] as const;
const DICT_ID_SIZES = [0, 1, 2, 4] as const;
const ZSTD_MAGIC = 0xfd2fb528;

type _FrameState = "magic" | "descriptor" | "header" | "block" | "checksum" | "skippable";

/**
 * Follows the frame structure of zstd data (RFC 8878 §3.1) without decoding it: magic,
 * frame header, block headers (skipping block contents), checksum, skippable frames. Knows
 * whether the data so far ends between frames, and rejects bytes that start no frame.
 */
export class _ZstdFrames {
  #state: _FrameState = "magic";
  #need = 4;
  #have = 0;
  #head = new Uint8Array(8);
  #skip = 0;
  #checksum = false;

  /** The data so far ends right after a complete frame. */
  atBoundary(): boolean {
    return this.#state === "magic" && this.#have === 0 && this.#skip === 0;
  }

  /**
   * Follows `bytes`, which start at offset `at` of the data (for messages).
   *
   * @throws {SyntaxError} where the data is not zstd.
   */
  push(bytes: Uint8Array, at = 0): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.#skip > 0) {
        const k = Math.min(this.#skip, bytes.length - i);
        this.#skip -= k;
        i += k;
        continue;
      }
      const k = Math.min(this.#need - this.#have, bytes.length - i);
      this.#head.set(bytes.subarray(i, i + k), this.#have);
      this.#have += k;
      i += k;
      if (this.#have === this.#need) this.#advance(at + i);
    }
  }

  #expect(state: _FrameState, need: number): void {
    this.#state = state;
    this.#need = need;
    this.#have = 0;
    // A part of zero bytes is complete at once.
    if (need === 0) this.#advance(-1);
  }

  #advance(at: number): void {
    const h = this.#head;
    switch (this.#state) {
      case "magic": {
        const magic = (h[0]! | h[1]! << 8 | h[2]! << 16 | h[3]! << 24) >>> 0;
        if (magic === ZSTD_MAGIC) this.#expect("descriptor", 1);
        else if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) this.#expect("skippable", 4);
        else {
          throw new SyntaxError(`the zstd data is corrupt: no frame starts at byte ${at - 4}`);
        }
        return;
      }
      case "descriptor": {
        const d = h[0]!;
        if (d & 0x08) throw new SyntaxError(`the zstd data is corrupt at byte ${at - 1}`);
        const single = (d >> 5) & 1;
        this.#checksum = ((d >> 2) & 1) === 1;
        const size = (single ? 0 : 1) + DICT_ID_SIZES[d & 3]! + FCS_SIZES[single]![d >> 6]!;
        this.#expect("header", size);
        return;
      }
      case "header":
        this.#expect("block", 3);
        return;
      case "block": {
        const v = h[0]! | h[1]! << 8 | h[2]! << 16;
        const type = (v >> 1) & 3;
        if (type === 3) throw new SyntaxError(`the zstd data is corrupt at byte ${at - 3}`);
        const last = (v & 1) === 1;
        this.#skip = type === 1 ? 1 : v >>> 3;
        if (last) this.#expect("checksum", this.#checksum ? 4 : 0);
        else this.#expect("block", 3);
        return;
      }
      case "checksum":
        this.#expect("magic", 4);
        return;
      case "skippable":
        this.#skip = (h[0]! | h[1]! << 8 | h[2]! << 16 | h[3]! << 24) >>> 0;
        this.#expect("magic", 4);
        return;
    }
  }
}
