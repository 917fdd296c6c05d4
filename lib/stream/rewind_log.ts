/**
 * The rewind log of a live stream (live DVR): a {@linkcode LiveSubscriber} that keeps the
 * session so far as asciicast v3 lines, so a viewer who joined late can load it as a
 * recording, watch what they missed and return to live. It keeps no terminal: the lines are
 * the events as they came, after the session's first Init (whose screen, when not blank,
 * becomes the first event).
 *
 * Memory is bounded: past `memoryBytes` the oldest lines go to a temporary file, which is
 * unlinked as soon as it is open, so it disappears with the process however it ends (exit,
 * SIGTERM, even SIGKILL) and never lingers in the temporary directory. While lines are on
 * their way to the file the log asks the session to wait ({@linkcode RewindLog.backpressure}),
 * so a disk slower than the output cannot make memory grow past the bound. Past `maxBytes` in
 * all the log stops growing and says so (`truncated`).
 *
 * A producer session of a relayed stream that restarts (a new Init whose `lastId` does not
 * continue the log) starts a new log, with a new id; a producer that reconnects seamlessly
 * (same last id and size) continues it.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";
import { encodeV3Header, V3EventEncoder } from "../asciicast/v3.ts";
import type { LiveEvent, LiveInit, LiveSubscriber } from "./live_state.ts";
import { writeAll } from "../base/write_all.ts";

/**
 * Default memory bound: 64 MiB of asciicast v3 lines. A working day of typical terminal
 * output (8 hours at 2 KB/s on average — a shell with builds, logs and editors; measured
 * interactive sessions run well below that) is 57.6 MB of output, about 62 MB as v3 lines:
 * such a day never touches the disk.
 */
export const DEFAULT_REWIND_MEMORY = 64 * 1024 * 1024;
/** Default bound of a whole log, memory and file together: 4 GiB. */
export const DEFAULT_REWIND_MAX = 4 * 1024 * 1024 * 1024;
/** Lines are kept in chunks of this size (the unit that moves to the file). */
const CHUNK = 1024 * 1024;
/** A response reads the log in pieces of this size. */
const READ_PIECE = 256 * 1024;
const encoder = new TextEncoder();

/** Options for {@linkcode RewindLog}. */
export interface RewindLogOptions {
  /** Bytes of lines kept in memory before the oldest go to a file. Default 64 MiB. */
  memoryBytes?: number;
  /** Bytes of lines kept in all; past this the log stops growing. Default 4 GiB. */
  maxBytes?: number;
  /** Directory of the temporary file. Default: the system's (`TMPDIR`). */
  tempDir?: string;
  /** Wall clock in ms (the recording's timestamp). Default `Date.now`. */
  now?: () => number;
  /** Told when the file cannot be written (the log then stops growing). */
  onNotice?: (message: string) => void;
}

/** What a log says about itself (the stream page's status). */
export interface RewindStatus {
  /** Changes when the log restarts (a new producer session, a restarted server). */
  id: string;
  /** Unix time (ms) of the log's start. */
  startedAt: number;
  /** Seconds of session in the log. */
  duration: number;
  /** Events in the log. */
  events: number;
  /** Bytes of asciicast lines (the header not included). */
  bytes: number;
  /** Bytes of them in memory now. */
  memoryBytes: number;
  /** Bytes of them in the temporary file now. */
  fileBytes: number;
  /** The log reached `maxBytes` and holds only the session up to then. */
  truncated: boolean;
}

interface _Chunk {
  /** Byte offset of the chunk in the log. */
  start: number;
  bytes: Uint8Array;
  /** Bytes used. */
  length: number;
}

/** An event as the log keeps it until it is encoded. */
interface _Event {
  time: number;
  code: LiveEvent["code"];
  data: string;
}

/** What an event kept unencoded costs in memory besides its data (an estimate, in bytes). */
const EVENT_OVERHEAD = 64;
/** Events kept unencoded at most; past this they are encoded (and the count starts over). */
const MAX_UNENCODED = 100_000;

