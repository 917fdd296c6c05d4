/**
 * The streaming asciicast reader: opens a recording from a path, stdin (`-`) or an http(s)
 * URL, decompresses gzip and zstd (recognised by their magic bytes, whatever the name or the
 * `Content-Encoding`), detects v1/v2/v3 from the first line, and produces Events lazily with
 * absolute times, in constant memory for any file size (v1, being one JSON document, is read
 * whole).
 *
 * Bad input fails with a `SyntaxError` naming the file, the line and what was wrong; a cut-off
 * last line (a recorder killed mid-write) only produces a warning.
 *
 * @module
 */
import { type Event, type Header, MAX_TIME, parseSize, sizeProblem } from "./event.ts";
import { describeJson, eventFromJson } from "./event_line.ts";
import { _isObject } from "./_fields.ts";
import { _LineBlockReader, type ByteSource, type LineBlock } from "./_line_blocks.ts";
import { openDecompressed } from "./decompress.ts";

export type { ByteSource };
import { decodeV1 } from "./v1.ts";
import { parseV2Header } from "./v2.ts";
import { parseV3Header } from "./v3.ts";

/** Options for {@linkcode openRecording}. */
export interface OpenOptions {
  /** Receives warnings about input that was accepted anyway. Default: ignore them. */
  onWarning?: (message: string) => void;
  /** Aborts downloading and reading. */
  signal?: AbortSignal;
}

/** An open recording. */
export interface Recording {
  /** The source as given (a path, `stdin`, or the URL), as used in messages. */
  name: string;
  /** The header; `header.version` is the version of the file. */
  header: Header;
  /**
   * The events, read lazily, with absolute times in microseconds since the start (v3
   * intervals are accumulated). Iterating to the end, or stopping early with `break`,
   * releases the source.
   */
  events: AsyncIterableIterator<Event>;
  /** Releases the source without reading the rest; idempotent. */
  close(): Promise<void>;
}

const MAX_V1_BYTES = 512 * 1024 * 1024;
const MAX_HTML_BYTES = 8 * 1024 * 1024;
const ASCIICAST_TYPES = new Set(["application/x-asciicast", "application/asciicast+json"]);

/**
 * Opens a recording. `source` is a file path, `-` for stdin, or an `http://`/`https://` URL
 * (an HTML page is searched for `<link rel="alternate" type="application/x-asciicast"
 * href="…">`, and a relative link is resolved against the page). gzip and zstd data are
 * decompressed as they are read.
 *
 * @example
 * ```ts
 * import { openRecording } from "./reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * await Deno.writeTextFile(path, '{"version":2,"width":80,"height":24}\n[0.5, "o", "hi"]\n');
 * const recording = await openRecording(path, { onWarning: console.warn });
 * console.log(recording.header.cols, recording.header.rows);
 * for await (const event of recording.events) {
 *   if (event.code === "o") console.log(event.time / 1e6, event.data);
 * }
 * ```
 */
export async function openRecording(
  source: string,
  options: OpenOptions = {},
): Promise<Recording> {
  const { name, bytes } = await openByteSource(source, options);
  return await openRecordingSource(name, bytes, options);
}

/**
 * A puller of `events`: each call returns the next event, at once when the reader has it
 * buffered (most events: no promise each), else a promise of it; `undefined` at the end.
 * For hot loops over a recording:
 *
 * @example
 * ```ts
 * import { eventPuller, openRecording } from "./reader.ts";
 * const recording = await openRecording("demo.cast");
 * const pull = eventPuller(recording.events);
 * for (;;) {
 *   let event = pull();
 *   if (event instanceof Promise) event = await event;
 *   if (event === undefined) break;
 *   console.log(event.time, event.code);
 * }
 * ```
 */
export function eventPuller(
  events: AsyncIterator<Event>,
): () => Event | undefined | Promise<Event | undefined> {
  const pullSync = (events as { pullSync?: () => Event | undefined }).pullSync?.bind(events);
  const next = async () => {
    const result = await events.next();
    return result.done ? undefined : result.value;
  };
  return pullSync ? () => pullSync() ?? next() : next;
}

