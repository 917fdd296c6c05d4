/**
 * asciirec as a library: the asciicast event model, the v1/v2/v3 codecs, a streaming reader
 * and an incremental writer (v3, v2, raw, txt).
 *
 * Convert any recording (path, `-` or URL) to asciicast v3:
 *
 * ```ts
 * import { createCastWriter, openRecording } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/old.cast`, '{"version":2,"width":80,"height":24}\n[0.5, "o", "hi"]\n');
 * const recording = await openRecording(`${dir}/old.cast`, { onWarning: console.warn });
 * const out = await Deno.open(`${dir}/new.cast`, { write: true, createNew: true });
 * const writer = createCastWriter(out.writable, recording.header, { format: "asciicast-v3" });
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
 * @module
 */
export type { Event, EventCode, Header, Size, Theme } from "./asciicast/event.ts";
export { formatSize, parseSize } from "./asciicast/event.ts";
export { decodeV1, type V1Recording } from "./asciicast/v1.ts";
export { encodeV2Event, encodeV2Header, formatV2Time, parseV2Header } from "./asciicast/v2.ts";
export { encodeV3Header, formatV3Interval, parseV3Header, V3EventEncoder } from "./asciicast/v3.ts";
export { type OpenOptions, openRecording, type Recording } from "./asciicast/reader.ts";
export {
  type AppendInfo,
  type CastWriter,
  type CastWriterOptions,
  createCastWriter,
  inspectForAppend,
  type OutputFormat,
} from "./asciicast/writer.ts";
export { type ConcatenatedRecording, concatRecordings } from "./asciicast/concat.ts";
export { TerminalText, type TerminalTextOptions } from "./asciicast/terminal_text.ts";
export type { EventSink } from "./session/sink.ts";