/** One producer session's log. */
class _Log {
  readonly id = _randomId();
  readonly encoder = new V3EventEncoder();
  /**
   * The newest events, not encoded yet: lines are made only when someone reads the log or
   * memory has to move to the file, so a stream nobody rewinds costs no second encoding.
   */
  unencoded: _Event[] = [];
  /** Estimated memory of `unencoded`, in bytes. */
  unencodedBytes = 0;
  /** Chunks still in memory, oldest first; the last one is being filled. */
  chunks: _Chunk[] = [];
  /** Bytes of lines in all. */
  length = 0;
  /** Bytes at the start of the log that are in the file. */
  fileLength = 0;
  /** Bytes handed to the file and not written yet (still in memory too). */
  spilling = 0;
  events = 0;
  lastTime = 0;
  truncated = false;
  retired = false;
  readers = 0;
  /** The terminal size now (after the log's resizes). */
  cols: number;
  rows: number;
  file: Deno.FsFile | undefined;
  fileFailed = false;
  /** File operations, one after the other (seek and read or write share one handle). */
  ops: Promise<unknown> = Promise.resolve();

  constructor(
    readonly start: LiveInit,
    readonly startedAt: number,
  ) {
    this.cols = start.cols;
    this.rows = start.rows;
  }

  get memoryBytes(): number {
    return this.length - this.fileLength + this.unencodedBytes;
  }

  /** Adds an event; false (and `truncated`) once the log would outgrow `maxBytes`. */
  add(event: _Event, maxBytes: number): boolean {
    const size = event.data.length + EVENT_OVERHEAD;
    // A line takes at most 6 bytes a character (`\u001b`) besides its time and code: near
    // the bound, encode what waits and check the line itself.
    if (this.length + 6 * (this.unencodedBytes + size) > maxBytes) {
      this.encode();
      const line = this.encoder.encode(event);
      if (this.length + line.length > maxBytes) {
        this.truncated = true;
        return false;
      }
      this.#append(line);
      return true;
    }
    this.unencoded.push(event);
    this.unencodedBytes += size;
    if (this.unencoded.length >= MAX_UNENCODED) this.encode();
    return true;
  }

  /** Encodes the events kept unencoded into lines. */
  encode(): void {
    const events = this.unencoded;
    this.unencoded = [];
    this.unencodedBytes = 0;
    for (const event of events) this.#append(this.encoder.encode(event));
  }

  /** Appends one line. */
  #append(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const worst = line.length * 3;
    let last = this.chunks[this.chunks.length - 1];
    if (worst > CHUNK) {
      // A line larger than a chunk is a chunk of its own.
      const bytes = encoder.encode(line);
      this.chunks.push({ start: this.length, bytes, length: bytes.length });
      this.length += bytes.length;
      return;
    }
    if (!last || last.bytes.length - last.length < worst) {
      last = { start: this.length, bytes: new Uint8Array(CHUNK), length: 0 };
      this.chunks.push(last);
    }
    const { written } = encoder.encodeInto(line, last.bytes.subarray(last.length));
    last.length += written;
    this.length += written;
  }

  /** Bytes of the log from `at`, at most `max`, wherever they are now. */
  async read(at: number, max: number): Promise<Uint8Array> {
    if (at < this.fileLength) {
      const n = Math.min(max, this.fileLength - at);
      return await this.#op(async (file) => {
        const out = new Uint8Array(n);
        await file.seek(at, Deno.SeekMode.Start);
        let done = 0;
        while (done < n) {
          const got = await file.read(out.subarray(done));
          if (got === null) throw new Error("the rewind file ended early");
          done += got;
        }
        return out;
      });
    }
    for (const chunk of this.chunks) {
      if (at >= chunk.start && at < chunk.start + chunk.length) {
        const from = at - chunk.start;
        // A copy: the chunk may still be filled (or dropped) while the piece is sent.
        return chunk.bytes.slice(from, Math.min(chunk.length, from + max));
      }
    }
    throw new Error(`rewind log: byte ${at} is in neither memory nor the file`);
  }

  #op<T>(fn: (file: Deno.FsFile) => Promise<T>): Promise<T> {
    const next = this.ops.then(() => fn(this.file!));
    this.ops = next.catch(() => {});
    return next;
  }

  /** Moves the oldest full chunks to the file until memory is within `memoryBytes`. */
  spill(memoryBytes: number, tempDir: string | undefined, onError: (e: unknown) => void): void {
    if (this.fileFailed || this.memoryBytes - this.spilling <= memoryBytes) return;
    this.encode();
    while (this.memoryBytes - this.spilling > memoryBytes) {
      const index = this.chunks.findIndex((c) => c.start >= this.fileLength + this.spilling);
      const chunk = this.chunks[index];
      // The chunk being filled stays: only whole chunks move.
      if (!chunk || index === this.chunks.length - 1) return;
      this.spilling += chunk.length;
      this.ops = this.ops.then(async () => {
        if (this.fileFailed) return;
        try {
          this.file ??= await _openUnlinked(tempDir);
          await this.file.seek(chunk.start, Deno.SeekMode.Start);
          await writeAll(this.file, chunk.bytes.subarray(0, chunk.length));
          this.fileLength = chunk.start + chunk.length;
          this.spilling -= chunk.length;
          this.chunks = this.chunks.filter((c) => c !== chunk);
        } catch (error) {
          this.fileFailed = true;
          onError(error);
        }
      });
    }
  }

  async close(): Promise<void> {
    await this.ops;
    this.chunks = [];
    this.unencoded = [];
    this.unencodedBytes = 0;
    try {
      this.file?.close();
    } catch {
      // Already closed.
    }
    this.file = undefined;
  }
}

