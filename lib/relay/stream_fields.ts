/**
 * The stream fields of the asciinema server API: checking a create/update body the way the
 * server does, and the stream object every stream endpoint returns.
 *
 * @module
 */
import type { StreamFields, StreamRecord } from "./store.ts";

/** One rejected field, as in a `validation_failed` error body. */
export interface FieldError {
  /** The field name. */
  field: string;
  /** What is wrong with it. */
  message: string;
}

const VISIBILITIES = new Set(["public", "unlisted", "private"]);

function _optionalString(
  body: Record<string, unknown>,
  field: string,
  errors: FieldError[],
): string | null | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== "string") {
    errors.push({ field, message: "must be a string" });
    return undefined;
  }
  if (value.includes("\0")) {
    // The store would keep it whole but give it back cut at the NUL: refused instead.
    errors.push({ field, message: "must not contain NUL characters" });
    return undefined;
  }
  return value;
}

/**
 * Checks a create/update body and returns the columns to store, or the field errors.
 * Unknown fields are ignored; `term_type`, `term_version` and `shell` are silently truncated
 * to 64, 255 and 255 characters as asciinema-server does.
 *
 * @example
 * ```ts
 * import { parseStreamChanges } from "./stream_fields.ts";
 * parseStreamChanges({ live: true, title: "demo" }); // { fields: { live: true, title: "demo" } }
 * parseStreamChanges({ visibility: "secret" }).errors?.[0]?.field; // "visibility"
 * ```
 */
export function parseStreamChanges(
  body: unknown,
): { fields: StreamFields; errors?: undefined } | { fields?: undefined; errors: FieldError[] } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { errors: [{ field: "body", message: "must be a JSON object" }] };
  }
  const record = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const fields: StreamFields = {};
  if (record.live !== undefined) {
    if (typeof record.live === "boolean") fields.live = record.live;
    else errors.push({ field: "live", message: "must be true or false" });
  }
  const title = _optionalString(record, "title", errors);
  if (title !== undefined) {
    if (title !== null && [...title].length > 128) {
      errors.push({ field: "title", message: "should be at most 128 character(s)" });
    } else fields.title = title;
  }
  const description = _optionalString(record, "description", errors);
  if (description !== undefined) {
    if (description !== null && [...description].length > 4096) {
      errors.push({ field: "description", message: "should be at most 4096 character(s)" });
    } else fields.description = description;
  }
  const visibility = _optionalString(record, "visibility", errors);
  if (visibility !== undefined) {
    if (visibility === null || !VISIBILITIES.has(visibility)) {
      errors.push({ field: "visibility", message: "must be public, unlisted or private" });
    } else fields.visibility = visibility;
  }
  const audioUrl = _optionalString(record, "audio_url", errors);
  if (audioUrl !== undefined) {
    if (audioUrl !== null && (audioUrl.length > 255 || !/^https?:\/\//.test(audioUrl))) {
      errors.push({
        field: "audio_url",
        message: "must be an http:// or https:// URL of at most 255 characters",
      });
    } else fields.audioUrl = audioUrl === "" ? null : audioUrl;
  }
  if (record.buffer_time !== undefined) {
    const b = record.buffer_time;
    if (b === null) fields.bufferTime = null;
    else if (typeof b === "number" && b >= 0 && b <= 30) fields.bufferTime = b;
    else errors.push({ field: "buffer_time", message: "must be a number from 0 to 30" });
  }
  for (
    const [field, key, max] of [
      ["term_type", "termType", 64],
      ["term_version", "termVersion", 255],
      ["shell", "shell", 255],
    ] as const
  ) {
    const value = _optionalString(record, field, errors);
    if (value !== undefined) {
      fields[key] = value === null ? null : [...value].slice(0, max).join("");
    }
  }
  if (record.env !== undefined) {
    const env = record.env;
    if (env === null) fields.env = null;
    else if (typeof env === "object" && !Array.isArray(env)) fields.env = JSON.stringify(env);
    else errors.push({ field: "env", message: "must be an object" });
  }
  return errors.length > 0 ? { errors } : { fields };
}

/**
 * The stream object of the API, with URLs under `baseUrl` (the relay's public URL).
 *
 * @example
 * ```ts
 * import { streamJson } from "./stream_fields.ts";
 * // streamJson(record, "http://127.0.0.1:4040").ws_producer_url
 * // === "ws://127.0.0.1:4040/ws/S/<producer token>"
 * ```
 */
export function streamJson(stream: StreamRecord, baseUrl: string): Record<string, unknown> {
  const wsBase = baseUrl.replace(/^http/, "ws");
  return {
    id: stream.id,
    url: `${baseUrl}/s/${stream.publicToken}`,
    ws_producer_url: `${wsBase}/ws/S/${stream.producerToken}`,
    audio_url: stream.audioUrl,
    live: stream.live,
    title: stream.title,
    description: stream.description,
    visibility: stream.visibility,
    buffer_time: stream.bufferTime,
    term_type: stream.termType,
    term_version: stream.termVersion,
    shell: stream.shell,
    env: stream.env === null ? null : JSON.parse(stream.env),
  };
}
