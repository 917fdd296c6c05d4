/**
 * Redacting a recording that already exists (`asciirec redact`, the relay's uploads): every
 * event through the same transform a live session uses (holding as long as needed, since
 * nothing waits), and the header's title, command and environment too. Also the check that
 * changes nothing and reports what it would redact.
 *
 * @module
 */
import type { Event, Header } from "../asciicast/event.ts";
import { type EncoderFactory, v2Encoder, v3Encoder } from "../asciicast/encoder.ts";
import type { Recording } from "../asciicast/reader.ts";
import { createCastWriter } from "../asciicast/writer.ts";
import { RedactTransform } from "./redact_transform.ts";
import { redactText } from "./redact_text.ts";
import type { CompiledRules } from "./rules.ts";

/** A secret found in a recording (never the secret itself). */
export interface RecordingFinding {
  /** Where: `event` (with its time and index) or a header field. */
  where: "event" | "title" | "command" | `env.${string}`;
  /** Microseconds since the start (events). */
  time?: number;
  /** The event's index, counting from 1 (events). */
  index?: number;
  /** The event's code (events). */
  code?: string;
  /** The rule that matched. */
  rule: string;
  /** Characters matched. */
  length: number;
}

/** The header with its title, command and environment values redacted. */
export function redactHeader(
  header: Header,
  rules: CompiledRules,
  onFound?: (finding: RecordingFinding) => void,
): Header {
  const out: Header = { ...header };
  const clean = (text: string, where: RecordingFinding["where"]) =>
    redactText(rules, text, "input", onFound && ((found) => onFound({ where, ...found })));
  if (out.title !== undefined) out.title = clean(out.title, "title");
  if (out.command !== undefined) out.command = clean(out.command, "command");
  if (out.env) {
    out.env = Object.fromEntries(
      Object.entries(out.env).map(([k, v]) => [k, clean(v, `env.${k}`)]),
    );
  }
  return out;
}

/**
 * Reads `recording` through the redaction `rules`, handing each redacted event to `write`
 * (in order, with its time and its boundaries: a clean recording comes out as it went in);
 * `onFound` is told about every match. Resolves when all events are out.
 */
export async function redactEvents(
  recording: Recording,
  rules: CompiledRules,
  write: (event: Event) => void | Promise<void>,
  onFound?: (finding: RecordingFinding) => void,
): Promise<void> {
  const out: Event[] = [];
  let index = 0;
  const transform = new RedactTransform(rules, (event) => out.push(event), {
    holdMs: Infinity,
    wholeEvents: true,
    onFound: onFound &&
      ((found) => onFound({ where: "event", index, ...found })),
  });
  for await (const event of recording.events) {
    index++;
    transform.push(event);
    for (const e of out.splice(0)) await write(e);
  }
  transform.flush();
  for (const e of out.splice(0)) await write(e);
}

/**
 * Writes `recording` to `dest` with its secrets redacted, in the recording's own asciicast
 * version (v1 becomes v3). Resolves with the number of secrets found.
 *
 * @example
 * ```ts
 * import { openRecording } from "../asciicast/reader.ts";
 * import { BUILTIN_RULES, compileRules } from "./rules.ts";
 * import { redactRecording } from "./redact_recording.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, '{"version":2,"width":80,"height":24}\n[0.1, "o", "password=x1y2z3"]\n');
 * const out = await Deno.open(`${path}.out`, { write: true, createNew: true });
 * await redactRecording(await openRecording(path), out.writable, compileRules(BUILTIN_RULES));
 * ```
 */
export async function redactRecording(
  recording: Recording,
  dest: WritableStream<Uint8Array>,
  rules: CompiledRules,
): Promise<number> {
  let found = 0;
  const count = () => void found++;
  const header = redactHeader(recording.header, rules, count);
  const encoder: EncoderFactory = header.version === 2 ? v2Encoder : v3Encoder;
  const writer = createCastWriter(dest, { ...header, version: header.version === 2 ? 2 : 3 }, {
    encoder,
    flushBytes: 256 * 1024,
    flushIntervalMs: 1000,
  });
  try {
    await redactEvents(recording, rules, async (event) => {
      writer.write(event);
      await writer.drain();
    }, count);
    await writer.close();
  } catch (error) {
    await writer.close().catch(() => {});
    throw error;
  }
  return found;
}