/**
 * Opens the bytes of a recording as they are stored or sent: a file path, `-` for stdin, or
 * an http(s) URL (following an HTML page's asciicast link, as {@linkcode openRecording}
 * does). Nothing is decompressed yet; `name` is what messages call the source.
 *
 * @example
 * ```ts
 * import { openByteSource } from "./reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * await Deno.writeTextFile(path, "bytes");
 * const { name, bytes } = await openByteSource(path);
 * const buffer = new Uint8Array(16);
 * await bytes.read(buffer); // 5
 * bytes.close();
 * ```
 */
export async function openByteSource(
  source: string,
  options: Pick<OpenOptions, "signal"> = {},
): Promise<{ name: string; bytes: ByteSource }> {
  const signal = options.signal;
  signal?.throwIfAborted();
  if (source === "-") {
    return { name: "stdin", bytes: { read: (into) => Deno.stdin.read(into), close: () => {} } };
  }
  if (/^https?:\/\//i.test(source)) return { name: source, bytes: await _openUrl(source, signal) };
  return { name: source, bytes: await _openFileSource(source) };
}

/**
 * Opens a recording from any {@linkcode ByteSource} (what {@linkcode openRecording} does once
 * it has opened a path, stdin or URL), decompressing gzip or zstd data. `name` is used in
 * messages.
 *
 * @example
 * ```ts
 * import { openRecordingSource } from "./reader.ts";
 * const bytes = new TextEncoder().encode('{"version":2,"width":80,"height":24}\n[1, "o", "hi"]\n');
 * let done = false;
 * const recording = await openRecordingSource("memory", {
 *   read(into) {
 *     if (done) return Promise.resolve(null);
 *     done = true;
 *     into.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 *   close() {},
 * });
 * for await (const event of recording.events) console.log(event.data);
 * ```
 */
export async function openRecordingSource(
  name: string,
  source: ByteSource,
  options: OpenOptions = {},
): Promise<Recording> {
  const signal = options.signal;
  const warn = options.onWarning ?? (() => {});
  let plain: ByteSource;
  try {
    plain = (await openDecompressed(source, { name, onWarning: warn })).source;
  } catch (error) {
    source.close();
    throw error;
  }
  const blocks = new _LineBlockReader(plain, () => signal?.throwIfAborted());
  try {
    return await _openBlocks(name, blocks, warn);
  } catch (error) {
    await blocks.close();
    throw error;
  }
}

/** Opens a file as a {@linkcode ByteSource}, with plain messages for the usual failures. */
export async function _openFileSource(path: string): Promise<ByteSource> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`cannot open ${path}: no such file`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Deno.errors.PermissionDenied(`cannot open ${path}: permission denied`);
    }
    throw new Error(`cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  const regular = (await file.stat()).isFile;
  return {
    prefetch: regular,
    read: async (into) => {
      try {
        return await file.read(into);
      } catch (error) {
        if (error instanceof Deno.errors.IsADirectory) {
          throw new Error(`cannot read ${path}: it is a directory`);
        }
        throw error;
      }
    },
    close: () => {
      if (!closed) {
        closed = true;
        file.close();
      }
    },
  };
}

async function _openUrl(url: string, signal: AbortSignal | undefined): Promise<ByteSource> {
  let response = await _fetch(url, signal);
  const type = _mediaType(response);
  if (type === "text/html") {
    const html = await _readLimited(url, response, MAX_HTML_BYTES);
    const href = _findAsciicastLink(html);
    if (href === undefined) {
      throw new Error(`${url}: the HTML page has no <link rel="alternate"> to an asciicast`);
    }
    const target = new URL(href, response.url || url).href;
    response = await _fetch(target, signal);
  }
  const body = response.body;
  if (body === null) return { read: () => Promise.resolve(null), close: () => {} };
  return _streamSource(body);
}

async function _fetch(url: string, signal: AbortSignal | undefined): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal,
      // fetch itself decodes gzip and br; zstd (what asciinema-server prefers to send) is
      // decoded by the reader, like a zstd file.
      headers: { accept: "application/x-asciicast, */*", "accept-encoding": "zstd, gzip, br" },
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new Error(`cannot download ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  return response;
}