async function _openUnlinked(dir: string | undefined): Promise<Deno.FsFile> {
  const path = await Deno.makeTempFile({ dir, prefix: "asciirec-rewind-", suffix: ".cast" });
  try {
    return await Deno.open(path, { read: true, write: true });
  } finally {
    // Unlinked at once: the file lives as long as the handle, whatever ends the process.
    await Deno.remove(path);
  }
}

function _randomId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Options for {@linkcode RewindLog.response}. */
export interface RewindResponseOptions {
  /** The title for the recording's header. */
  title?: string;
}

/**
 * The rewind log: subscribe it to a live state; serve {@linkcode RewindLog.response} as the
 * session so far.
 *
 * @example
 * ```ts
 * import { LiveState } from "./live_state.ts";
 * import { RewindLog } from "./rewind_log.ts";
 * const live = new LiveState();
 * const rewind = new RewindLog();
 * live.subscribe(rewind);
 * live.begin({ cols: 80, rows: 24 });
 * live.write({ time: 0, code: "o", data: "hello\r\n" });
 * await live.close();
 * const cast = await rewind.response(new Request("http://localhost/rewind.cast")).text();
 * await rewind.close();
 * ```
 */
export class RewindLog implements LiveSubscriber {
  readonly #memoryBytes: number;
  readonly #maxBytes: number;
  readonly #tempDir: string | undefined;
  readonly #now: () => number;
  readonly #notice: (message: string) => void;
  #log: _Log | undefined;
  #lastId = 0;
  #closed = false;

  /** A log with nothing yet: it starts at its first Init. */
  constructor(options: RewindLogOptions = {}) {
    this.#memoryBytes = options.memoryBytes ?? DEFAULT_REWIND_MEMORY;
    this.#maxBytes = options.maxBytes ?? DEFAULT_REWIND_MAX;
    this.#tempDir = options.tempDir;
    this.#now = options.now ?? Date.now;
    this.#notice = options.onNotice ?? (() => {});
  }

  /** What the log holds now (its events encoded first); `undefined` before its first Init. */
  get status(): RewindStatus | undefined {
    const log = this.#log;
    if (!log) return undefined;
    log.encode();
    return {
      id: log.id,
      startedAt: log.startedAt,
      duration: Math.max(0, log.lastTime - log.start.time) / 1e6,
      events: log.events,
      bytes: log.length,
      memoryBytes: log.memoryBytes,
      fileBytes: log.fileLength,
      truncated: log.truncated,
    };
  }

