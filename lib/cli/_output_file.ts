/**
 * Opening an output path, the one way every command that writes a recording does it: the
 * format from `-f` or the name's ending (seeing through `.gz`/`.zst`), compression from the
 * name's ending, the rules for existing files, and where the bytes go first.
 *
 * A command that finishes its output in one go (convert, cat, edit) writes a temporary file
 * beside the target and renames it into place on success, so a failure leaves the target as
 * it was; a live command (rec, session) writes the file itself as it goes, crash-safe.
 *
 * @module
 */
import { type Compression, compressionForPath } from "../compress/compression_for_path.ts";
import { fileWritable } from "../session/file_writable.ts";
import { type Format, FORMATS, outputFormat } from "../format/registry.ts";

/** Options for {@linkcode openOutputFile}. */
export interface OutputFileOptions {
  /** The format's name (`-f`); default: the one the path's ending means, else asciicast v3. */
  format?: string;
  /** The formats allowed. Default: all of them. */
  formats?: readonly Format[];
  /** Replace a non-empty file; otherwise it is refused. Default false. */
  overwrite?: boolean;
  /**
   * The output is written as it happens (a recording session): the file itself is written,
   * each flush reaching it at once, rather than a temporary file renamed at the end. Default
   * false.
   */
  live?: boolean;
  /** Create missing parent directories (as `rec` does). Default false. */
  createParents?: boolean;
  /** The message for an existing non-empty file without `overwrite`. */
  existsMessage?: string;
}

/** Settings for the recording writer that suit an output. */
export interface OutputWriterSettings {
  /** Buffered output is written once it reaches this many bytes. */
  flushBytes: number;
  /** Buffered output is written at the latest this many milliseconds later. */
  flushIntervalMs: number;
}

/** An output opened by {@linkcode openOutputFile}. */
export interface OutputFile {
  /** The path as given; `-` is stdout. */
  path: string;
  /** The format to write. */
  format: Format;
  /** The compression the name asked for, if any. */
  compression?: Compression;
  /**
   * Where the encoded bytes go (compressed on the way when the name asks for it). Closing it
   * closes the file; then call {@linkcode OutputFile.commit}.
   */
  writable: WritableStream<Uint8Array>;
  /**
   * Writer settings for this output: large chunks for a finished output (and for a
   * compressed one, so that its members compress well), and, for a compressed live one, a
   * flush at most every second (each flush ends a member, which costs a few bytes).
   */
  writer: OutputWriterSettings;
  /** After the writable has been closed: puts the file in place. */
  commit(): Promise<void>;
  /** Gives up: aborts the writable and removes what was written, if this call created it. */
  discard(): Promise<void>;
}

/**
 * `writable`, compressed on the way when `compression` is set. The compressor is loaded
 * only then: an uncompressed output loads no compression code.
 */
export async function compressedWritable(
  writable: WritableStream<Uint8Array>,
  compression: Compression | undefined,
): Promise<WritableStream<Uint8Array>> {
  if (compression === undefined) return writable;
  const { compressWritable } = await import("../compress/compress_writable.ts");
  return compressWritable(writable, compression);
}

/**
 * Opens `path` (or `-`, stdout) for writing a recording. An existing non-empty regular file
 * is refused unless `overwrite`; an empty one, and anything that is not a regular file (a
 * pipe, `/dev/null`), is written as it is.
 *
 * @throws {Error} for a directory, a refused file, or a path that cannot be created.
 * @example
 * ```ts
 * import { openOutputFile } from "./_output_file.ts";
 * import { createCastWriter } from "../asciicast/writer.ts";
 * const dir = await Deno.makeTempDir();
 * const out = await openOutputFile(`${dir}/demo.cast.gz`);
 * out.format.name; // "asciicast-v3"
 * out.compression; // "gzip"
 * const writer = createCastWriter(out.writable, { version: 3, cols: 80, rows: 24 }, {
 *   encoder: await out.format.load(),
 *   ...out.writer,
 * });
 * writer.write({ time: 0, code: "o", data: "hi" });
 * await writer.close();
 * await out.commit(); // demo.cast.gz is in place
 * ```
 */
