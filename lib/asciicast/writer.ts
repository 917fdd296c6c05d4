/**
 * The recording writer: hands each Event to a format's encoder (see `encoder.ts`) and writes
 * what it emits to a byte stream in large chunks, flushed on a bound of time and bytes so that
 * a crash loses at most that much.
 *
 * @module
 */
import { Timer } from "../base/timer.ts";
import type { Event, EventSink, Header } from "./event.ts";
import type { Encoder, EncoderFactory } from "./encoder.ts";
import type { Compression } from "./decompress.ts";

/** The formats a file can be appended to, as {@linkcode inspectForAppend} finds them. */
export type AppendFormat = "asciicast-v3" | "asciicast-v2" | "raw" | "txt";

/** What an existing file is, for appending to it. */
export interface AppendInfo {
  /** The file's format. */
  format: AppendFormat;
  /** The file's header (for raw and txt files: the size found, else 80x24). */
  header: Header;
  /** Absolute time of the file's last event, microseconds (0 for raw and txt). */
  lastTime: number;
  /**
   * Set when the file's last line was cut off (a crash mid-write): the bytes up to its last
   * complete line. Truncate the file to this length before appending.
   */
  validBytes?: number;
  /** The file's last line is complete but lacks its newline; the writer adds one first. */
  missingNewline?: boolean;
  /**
   * The file is compressed (found by its bytes): what is appended must be compressed the
   * same way, in new members or frames after the file's own.
   */
  compression?: Compression;
}

/** Options for {@linkcode createCastWriter}. */
export interface CastWriterOptions {
  /** The output format's encoder. */
  encoder: EncoderFactory;
  /** The format's name, checked against `append.format` when appending. */
  format?: string;
  /**
   * Continue an existing file (see {@linkcode inspectForAppend}) of the encoder's format:
   * the encoder writes no header and continues the file's timeline.
   */
  append?: AppendInfo;
  /** Format-specific settings, handed to the encoder. */
  formatOptions?: Readonly<Record<string, unknown>>;
  /** Buffered output is written at the latest this many milliseconds later. Default 100. */
  flushIntervalMs?: number;
  /** Buffered output is written once it reaches this many bytes. Default 64 KiB. */
  flushBytes?: number;
  /**
   * Called once when writing fails (or falls more than 64 MiB behind); from then on events
   * are dropped, and `close()` rejects with the same error.
   */
  onError?: (error: Error) => void;
}

/** An {@linkcode EventSink} that writes a recording; `write` never blocks. */
export interface CastWriter extends EventSink {
  /** Takes one event (absolute time in microseconds). Never blocks, never throws. */
  write(event: Event): void;
  /**
   * Resolves once little enough is buffered: a producer that can wait (a converter) awaits
   * it between events to keep memory constant; rejects once writing has failed, so it can
   * stop early. A live session need not call it.
   */
  drain(): Promise<void>;
  /** Finishes the encoder, writes what is buffered and closes the destination. */
  close(): Promise<void>;
}

const MAX_BEHIND = 64 * 1024 * 1024;
// Text is encoded in pieces this small, keeping strings out of V8's large-object space.
const TEXT_CHUNK = 16 * 1024;
const _BEYOND_LATIN1 = /[^\0-\xff]/;

/**
 * Creates a writer; the encoder emits its header (if any) at once.
 *
 * @example
 * ```ts
 * import { createCastWriter } from "./writer.ts";
 * import { v3Encoder } from "./encoder.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * const file = await Deno.open(path, { write: true, truncate: true });
 * const writer = createCastWriter(file.writable, { version: 3, cols: 80, rows: 24 }, {
 *   encoder: v3Encoder,
 * });
 * writer.write({ time: 104_213, code: "o", data: "$ " });
 * writer.write({ time: 1_560_877, code: "i", data: "exit\r" });
 * await writer.close(); // also closes the file
 * ```
 */
export function createCastWriter(
  dest: WritableStream<Uint8Array>,
  header: Header,
  options: CastWriterOptions,
): CastWriter {
  const append = options.append;
  if (append && options.format !== undefined && append.format !== options.format) {
    throw new RangeError(
      `cannot append ${options.format} to a file that is ${append.format}; use its format`,
    );
  }
  return new _CastWriter(dest, header, options);
}

