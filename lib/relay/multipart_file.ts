/**
 * Saving the file part of a `multipart/form-data` upload straight to disk as it arrives, so
 * that an upload of any size takes constant memory (the platform's `formData()` holds the
 * whole body).
 *
 * @module
 */
import { writeAll } from "../base/write_all.ts";

/** Options for {@linkcode saveMultipartFile}. */
export interface SaveMultipartOptions {
  /** The body's `Content-Type` header (it carries the boundary). */
  contentType: string;
  /** Names of the part to save, any of them: the first file part with one is saved. */
  partNames: readonly string[];
  /** Where the part's content is written (created; it must not exist). */
  path: string;
  /** Largest part accepted, in bytes. */
  maxBytes: number;
  /** Largest body accepted, in bytes (the part plus the envelope around it). */
  maxBodyBytes: number;
}

/** What {@linkcode saveMultipartFile} found. */
export type SavedPart =
  | { ok: true; fileName: string; size: number }
  | { ok: false; problem: "too_large" | "not_multipart" | "no_part" };

const CRLF = new Uint8Array([13, 10]);
const HEADERS_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Reads a multipart body and writes the content of its first file part named one of
 * `partNames` to `path`. Other parts are read and dropped. On any problem the file is
 * removed and the body cancelled.
 *
 * @example
 * ```ts
 * import { saveMultipartFile } from "./multipart_file.ts";
 * const form = new FormData();
 * form.append("file", new Blob(["hello"]), "demo.cast");
 * const request = new Request("http://localhost/", { method: "POST", body: form });
 * const path = `${await Deno.makeTempDir()}/upload`;
 * const saved = await saveMultipartFile(request.body!, {
 *   contentType: request.headers.get("content-type")!,
 *   partNames: ["file"],
 *   path,
 *   maxBytes: 1024,
 *   maxBodyBytes: 4096,
 * });
 * // saved: { ok: true, fileName: "demo.cast", size: 5 }
 * ```
 */
export async function saveMultipartFile(
  body: ReadableStream<Uint8Array>,
  options: SaveMultipartOptions,
): Promise<SavedPart> {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(options.contentType);
  if (!/^multipart\/form-data\b/i.test(options.contentType.trim()) || !boundary) {
    await body.cancel().catch(() => {});
    return { ok: false, problem: "not_multipart" };
  }
  const delimiter = new TextEncoder().encode(`\r\n--${boundary[1] ?? boundary[2]}`);
  const reader = body.getReader();
  let file: Deno.FsFile | undefined;
  let result: SavedPart = { ok: false, problem: "no_part" };
  try {
    const input = new _Input(reader, options.maxBodyBytes);
    // The first delimiter may open the body without the CRLF in front of it.
    await input.prepend(CRLF);
    if (!(await input.skipPast(delimiter))) return { ok: false, problem: "not_multipart" };
    for (;;) {
      const after = await input.take(2);
      if (after === null || (after[0] === 45 && after[1] === 45)) break; // "--": the end
      const head = await input.readUntil(HEADERS_END, MAX_HEADER_BYTES);
      if (head === null) return { ok: false, problem: "not_multipart" };
      const part = _partOf(new TextDecoder().decode(head));
      const wanted = !result.ok && part.fileName !== undefined &&
        options.partNames.includes(part.name ?? "");
      if (wanted) {
        file = await Deno.open(options.path, { write: true, createNew: true });
        let size = 0;
        const sink = file;
        const found = await input.copyUntil(delimiter, async (bytes) => {
          size += bytes.length;
          if (size > options.maxBytes) throw new _TooLarge();
          await writeAll(sink, bytes);
        });
        if (!found) return { ok: false, problem: "not_multipart" };
        result = { ok: true, fileName: part.fileName!, size };
      } else if (!(await input.copyUntil(delimiter, () => {}))) {
        return { ok: false, problem: "not_multipart" };
      }
    }
    return result;
  } catch (error) {
    if (error instanceof _TooLarge) return { ok: false, problem: "too_large" };
    throw error;
  } finally {
    file?.close();
    if (!result.ok) await Deno.remove(options.path).catch(() => {});
    await reader.cancel().catch(() => {});
  }
}

