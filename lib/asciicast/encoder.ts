/**
 * Encoders: what turns a session's Events into one file format, apart from any I/O. An
 * encoder is made for one output with its header, hands its output to `emit` as it goes,
 * and finishes at the end; the recording writer (`writer.ts`) buffers, flushes and writes
 * what it emits. The formats themselves are listed in the format registry
 * (`lib/format/registry.ts`); the asciicast ones live here.
 *
 * @module
 */
import { type Event, formatSize, type Header } from "./event.ts";
import { encodeV2Event, encodeV2Header } from "./v2.ts";
import { encodeV3Header, V3EventEncoder } from "./v3.ts";

/** Receives encoded output: text (written as UTF-8) or bytes. */
export type Emit = (chunk: string | Uint8Array) => void;

/** How an encoder continues an existing file instead of starting a new one. */
export interface EncoderAppend {
  /** Absolute time of the file's last event, in microseconds. */
  lastTime: number;
}

/** What an encoder is made with. */
export interface EncoderInit {
  /** The recording's header (size, theme, title…). */
  header: Header;
  /** Where output goes. */
  emit: Emit;
  /**
   * Continue an existing file of the same format: no header; the encoder starts with the
   * header's size (an `r` event) and, where times are absolute, after `lastTime`.
   */
  append?: EncoderAppend;
  /** Format-specific settings (an export's theme, frame rate…), checked by the format. */
  options?: Readonly<Record<string, unknown>>;
}

/** One output format's encoder. */
export interface Encoder {
  /** Takes one event (absolute time in microseconds, never decreasing). */
  event(event: Event): void;
  /** Emits whatever is left (a final screen, a trailer). Called once, after the last event. */
  finish(): void | Promise<void>;
  /**
   * For encoders that work asynchronously: resolves once they have caught up enough that
   * a producer that can wait should feed more. Absent means never behind.
   */
  drain?(): Promise<void>;
}

/** Makes an encoder; the header (if the format has one) is emitted at once. */
export type EncoderFactory = (init: EncoderInit) => Encoder;

/**
 * asciicast v3: a JSON header line, then one `[interval, code, data]` line per event.
 *
 * @example
 * ```ts
 * import { v3Encoder } from "./encoder.ts";
 * let out = "";
 * const encoder = v3Encoder({ header: { version: 3, cols: 80, rows: 24 }, emit: (s) => out += s });
 * encoder.event({ time: 500_000, code: "o", data: "hi" });
 * encoder.finish();
 * // out: '{"version":3,"term":{"cols":80,"rows":24}}\n[0.500, "o", "hi"]\n'
 * ```
 */
export const v3Encoder: EncoderFactory = ({ header, emit, append }) => {
  const encoder = new V3EventEncoder();
  const event = (e: Event) => emit(encoder.encode(e));
  if (append) event({ time: 0, code: "r", data: formatSize(header) });
  else emit(encodeV3Header(header) + "\n");
  return { event, finish() {} };
};

/**
 * asciicast v2: a JSON header line, then one `[time, code, data]` line per event with the
 * absolute time; appending continues after the file's last time.
 *
 * @example
 * ```ts
 * import { v2Encoder } from "./encoder.ts";
 * let out = "";
 * const encoder = v2Encoder({ header: { version: 2, cols: 80, rows: 24 }, emit: (s) => out += s });
 * encoder.event({ time: 1_500_000, code: "o", data: "hi" });
 * // out ends with '[1.5, "o", "hi"]\n'
 * ```
 */
export const v2Encoder: EncoderFactory = ({ header, emit, append }) => {
  const offset = append?.lastTime ?? 0;
  let last = offset;
  const event = (e: Event) => {
    let time = e.time + offset;
    if (time < last) time = last;
    last = time;
    emit(encodeV2Event({ time, code: e.code, data: e.data }));
  };
  if (append) event({ time: 0, code: "r", data: formatSize(header) });
  else emit(encodeV2Header(header) + "\n");
  return { event, finish() {} };
};

/**
 * Raw terminal output: the output events' data as it was, after an `ESC[8;ROWS;COLSt`
 * that sets the size (as `asciinema rec --raw` writes it).
 *
 * @example
 * ```ts
 * import { rawEncoder } from "./encoder.ts";
 * let out = "";
 * const encoder = rawEncoder({ header: { version: 3, cols: 80, rows: 24 }, emit: (s) => out += s });
 * encoder.event({ time: 0, code: "o", data: "hi" });
 * // out === "\x1b[8;24;80thi"
 * ```
 */
export const rawEncoder: EncoderFactory = ({ header, emit }) => {
  emit(`\x1b[8;${header.rows};${header.cols}t`);
  return {
    event(e) {
      if (e.code === "o") emit(e.data);
    },
    finish() {},
  };
};