function _mediaType(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

async function _readLimited(url: string, response: Response, limit: number): Promise<string> {
  if (response.body === null) return "";
  const { source } = await openDecompressed(_streamSource(response.body), { name: url });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(64 * 1024);
  let text = "";
  let size = 0;
  try {
    for (;;) {
      const n = await source.read(buffer);
      if (n === null) break;
      size += n;
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
      if (size > limit) break;
    }
  } finally {
    source.close();
  }
  return text + decoder.decode();
}

/**
 * Finds the href of `<link rel="alternate" type="application/x-asciicast" href="…">` (or
 * `application/asciicast+json`) in an HTML page.
 */
export function _findAsciicastLink(html: string): string | undefined {
  for (const tag of html.matchAll(/<link\b[^>]*>/gi)) {
    const attrs = new Map<string, string>();
    for (const m of tag[0].matchAll(/([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
      attrs.set(m[1]!.toLowerCase(), _unescapeHtml(m[2] ?? m[3] ?? m[4] ?? ""));
    }
    const rel = (attrs.get("rel") ?? "").toLowerCase().split(/\s+/);
    const type = (attrs.get("type") ?? "").toLowerCase().trim();
    const href = attrs.get("href");
    if (rel.includes("alternate") && ASCIICAST_TYPES.has(type) && href) return href;
  }
  return undefined;
}

function _unescapeHtml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39|apos);/g,
    (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'" })[e] ?? _,
  );
}

function _streamSource(stream: ReadableStream<Uint8Array>): ByteSource {
  const reader = stream.getReader();
  let pending: Uint8Array | undefined;
  let closed = false;
  return {
    async read(into) {
      while (!pending || pending.length === 0) {
        const { done, value } = await reader.read();
        if (done) return null;
        pending = value;
      }
      const n = Math.min(into.length, pending.length);
      into.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return n;
    },
    close() {
      if (!closed) {
        closed = true;
        reader.cancel().catch(() => {});
      }
    },
  };
}

async function _openBlocks(
  name: string,
  blocks: _LineBlockReader,
  warn: (message: string) => void,
): Promise<Recording> {
  let first: LineBlock | null;
  try {
    first = await blocks.next();
  } catch (error) {
    if (error instanceof SyntaxError) throw new SyntaxError(`${name}:1: ${error.message}`);
    throw error;
  }
  if (first === null) throw new SyntaxError(`${name}: empty file`);
  if (first.invalidUtf8 && first.text === "") {
    throw new SyntaxError(`${name}:1: invalid UTF-8`);
  }
  const text = first.text;
  const nl = text.indexOf("\n");
  const firstLine = nl === -1 ? text : text.slice(0, nl);
  let value: unknown;
  let parseError: Error | undefined;
  try {
    value = JSON.parse(firstLine);
  } catch (error) {
    parseError = error as Error;
  }
  const headerWarn = (message: string) => warn(`${name}:1: ${message}`);
  const at = (line: number, error: unknown): SyntaxError =>
    new SyntaxError(`${name}:${line}: ${(error as Error).message}`);

  if (_isObject(value) && (value.version === 2 || value.version === 3)) {
    let header: Header;
    try {
      header = value.version === 3
        ? parseV3Header(value, headerWarn)
        : parseV2Header(value, headerWarn);
    } catch (error) {
      throw at(1, error);
    }
    const rest: LineBlock = { ...first, text: nl === -1 ? "" : text.slice(nl + 1) };
    const events = new _CastEvents(name, header.version as 2 | 3, blocks, rest, warn);
    return { name, header, events, close: () => events.closeNow() };
  }

  // Not a v2/v3 header line: the file may be one v1 JSON document.
  const trimmed = firstLine.trimStart();
  const mayBeV1 = (parseError !== undefined && (trimmed === "" || trimmed.startsWith("{"))) ||
    (_isObject(value) && value.version === 1);
  if (mayBeV1) {
    const whole = await _readAll(name, first, blocks);
    if (whole.trim() === "") throw new SyntaxError(`${name}: empty file`);
    let doc: unknown;
    try {
      doc = JSON.parse(whole);
    } catch (error) {
      if (parseError) {
        throw new SyntaxError(`${name}:1: the header is not valid JSON (${_short(parseError)})`);
      }
      throw new SyntaxError(`${name}: not valid JSON (${_short(error as Error)})`);
    }
    if (_isObject(doc) && doc.version === 1) {
      let v1;
      try {
        v1 = decodeV1(doc, (message) => warn(`${name}: ${message}`));
      } catch (error) {
        throw new SyntaxError(`${name}: ${(error as Error).message}`);
      }
      await blocks.close();
      const events = _each(v1.events);
      return { name, header: v1.header, events, close: () => Promise.resolve() };
    }
    value = doc;
  }
  if (parseError && !mayBeV1) {
    throw new SyntaxError(`${name}:1: the header is not valid JSON (${_short(parseError)})`);
  }
  if (_isObject(value)) {
    if (value.version === 2 || value.version === 3) {
      throw new SyntaxError(
        `${name}:1: an asciicast v${value.version} header must be a JSON object on one line`,
      );
    }
    if (value.version === undefined) {
      throw new SyntaxError(`${name}:1: the header has no "version"; not an asciicast file`);
    }
    throw new SyntaxError(
      `${name}:1: unsupported asciicast version ${
        describeJson(value.version)
      } (versions 1, 2 and 3 are supported)`,
    );
  }
  throw new SyntaxError(
    `${name}:1: not an asciicast file: expected a JSON object, got ${describeJson(value)}`,
  );
}

async function _readAll(name: string, first: LineBlock, blocks: _LineBlockReader) {
  const parts = [first.text];
  let size = first.text.length;
  let block: LineBlock | null = first;
  let line = 0;
  for (;;) {
    for (let i = block.text.indexOf("\n"); i !== -1; i = block.text.indexOf("\n", i + 1)) line++;
    if (block.invalidUtf8) throw new SyntaxError(`${name}:${line + 1}: invalid UTF-8`);
    try {
      block = await blocks.next();
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new SyntaxError(`${name}:${line + 1}: ${error.message}`);
      }
      throw error;
    }
    if (block === null) break;
    parts.push(block.text);
    size += block.text.length;
    if (size > MAX_V1_BYTES) {
      throw new SyntaxError(`${name}: not an asciicast v2/v3 file, and too large for v1`);
    }
  }
  await blocks.close();
  return parts.join("");
}

async function* _each(events: Event[]): AsyncGenerator<Event> {
  yield* events;
}

function _short(error: Error): string {
  const message = error.message;
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}

/**
 * The lazy event iterator of a v2 or v3 file. Lines are parsed one at a time as events are
 * asked for, so an event dies young (cheap for the garbage collector) unless it is kept.
 */
class _CastEvents implements AsyncIterableIterator<Event> {
  #name: string;
  #v3: boolean;
  #timeName: "time" | "interval";
  #blocks: _LineBlockReader;
  #warn: (message: string) => void;
  #block: LineBlock | null;
  #pos = 0;
  #error: Error | undefined;
  #line = 1;
  #time = 0;
  #warnedBackwards = false;
  #finished = false;

  constructor(
    name: string,
    version: 2 | 3,
    blocks: _LineBlockReader,
    rest: LineBlock,
    warn: (message: string) => void,
  ) {
    this.#name = name;
    this.#v3 = version === 3;
    this.#timeName = version === 3 ? "interval" : "time";
    this.#blocks = blocks;
    this.#block = rest;
    this.#warn = warn;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Event> {
    return this;
  }

  async next(): Promise<IteratorResult<Event>> {
    for (;;) {
      if (this.#block !== null) {
        const event = this.#nextInBlock(this.#block);
        if (event !== undefined) return { value: event, done: false };
      }
      if (this.#error) {
        const error = this.#error;
        this.#error = undefined;
        await this.#finish();
        throw error;
      }
      if (this.#finished) return { value: undefined, done: true };
      try {
        this.#block = await this.#blocks.next();
      } catch (error) {
        await this.#finish();
        if (error instanceof SyntaxError) throw this.#at(error.message, this.#line + 1);
        throw error;
      }
      this.#pos = 0;
      if (this.#block === null) await this.#finish();
    }
  }

  /**
   * The next event if one can be had without waiting, else undefined (then call `next`).
   * Lets a hot loop skip a promise per event.
   */
  pullSync(): Event | undefined {
    return this.#block === null ? undefined : this.#nextInBlock(this.#block);
  }

  async return(): Promise<IteratorResult<Event>> {
    await this.#finish();
    return { value: undefined, done: true };
  }

  closeNow(): Promise<void> {
    return this.#finish();
  }

  async #finish(): Promise<void> {
    this.#block = null;
    if (!this.#finished) {
      this.#finished = true;
      await this.#blocks.close();
    }
  }

  /** The next event of the block; undefined when the block is used up (or bad). */
  #nextInBlock(block: LineBlock): Event | undefined {
    const text = block.text;
    const length = text.length;
    while (this.#pos < length) {
      let end = text.indexOf("\n", this.#pos);
      if (end === -1) end = length;
      const line = text.slice(this.#pos, end);
      this.#pos = end + 1;
      this.#line++;
      if (line.length === 0 || line === "\r") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        if (line.trim() === "") continue;
        if (line.charCodeAt(0) === 35 /* # */) {
          if (this.#v3) continue;
          return this.#fail("comment lines are allowed only in asciicast v3");
        }
        if (block.final && !block.invalidUtf8) {
          this.#warn(`${this.#name}:${this.#line}: the last line is cut off; ignored`);
          this.#block = null; // the last block: next() ends the iteration
          return undefined;
        }
        return this.#fail(`invalid JSON (${_short(error as Error)})`);
      }
      let event: Event;
      try {
        event = eventFromJson(value, this.#timeName);
      } catch (error) {
        return this.#fail((error as Error).message);
      }
      if (event.code === "r") {
        const size = parseSize(event.data);
        const problem = size && sizeProblem(size.cols, size.rows);
        if (problem) return this.#fail(`resize: ${problem}`);
      }
      if (this.#v3) {
        if (this.#time + event.time > MAX_TIME) {
          return this.#fail(
            `the time ${(this.#time + event.time) / 1e6} s is out of range (at most ${
              MAX_TIME / 1e6
            } s)`,
          );
        }
        event.time = this.#time += event.time;
      } else if (event.time < this.#time) {
        if (!this.#warnedBackwards) {
          this.#warnedBackwards = true;
          this.#warn(
            `${this.#name}:${this.#line}: time goes backwards (${event.time / 1e6} s after ${
              this.#time / 1e6
            } s); such times are moved forward`,
          );
        }
        event.time = this.#time;
      } else {
        this.#time = event.time;
      }
      return event;
    }
    this.#block = null;
    if (block.invalidUtf8) this.#fail("invalid UTF-8", this.#line + 1);
    return undefined;
  }

  #fail(message: string, line = this.#line): undefined {
    this.#error = this.#at(message, line);
    this.#block = null;
    return undefined;
  }

  #at(message: string, line: number): SyntaxError {
    return new SyntaxError(`${this.#name}:${line}: ${message}`);
  }
}