class _TooLarge extends Error {}

/** The part's name and file name, from its `Content-Disposition` header. */
function _partOf(head: string): { name?: string; fileName?: string } {
  const disposition = head.split("\r\n").find((line) => /^content-disposition:/i.test(line));
  if (!disposition) return {};
  const param = (key: string) =>
    new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${key}=([^;\\s]+)`, "i").exec(disposition);
  const name = param("name");
  const fileName = param("filename");
  return {
    name: name ? (name[1] ?? name[2]) : undefined,
    fileName: fileName ? (fileName[1] ?? fileName[2])!.replace(/\\(.)/g, "$1") : undefined,
  };
}

/**
 * A buffered reader over the body, counting every byte against the body limit. Bytes are
 * copied into one reused buffer rather than joined into new arrays: an upload of gigabytes
 * would otherwise leave as much garbage behind it.
 */
class _Input {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #limit: number;
  #total = 0;
  #store = new Uint8Array(256 * 1024);
  #start = 0;
  #end = 0;
  #eof = false;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number) {
    this.#reader = reader;
    this.#limit = limit;
  }

  /** The bytes read and not consumed yet (a view, valid until the next read). */
  get #buf(): Uint8Array {
    return this.#store.subarray(this.#start, this.#end);
  }

  prepend(bytes: Uint8Array): Promise<void> {
    this.#append(bytes);
    return Promise.resolve();
  }

  #append(bytes: Uint8Array): void {
    if (this.#start > 0) {
      this.#store.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end + bytes.length > this.#store.length) {
      const bigger = new Uint8Array(Math.max(this.#store.length * 2, this.#end + bytes.length));
      bigger.set(this.#store.subarray(0, this.#end));
      this.#store = bigger;
    }
    this.#store.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** Reads more; false at the end of the body. */
  async #more(): Promise<boolean> {
    if (this.#eof) return false;
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#eof = true;
      return false;
    }
    this.#total += value.length;
    if (this.#total > this.#limit) throw new _TooLarge();
    this.#append(value);
    return true;
  }

  /** The next `n` bytes, or null if the body ends first. */
  async take(n: number): Promise<Uint8Array | null> {
    while (this.#end - this.#start < n) if (!(await this.#more())) return null;
    const bytes = this.#store.slice(this.#start, this.#start + n);
    this.#start += n;
    return bytes;
  }

  /** Drops everything up to and including `marker`; false if it never comes. */
  skipPast(marker: Uint8Array): Promise<boolean> {
    return this.copyUntil(marker, () => {});
  }

  /** The bytes before `marker` (which is dropped), at most `max` of them; null otherwise. */
  async readUntil(marker: Uint8Array, max: number): Promise<Uint8Array | null> {
    for (;;) {
      const buf = this.#buf;
      const at = _indexOf(buf, marker);
      if (at !== -1) {
        const bytes = buf.slice(0, at);
        this.#start += at + marker.length;
        return bytes;
      }
      if (buf.length > max || !(await this.#more())) return null;
    }
  }

  /**
   * Hands everything before `marker` to `sink`, piece by piece as it arrives, and drops the
   * marker; false if the body ends first. A piece is valid only until `sink` returns.
   */
  async copyUntil(
    marker: Uint8Array,
    sink: (bytes: Uint8Array) => void | Promise<void>,
  ): Promise<boolean> {
    for (;;) {
      const buf = this.#buf;
      const at = _indexOf(buf, marker);
      if (at !== -1) {
        if (at > 0) await sink(buf.subarray(0, at));
        this.#start += at + marker.length;
        return true;
      }
      // Keep what could be the start of a marker split across two reads.
      const safe = buf.length - (marker.length - 1);
      if (safe > 0) {
        await sink(buf.subarray(0, safe));
        this.#start += safe;
      }
      if (!(await this.#more())) return false;
    }
  }
}

function _indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}
