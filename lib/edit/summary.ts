/**
 * A first pass over a recording, for what an edit must know before it starts and what
 * `edit --list` prints: the duration, the markers (to look their labels up), the resizes,
 * the largest size and the pauses longer than an idle limit. Constant memory: each list
 * keeps at most so many entries and counts the rest.
 *
 * @module
 */
import { type Event, type Header, MAX_COLS, MAX_ROWS, parseSize } from "../asciicast/event.ts";
import { eventPuller } from "../asciicast/reader.ts";
import { formatClock, type Marker } from "../asciicast/time_spec.ts";

/** A resize of the source. */
export interface ResizeEntry {
  /** Microseconds. */
  time: number;
  /** `COLSxROWS` as recorded. */
  size: string;
}

/** A pause longer than the idle limit. */
export interface Gap {
  /** The event before it (0 for the start), microseconds. */
  from: number;
  /** The event after it, microseconds. */
  to: number;
}

/** What {@linkcode summarizeRecording} finds. */
export interface RecordingSummary {
  /** The header. */
  header: Header;
  /** Time of the last event, microseconds. */
  duration: number;
  /** Number of events. */
  events: number;
  /** Markers in time order (the first {@linkcode SummaryOptions.maxMarkers}). */
  markers: Marker[];
  /** Markers in the recording (may exceed `markers.length`). */
  markerCount: number;
  /** Resizes (the first {@linkcode SummaryOptions.maxListed}). */
  resizes: ResizeEntry[];
  /** Resizes in the recording. */
  resizeCount: number;
  /** Pauses longer than `idleLimit` (the first {@linkcode SummaryOptions.maxListed}). */
  gaps: Gap[];
  /** Such pauses in the recording. */
  gapCount: number;
  /** The limit the gaps were measured against, microseconds. */
  idleLimit: number;
  /** The largest columns and rows the terminal had (not necessarily at once). */
  largest: { cols: number; rows: number };
}

/** Options for {@linkcode summarizeRecording}. */
export interface SummaryOptions {
  /** Pauses longer than this are listed (microseconds). Default: 2 s. */
  idleLimit?: number;
  /** Longest list of resizes and gaps kept. Default 1000. */
  maxListed?: number;
  /** Most markers kept (for lookups by label or number). Default 100 000. */
  maxMarkers?: number;
}

/**
 * Reads every event once and summarizes the recording.
 *
 * @example
 * ```ts
 * import { summarizeRecording } from "./summary.ts";
 * import { openRecording } from "../asciicast/reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * await Deno.writeTextFile(path, '{"version":2,"width":80,"height":24}\n[1, "m", "setup"]\n[9, "o", "x"]\n');
 * const recording = await openRecording(path);
 * const summary = await summarizeRecording(recording.header, recording.events);
 * summary.markers; // [{ time: 1e6, label: "setup" }]
 * summary.gaps; // [{ from: 1e6, to: 9e6 }]
 * ```
 */
export async function summarizeRecording(
  header: Header,
  events: AsyncIterator<Event>,
  options: SummaryOptions = {},
): Promise<RecordingSummary> {
  const idleLimit = options.idleLimit ?? 2_000_000;
  const maxListed = options.maxListed ?? 1000;
  const maxMarkers = options.maxMarkers ?? 100_000;
  const summary: RecordingSummary = {
    header,
    duration: 0,
    events: 0,
    markers: [],
    markerCount: 0,
    resizes: [],
    resizeCount: 0,
    gaps: [],
    gapCount: 0,
    idleLimit,
    largest: { cols: header.cols, rows: header.rows },
  };
  const pull = eventPuller(events);
  let last = 0;
  for (;;) {
    let event = pull();
    if (event instanceof Promise) event = await event;
    if (event === undefined) break;
    const time = event.time;
    if (time - last > idleLimit) {
      if (summary.gaps.length < maxListed) summary.gaps.push({ from: last, to: time });
      summary.gapCount++;
    }
    last = time;
    summary.events++;
    if (event.code === "m") {
      if (summary.markers.length < maxMarkers) {
        summary.markers.push({ time, label: event.data });
      }
      summary.markerCount++;
    } else if (event.code === "r") {
      if (summary.resizes.length < maxListed) summary.resizes.push({ time, size: event.data });
      summary.resizeCount++;
      const size = parseSize(event.data);
      if (size !== undefined && size.cols <= MAX_COLS && size.rows <= MAX_ROWS) {
        summary.largest.cols = Math.max(summary.largest.cols, size.cols);
        summary.largest.rows = Math.max(summary.largest.rows, size.rows);
      }
    }
  }
  summary.duration = last;
  return summary;
}

/**
 * The summary as `edit --list` prints it: times as `mm:ss.fff`, which every time option
 * of `edit` reads back.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./summary.ts";
 * formatSummary("demo.cast", {
 *   header: { version: 3, cols: 80, rows: 24 }, duration: 9e6, events: 2,
 *   markers: [{ time: 1e6, label: "setup" }], markerCount: 1, resizes: [], resizeCount: 0,
 *   gaps: [{ from: 1e6, to: 9e6 }], gapCount: 1, idleLimit: 2e6, largest: { cols: 80, rows: 24 },
 * });
 * // demo.cast: asciicast v3, 80x24, 2 events
 * // duration  00:09.000
 * // ...
 * ```
 */
export function formatSummary(name: string, summary: RecordingSummary): string {
  const { header } = summary;
  const lines = [
    `${name}: asciicast v${header.version}, ${header.cols}x${header.rows}, ${summary.events} event${
      summary.events === 1 ? "" : "s"
    }`,
    `duration  ${formatClock(summary.duration)}`,
  ];
  if (header.title !== undefined) lines.push(`title     ${JSON.stringify(header.title)}`);
  if (header.idleTimeLimit !== undefined) {
    lines.push(`idle_time_limit  ${header.idleTimeLimit} s (players apply it)`);
  }
  const more = (shown: number, total: number) => {
    if (total > shown) lines.push(`  … and ${total - shown} more`);
  };
  lines.push(`markers   ${summary.markerCount}`);
  summary.markers.slice(0, 1000).forEach((m, i) => {
    lines.push(`  m${i + 1}  ${formatClock(m.time)}  ${JSON.stringify(m.label)}`);
  });
  more(Math.min(summary.markers.length, 1000), summary.markerCount);
  lines.push(`resizes   ${summary.resizeCount}`);
  for (const r of summary.resizes) lines.push(`  ${formatClock(r.time)}  ${r.size}`);
  more(summary.resizes.length, summary.resizeCount);
  lines.push(`pauses over ${summary.idleLimit / 1e6} s   ${summary.gapCount}`);
  for (const g of summary.gaps) {
    lines.push(
      `  ${formatClock(g.from)}..${formatClock(g.to)}  ${((g.to - g.from) / 1e6).toFixed(3)} s`,
    );
  }
  more(summary.gaps.length, summary.gapCount);
  return lines.join("\n") + "\n";
}