class _CastWriter implements CastWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #encoder = new TextEncoder();
  #text = "";
  #buf: Uint8Array;
  #used = 0;
  #spare: Uint8Array[] = [];
  #bufSize: number;
  readonly #timer = new Timer(() => this.#flush());
  #flushIntervalMs: number;
  #flushBytes: number;
  #behind = 0;
  #lastWrite: Promise<void> = Promise.resolve();
  /** Writes not finished yet, oldest first. */
  #inflight: Promise<void>[] = [];
  #error: Error | undefined;
  #onError: ((error: Error) => void) | undefined;
  #closed = false;
  #format: Encoder;

  constructor(dest: WritableStream<Uint8Array>, header: Header, options: CastWriterOptions) {
    this.#writer = dest.getWriter();
    this.#flushIntervalMs = options.flushIntervalMs ?? 100;
    this.#flushBytes = options.flushBytes ?? 64 * 1024;
    this.#bufSize = this.#flushBytes + TEXT_CHUNK * 3;
    this.#buf = new Uint8Array(this.#bufSize);
    this.#onError = options.onError;
    const append = options.append;
    if (append?.missingNewline && append.format.startsWith("asciicast")) this.#add("\n");
    this.#format = options.encoder({
      header,
      emit: (chunk) => typeof chunk === "string" ? this.#add(chunk) : this.#addBytes(chunk),
      append: append && { lastTime: append.lastTime },
      options: options.formatOptions,
    });
    this.#flush();
  }

  write(event: Event): void {
    if (this.#error || this.#closed) return;
    this.#format.event(event);
  }

  async drain(): Promise<void> {
    if (this.#error) throw this.#error;
    await this.#format.drain?.();
    // Wait for the oldest writes only, so the destination never runs dry meanwhile.
    while (this.#behind > this.#flushBytes * 8 && this.#inflight.length > 0) {
      await this.#inflight[0];
    }
    if (this.#error) throw this.#error;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.#error) {
      try {
        await this.#format.finish();
      } catch (error) {
        this.#fail(error);
      }
    }
    this.#closed = true;
    this.#timer.cancel();
    this.#flush();
    await this.#lastWrite;
    try {
      if (this.#error) await this.#writer.abort(this.#error).catch(() => {});
      else await this.#writer.close();
    } catch (error) {
      this.#fail(error);
    }
    if (this.#error) throw this.#error;
  }

  #add(text: string): void {
    if (_BEYOND_LATIN1.test(text)) {
      // A two-byte string would make the whole chunk it joins two-byte, which V8 encodes
      // many times slower; encode it on its own. (The test is free on one-byte strings.)
      if (this.#text !== "") this.#encodeText();
      this.#encodeString(text);
    } else {
      this.#text += text;
      if (this.#text.length >= TEXT_CHUNK) this.#encodeText();
    }
    if (this.#used + this.#text.length >= this.#flushBytes) this.#flush();
    else if (!this.#timer.armed && !this.#closed) this.#timer.arm(this.#flushIntervalMs);
  }

  #addBytes(bytes: Uint8Array): void {
    if (this.#text !== "") this.#encodeText();
    if (bytes.length > this.#buf.length - this.#used) {
      this.#writeOut();
      if (bytes.length > this.#buf.length) this.#buf = new Uint8Array(bytes.length);
    }
    this.#buf.set(bytes, this.#used);
    this.#used += bytes.length;
    if (this.#used >= this.#flushBytes) this.#flush();
    else if (!this.#timer.armed && !this.#closed) this.#timer.arm(this.#flushIntervalMs);
  }

  /** Moves the pending text into the byte buffer. */
  #encodeText(): void {
    const text = this.#text;
    this.#text = "";
    this.#encodeString(text);
  }

  #encodeString(text: string): void {
    if (text.length * 3 > this.#buf.length - this.#used) {
      this.#writeOut();
      if (text.length * 3 > this.#buf.length) this.#buf = new Uint8Array(text.length * 3);
    }
    this.#used += this.#encoder.encodeInto(text, this.#buf.subarray(this.#used)).written;
  }

  /**
   * Writes out what is buffered. The timer stays armed: it comes at most once per flush
   * interval and flushes whatever is pending then, which under a flood costs one timer per
   * interval instead of one per flush.
   */
  #flush(): void {
    if (this.#text !== "") this.#encodeText();
    this.#writeOut();
  }

  /** Hands the byte buffer to the destination and starts a new one. */
  #writeOut(): void {
    if (this.#used === 0 || this.#error) return;
    const full = this.#buf;
    const bytes = full.subarray(0, this.#used);
    // Buffers are reused once written: allocating a fresh one per chunk makes the C heap
    // grow with the size of the recording.
    this.#buf = this.#spare.pop() ?? new Uint8Array(this.#bufSize);
    this.#used = 0;
    if (this.#behind > MAX_BEHIND) {
      this.#fail(new Error("writing the recording fell more than 64 MiB behind; stopped"));
      return;
    }
    this.#behind += bytes.length;
    const done = this.#writer.write(bytes).then(
      () => {
        this.#behind -= bytes.length;
        if (full.length === this.#bufSize && this.#spare.length < 16) this.#spare.push(full);
      },
      (error) => this.#fail(error),
    ).finally(() => {
      this.#inflight.shift();
    });
    this.#inflight.push(done);
    this.#lastWrite = done;
  }

  #fail(error: unknown): void {
    if (this.#error) return;
    this.#error = error instanceof Error ? error : new Error(String(error));
    this.#text = "";
    this.#used = 0;
    this.#onError?.(this.#error);
  }
}