export async function openOutputFile(
  path: string,
  options: OutputFileOptions = {},
): Promise<OutputFile> {
  const format = outputFormat(path, options.format, options.formats ?? FORMATS);
  if (path === "-") {
    const writable = _stdoutWritable();
    return {
      path,
      format,
      writable,
      writer: outputWriterSettings(undefined, false),
      commit: () => Promise.resolve(),
      discard: () => writable.abort().catch(() => {}),
    };
  }
  const compression = compressionForPath(path);
  const live = options.live ?? false;
  const info = await _stat(path);
  if (info?.isDirectory) throw new Error(`${path} is a directory`);
  const regular = info === undefined || info.isFile;
  if (info?.isFile && info.size > 0 && !options.overwrite) {
    throw new Error(
      options.existsMessage ?? `${path}: file exists, use --overwrite option to overwrite the file`,
    );
  }
  if (info === undefined && options.createParents) {
    const parent = _dirname(path);
    if (parent !== ".") await Deno.mkdir(parent, { recursive: true });
  }
  // A finished output goes to a temporary file beside the target (the same file system, so
  // the rename is atomic); a live one, and anything that is not a regular file, is written
  // where it is.
  const temporary = !live && regular;
  const target = temporary ? _temporaryPath(path) : path;
  // The removal on a signal is armed before the temporary file exists, and the file is made
  // in one synchronous step: an interruption just after its creation (before an await would
  // have resumed) still removes it.
  const forget = temporary ? removeOnSignal(target) : () => {};
  let file: Deno.FsFile;
  try {
    file = temporary
      ? Deno.openSync(target, { write: true, createNew: true })
      : info === undefined
      ? await Deno.open(target, { write: true, createNew: true })
      : await Deno.open(target, { write: true, truncate: info.isFile });
  } catch (error) {
    forget();
    throw _openError(path, error);
  }
  const created = temporary || info === undefined;
  const plain = fileWritable(file, { sync: regular ? true : undefined });
  const writable = await compressedWritable(plain, compression);
  return {
    path,
    format,
    compression,
    writable,
    writer: outputWriterSettings(compression, live),
    async commit() {
      if (!temporary) return;
      if (info?.isFile) await Deno.chmod(target, info.mode! & 0o7777).catch(() => {});
      await Deno.rename(target, path);
      forget();
    },
    async discard() {
      await writable.abort().catch(() => {});
      if (created) await Deno.remove(target).catch(() => {});
      forget();
    },
  };
}

/**
 * Writer settings for an output: a live plain file is flushed every 100 ms; a live
 * compressed one at most every second, since each flush ends a member (a few bytes of
 * framing, and the next member starts without history); a finished output in large chunks
 * (1 MiB when compressed, so that members compress as well as one stream within 1%).
 *
 * @example
 * ```ts
 * import { outputWriterSettings } from "./_output_file.ts";
 * outputWriterSettings("gzip", true); // { flushBytes: 65536, flushIntervalMs: 1000 }
 * ```
 */
export function outputWriterSettings(
  compression: Compression | undefined,
  live: boolean,
): OutputWriterSettings {
  if (live) {
    return compression
      ? { flushBytes: 64 * 1024, flushIntervalMs: 1000 }
      : { flushBytes: 64 * 1024, flushIntervalMs: 100 };
  }
  return { flushBytes: compression ? 1 << 20 : 256 * 1024, flushIntervalMs: 1000 };
}

async function _stat(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function _temporaryPath(path: string): string {
  const suffix = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${suffix}.asciirec-tmp`;
}

/** The directory part of a path (node:path is not loaded for this: it costs start-up time). */
function _dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  if (slash === -1) return ".";
  return slash === 0 ? "/" : trimmed.slice(0, slash);
}

function _openError(path: string, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new Error(`cannot create ${path}: its directory does not exist`);
  }
  if (error instanceof Deno.errors.AlreadyExists) {
    return new Error(`${path}: file exists, use --overwrite option to overwrite the file`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Error(`cannot create ${path}: permission denied`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * stdout as a stream written synchronously: for a command with nothing else to do meanwhile,
 * this skips a thread hop per chunk.
 */
function _stdoutWritable(): WritableStream<Uint8Array> {
  return new WritableStream({
    write(chunk) {
      for (let done = 0; done < chunk.length;) done += Deno.stdout.writeSync(chunk.subarray(done));
    },
  });
}

/** Temporary files to remove if the program is interrupted. */
const _temporary = new Set<string>();
let _handlers: [Deno.Signal, () => void][] = [];

/**
 * Until the returned function is called, SIGINT, SIGTERM and SIGHUP remove `path` (with
 * any other such file) and end the program with status 128 + the signal's number: an
 * interrupted command leaves no temporary file behind.
 *
 * @example
 * ```ts
 * import { removeOnSignal } from "./_output_file.ts";
 * const path = await Deno.makeTempFile();
 * const forget = removeOnSignal(path);
 * // … write path …
 * forget();
 * ```
 */
export function removeOnSignal(path: string): () => void {
  if (_temporary.size === 0) {
    const numbers: [Deno.Signal, number][] = [["SIGHUP", 1], ["SIGINT", 2], ["SIGTERM", 15]];
    _handlers = numbers.map(([signal, number]) => [signal, () => {
      for (const temporary of _temporary) {
        try {
          Deno.removeSync(temporary);
        } catch { /* already gone */ }
      }
      Deno.exit(128 + number);
    }]);
    for (const [signal, handler] of _handlers) Deno.addSignalListener(signal, handler);
  }
  _temporary.add(path);
  return () => {
    if (!_temporary.delete(path) || _temporary.size > 0) return;
    for (const [signal, handler] of _handlers) Deno.removeSignalListener(signal, handler);
    _handlers = [];
  };
}

/**
 * Refuses to write `output` over `input` (the same file by any path): reading and writing one
 * file at once would destroy it. Stdin, stdout, URLs and an output that does not exist yet
 * pass.
 */
export async function refuseSameFile(input: string, output: string): Promise<void> {
  if (input === "-" || output === "-" || /^https?:\/\//i.test(input)) return;
  try {
    const [a, b] = await Promise.all([Deno.realPath(input), Deno.realPath(output)]);
    if (a === b) throw new Error(`${output} is the input file; write to another file`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
