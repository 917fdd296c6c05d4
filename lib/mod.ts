/**
 * asciirec as a library: the asciicast event model, the v1/v2/v3 codecs, a streaming reader
 * and an incremental writer (v3, v2, raw, txt); the ALiS v1 live-stream codec; a PTY over
 * libc FFI (Linux); and a headless terminal that snapshots its screen for late joiners.
 *
 * Convert any recording (path, `-` or URL) to asciicast v3:
 *
 * ```ts
 * import { createCastWriter, openRecording, v3Encoder } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/old.cast`, '{"version":2,"width":80,"height":24}\n[0.5, "o", "hi"]\n');
 * const recording = await openRecording(`${dir}/old.cast`, { onWarning: console.warn });
 * const out = await Deno.open(`${dir}/new.cast`, { write: true, createNew: true });
 * const writer = createCastWriter(out.writable, recording.header, { encoder: v3Encoder });
 * for await (const event of recording.events) {
 *   writer.write(event);
 *   await writer.drain();
 * }
 * await writer.close();
 * ```
 *
 * Encode single lines:
 *
 * ```ts
 * import { encodeV3Header, V3EventEncoder } from "./mod.ts";
 *
 * const encoder = new V3EventEncoder();
 * const lines = [
 *   encodeV3Header({ version: 3, cols: 80, rows: 24 }) + "\n",
 *   encoder.encode({ time: 104_213, code: "o", data: "$ " }), // '[0.104, "o", "$ "]\n'
 * ];
 * ```
 *
 * Encode an ALiS message and run a command in a PTY:
 *
 * ```ts
 * import { encodeAlisMessage, Pty } from "./mod.ts";
 *
 * encodeAlisMessage({ type: "output", id: 1, relTime: 12_000, data: "$ " }); // 6F 01 E0 5D 02 24 20
 * using pty = Pty.spawn({ argv: ["/bin/sh", "-c", "echo hi"], cols: 80, rows: 24 });
 * for await (const chunk of pty.readable) console.log(chunk);
 * console.log((await pty.wait()).status); // 0
 * ```
 *
 * @module
 */
export type { Event, EventCode, EventSink, Header, Size, Theme } from "./asciicast/event.ts";
export { formatSize, MAX_COLS, MAX_ROWS, MAX_TIME, parseSize } from "./asciicast/event.ts";
export { decodeV1, type V1Recording } from "./asciicast/v1.ts";
export { encodeV2Event, encodeV2Header, formatV2Time, parseV2Header } from "./asciicast/v2.ts";
export { encodeV3Header, formatV3Interval, parseV3Header, V3EventEncoder } from "./asciicast/v3.ts";
export {
  type ByteSource,
  openByteSource,
  type OpenOptions,
  openRecording,
  openRecordingSource,
  type Recording,
} from "./asciicast/reader.ts";
export {
  type Compression,
  type DecompressedSource,
  type DecompressOptions,
  decompressSource,
  openDecompressed,
  sniffCompression,
} from "./asciicast/decompress.ts";
export {
  formatClock,
  parseTimePoint,
  parseTimeRange,
  type TimePoint,
  type TimeRange,
} from "./asciicast/time_spec.ts";
export { compressWritable } from "./compress/compress_writable.ts";
export { compressionForPath } from "./compress/compression_for_path.ts";
export {
  type ContextLine,
  type SearchMarker,
  type SearchMatch,
  type SearchOptions,
  searchRecording,
} from "./search/search_recording.ts";
export { LineTracker, type TrackedLine } from "./vt/line_tracker.ts";
export { eventsFrom, type EventsFromOptions } from "./play/events_from.ts";
export {
  type Emit,
  type Encoder,
  type EncoderAppend,
  type EncoderFactory,
  type EncoderInit,
  rawEncoder,
  v2Encoder,
  v3Encoder,
} from "./asciicast/encoder.ts";
export {
  type AppendFormat,
  type AppendInfo,
  type CastWriter,
  type CastWriterOptions,
  createCastWriter,
} from "./asciicast/writer.ts";
export { inspectForAppend } from "./asciicast/append.ts";
export { type Format, formatByName, formatForPath, FORMATS } from "./format/registry.ts";
export { type ConcatenatedRecording, concatRecordings } from "./asciicast/concat.ts";
export { TerminalText, type TerminalTextOptions } from "./vt/terminal_text.ts";
export { decodeLeb128, encodeLeb128, type Leb128Result } from "./alis/leb128.ts";
export {
  ALIS_PROTOCOL,
  ALIS_TYPE,
  type AlisEot,
  type AlisExit,
  type AlisInit,
  alisMagic,
  type AlisMarker,
  type AlisMessage,
  type AlisResize,
  type AlisText,
} from "./alis/message.ts";
export { AlisError } from "./alis/alis_error.ts";
export { encodeAlisMessage } from "./alis/encoder.ts";
export { checkAlisMagic, decodeAlisMessage } from "./alis/decoder.ts";
export { Pty, PtyError, type PtyExit, type PtySpawnOptions } from "./pty/pty.ts";
export { Vt, type VtOptions } from "./vt/vt.ts";
