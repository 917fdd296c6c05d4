/**
 * Recordings on the relay: uploads (`POST /api/v1/recordings`, legacy `POST /api/asciicasts`)
 * checked event by event before they are kept, and the stored files served back byte for
 * byte (`GET /a/<token>.cast`).
 *
 * @module
 */
import { join } from "node:path";
import { openByteSource, openRecording } from "../asciicast/reader.ts";
import { openDecompressed } from "../asciicast/decompress.ts";
import { redactRecording } from "../redact/redact_recording.ts";
import { redactText } from "../redact/redact_text.ts";
import type { CompiledRules } from "../redact/rules.ts";
import { baseUrl } from "./api.ts";
import { apiError, json } from "./http.ts";
import { saveMultipartFile } from "./multipart_file.ts";
import { authenticate } from "./install_auth.ts";
import type { RecordingRecord, RelayStore } from "./store.ts";
import { randomToken } from "./token.ts";
import { writeAll } from "../base/write_all.ts";

/** Slack for the multipart envelope around an upload's file part. */
const MULTIPART_SLACK = 64 * 1024;

/** What uploads need of the relay. */
export interface RecordingsOptions {
  /** Directory of recording files. */
  recordingsDir: string;
  /** Largest upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Install ids allowed to upload (default: any UUID-shaped id). */
  allowedInstallIds?: ReadonlySet<string>;
  /** The public base URL in answers; default each request's origin. */
  publicUrl?: string;
  /** Where log lines go. */
  log: (message: string) => void;
  /** Redact every upload with these rules before it is kept. */
  redaction?: CompiledRules;
}

/**
 * Uploads and stored files.
 *
 * @example
 * ```ts
 * import { Recordings } from "./recordings.ts";
 * // const recordings = new Recordings(store, { recordingsDir, maxUploadBytes: 16 << 20, log });
 * // POST /api/v1/recordings → recordings.upload(request, "file")
 * ```
 */
export class Recordings {
  readonly #store: RelayStore;
  readonly #options: RecordingsOptions;
  readonly #recordingsDir: string;

  /** Recordings kept in `options.recordingsDir`, registered in `store`. */
  constructor(store: RelayStore, options: RecordingsOptions) {
    this.#store = store;
    this.#options = options;
    this.#recordingsDir = options.recordingsDir;
  }

