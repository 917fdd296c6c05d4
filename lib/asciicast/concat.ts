/**
 * Joining recordings on one timeline, as `asciinema cat` does (asciicast.md §10): each
 * recording's events are shifted by the time of the last event so far, with no gap added,
 * and an `r` event marks a join where the terminal size changes.
 *
 * @module
 */
import { type Event, formatSize, type Header, parseSize } from "./event.ts";
import type { Recording } from "./reader.ts";

/** Recordings joined into one. */
export interface ConcatenatedRecording {
  /** The first recording's header (its title, env, theme…; the others' are dropped). */
  header: Header;
  /** All events, absolute times on the joined timeline. */
  events: AsyncIterableIterator<Event>;
}

/**
 * Joins recordings into one timeline. Every recording's `x` events are kept, even mid-way.
 * Reading is lazy: each recording is read when the previous one ends.
 *
 * @example
 * ```ts
 * import { openRecording } from "./reader.ts";
 * import { concatRecordings } from "./concat.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * await Deno.writeTextFile(path, '{"version":3,"term":{"cols":80,"rows":24}}\n[0.5, "o", "hi"]\n');
 * const joined = concatRecordings([await openRecording(path), await openRecording(path)]);
 * for await (const event of joined.events) console.log(event.time, event.code);
 * ```
 */
export function concatRecordings(recordings: Recording[]): ConcatenatedRecording {
  const first = recordings[0];
  if (first === undefined) throw new RangeError("concatRecordings needs at least one recording");
  return { header: { ...first.header }, events: _joined(recordings) };
}

async function* _joined(recordings: Recording[]): AsyncGenerator<Event> {
  let size = { cols: recordings[0]!.header.cols, rows: recordings[0]!.header.rows };
  let last = 0;
  try {
    for (let i = 0; i < recordings.length; i++) {
      const recording = recordings[i]!;
      const offset = last;
      const { cols, rows } = recording.header;
      if (i > 0 && (cols !== size.cols || rows !== size.rows)) {
        size = { cols, rows };
        yield { time: offset, code: "r", data: formatSize(size) };
      }
      for await (const event of recording.events) {
        event.time += offset;
        last = event.time;
        if (event.code === "r") size = parseSize(event.data) ?? size;
        yield event;
      }
    }
  } finally {
    for (const recording of recordings) await recording.close();
  }
}