  init(init: LiveInit, restart: boolean): void {
    if (this.#closed) return;
    const log = this.#log;
    const resumes = restart && log !== undefined && init.lastId === this.#lastId &&
      !log.truncated && init.cols === log.cols && init.rows === log.rows;
    if (resumes) return; // the same session, picked up where it left off
    if (log) this.#retire(log);
    const next = new _Log(init, this.#now());
    this.#log = next;
    this.#lastId = init.lastId;
    next.lastTime = init.time;
    if (init.initData !== "") this.#append(next, { time: 0, code: "o", data: init.initData });
  }

  event(event: LiveEvent): void {
    const log = this.#log;
    this.#lastId = event.id;
    if (!log || this.#closed || log.truncated) return;
    log.lastTime = Math.max(log.lastTime, event.time);
    this.#append(log, {
      time: Math.max(0, event.time - log.start.time),
      code: event.code,
      data: event.data,
    });
    if (event.code === "r") {
      const [cols, rows] = event.data.split("x").map(Number) as [number, number];
      log.cols = cols;
      log.rows = rows;
    }
  }

  end(): void {}

  /**
   * While lines are on their way to the file, a promise that resolves once they are written
   * (the session reads no more output meanwhile); otherwise undefined.
   */
  backpressure(): Promise<void> | undefined {
    const log = this.#log;
    if (!log || log.spilling === 0) return undefined;
    return log.ops.then(() => {});
  }

  #append(log: _Log, event: _Event): void {
    if (!log.add(event, this.#maxBytes)) {
      this.#notice(`the rewind log reached its limit of ${this.#maxBytes} bytes`);
      return;
    }
    log.events++;
    log.spill(this.#memoryBytes, this.#tempDir, (error) => {
      log.truncated = true;
      this.#notice(`the rewind log cannot use its temporary file: ${error}`);
    });
  }

  #retire(log: _Log): void {
    log.retired = true;
    if (log.readers === 0) void log.close();
  }

  /**
   * The session so far as an asciicast v3 recording (`200`, streamed from memory and the
   * file, up to the last event at the time of the request), or `404` with a reason before
   * the session has started. `HEAD` gets the headers only.
   */
  response(request: Request, options: RewindResponseOptions = {}): Response {
    const log = this.#log;
    if (!log || this.#closed) {
      return new Response("nothing to rewind: the session has not started\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      });
    }
    log.encode();
    const end = log.length;
    const head = encoder.encode(encodeV3Header(this.#header(log, options.title)) + "\n");
    const headers = {
      "content-type": "application/x-asciicast",
      "content-length": String(head.length + end),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-asciirec-rewind": log.id,
    };
    if (request.method === "HEAD") return new Response(null, { headers });
    let at = 0;
    let sentHead = false;
    log.readers++;
    const release = () => {
      if (log.readers === 0) return;
      log.readers--;
      if (log.retired && log.readers === 0) void log.close();
    };
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          if (!sentHead) {
            sentHead = true;
            controller.enqueue(head);
            return;
          }
          if (at >= end) {
            release();
            controller.close();
            return;
          }
          const piece = await log.read(at, Math.min(READ_PIECE, end - at));
          at += piece.length;
          controller.enqueue(piece);
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel: release,
    });
    return new Response(body, { headers });
  }

  #header(log: _Log, title: string | undefined) {
    const { cols, rows, theme } = log.start as { cols: number; rows: number; theme?: Theme };
    return {
      version: 3 as const,
      cols,
      rows,
      ...(theme && { theme }),
      timestamp: Math.floor(log.startedAt / 1000),
      ...(title !== undefined && { title }),
    };
  }

  /** Resolves once the lines on their way to the file are written. */
  async settled(): Promise<void> {
    const log = this.#log;
    if (!log) return;
    let ops;
    do {
      ops = log.ops;
      await ops;
    } while (ops !== log.ops); // more was queued meanwhile
  }

  /** Releases memory and the temporary file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const log = this.#log;
    if (log) {
      log.retired = true;
      await log.close();
    }
  }
}