  /** `POST /api/v1/recordings` (`file` part) or the legacy `POST /api/asciicasts` (`asciicast`). */
  async upload(request: Request, partName: "file" | "asciicast"): Promise<Response> {
    const owner = authenticate(request, this.#store, this.#options.allowedInstallIds);
    if (owner instanceof Response) return owner;
    const limit = this.#options.maxUploadBytes;
    const tooLarge = () =>
      apiError(
        413,
        "content_too_large",
        `The recording exceeds the server's size limit of ${limit} bytes`,
      );
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > limit + MULTIPART_SLACK) {
      await request.body?.cancel();
      return tooLarge();
    }
    const token = randomToken(16);
    const finalPath = join(this.#recordingsDir, `${token}.cast`);
    const tempPath = `${finalPath}.part`;
    // Written to disk as it arrives: an upload of any size takes constant memory.
    const part = await saveMultipartFile(request.body ?? new Blob().stream(), {
      contentType: request.headers.get("content-type") ?? "",
      partNames: [partName, "file", "asciicast"],
      path: tempPath,
      maxBytes: limit,
      maxBodyBytes: limit + MULTIPART_SLACK,
    });
    if (!part.ok && part.problem === "too_large") return tooLarge();
    if (!part.ok && part.problem === "not_multipart") {
      return apiError(400, "bad_request", "Expected a multipart/form-data body");
    }
    if (!part.ok) {
      return apiError(400, "bad_request", `Expected the recording in the "${partName}" part`);
    }
    let title: string | null = null;
    try {
      // A compressed upload (`asciinema upload demo.cast.gz`) is kept decompressed: the
      // player and every other client read plain asciicast from /a/<id>.cast.
      if (!(await _decompressInPlace(tempPath, limit))) {
        await Deno.remove(tempPath).catch(() => {});
        return tooLarge();
      }
      const recording = await openRecording(tempPath);
      for await (const _event of recording.events) {
        // Reading every event checks the whole file.
      }
      title = recording.header.title ?? null;
      if (title?.includes("\0")) throw new SyntaxError("the title contains a NUL character");
      const rules = this.#options.redaction;
      if (rules) {
        // The relay's policy: the file kept (and served) is the redacted one.
        const redactedPath = `${tempPath}.redacted`;
        const out = await Deno.open(redactedPath, { write: true, createNew: true });
        const found = await redactRecording(await openRecording(tempPath), out.writable, rules);
        if (found > 0) {
          await Deno.rename(redactedPath, tempPath);
          if (title !== null) title = redactText(rules, title, "input");
          this.#options.log(`upload: ${found} secret(s) redacted`);
        } else {
          // Nothing to redact: the upload is kept byte for byte.
          await Deno.remove(redactedPath);
        }
      }
    } catch (error) {
      await Deno.remove(tempPath).catch(() => {});
      const message = error instanceof Error ? error.message.replace(tempPath, part.fileName) : "";
      return apiError(422, "validation_failed", `Invalid asciicast file: ${message}`, [
        { field: "file", message },
      ]);
    }
    await Deno.rename(tempPath, finalPath);
    const record = this.#store.addRecording({
      token,
      owner,
      streamId: null,
      fileName: part.fileName || "recording.cast",
      size: (await Deno.stat(finalPath)).size,
      title,
    });
    this.#options.log(`recording ${record.id} uploaded (${record.size} bytes)`);
    const url = `${baseUrl(request, this.#options.publicUrl)}/a/${token}`;
    return json(201, {
      id: record.id,
      url,
      file_url: `${url}.cast`,
      audio_url: null,
      title,
      description: null,
      visibility: "unlisted",
      message: `View the recording at:\n\n    ${url}\n`,
    }, { location: url });
  }

  /** `GET /a/<token>.cast`: the stored file, byte for byte. */
  async castFile(request: Request, recording: RecordingRecord): Promise<Response> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(join(this.#recordingsDir, `${recording.token}.cast`));
    } catch {
      return new Response("404", { status: 404 });
    }
    const { size } = await file.stat();
    const headers = {
      "content-type": "application/x-asciicast",
      "content-length": String(size),
      "content-disposition": `inline; filename="${recording.token}.cast"`,
      "x-content-type-options": "nosniff",
    };
    if (request.method === "HEAD") {
      file.close();
      return new Response(null, { headers });
    }
    return new Response(file.readable, { headers });
  }
}

/**
 * Replaces the gzip or zstd file at `path` by its decompressed bytes (a plain file is left
 * as it is). False when the decompressed bytes would pass `maxBytes`: then nothing is kept.
 */
async function _decompressInPlace(path: string, maxBytes: number): Promise<boolean> {
  const { bytes } = await openByteSource(path);
  const { source, compressions } = await openDecompressed(bytes, { name: "the upload" });
  if (compressions.length === 0) {
    source.close();
    return true;
  }
  const plainPath = `${path}.plain`;
  const out = await Deno.open(plainPath, { write: true, createNew: true });
  let kept = false;
  try {
    const buffer = new Uint8Array(64 * 1024);
    let total = 0;
    for (let n = await source.read(buffer); n !== null; n = await source.read(buffer)) {
      total += n;
      if (total > maxBytes) return false;
      await writeAll(out, buffer.subarray(0, n));
    }
    kept = true;
  } finally {
    source.close();
    out.close();
    if (kept) await Deno.rename(plainPath, path);
    else await Deno.remove(plainPath).catch(() => {});
  }
  return true;
}
