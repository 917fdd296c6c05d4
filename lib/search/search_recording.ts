/**
 * Searching a recording for what a viewer saw: the output is played into a terminal
 * (`lib/vt`'s {@linkcode LineTracker}) and its lines are searched as they appear, change and
 * scroll away — text drawn by cursor movement and redraws, text in full-screen programs
 * (the alternate screen), text that scrolled off in a burst of output. Escape sequences
 * never match: they are not text on the screen.
 *
 * A line is reported when a match appears in it, with the time of the output event that
 * drew it. While it stays the same line (see {@linkcode LineTracker}: scrolling and
 * switching screens keep it) it is reported again only when the text up to a match
 * changes: typing after a match, a counter ticking after it, or the line scrolling away
 * report nothing new. On the alternate screen, where full-screen programs (vim, less)
 * show one line after another in the same rows, a row whose text is rewritten other than
 * by typing at its end (or deleting there) shows a new line, and is reported again.
 *
 * @module
 */
import { type Event, parseSize, sizeProblem } from "../asciicast/event.ts";
import { eventPuller, type Recording } from "../asciicast/reader.ts";
import { LineTracker, type TrackedLine } from "../vt/line_tracker.ts";

/** A marker of the recording. */
export interface SearchMarker {
  /** Its number, counting from 1 (`m3` on the command line). */
  number: number;
  /** Its label (may be empty). */
  label: string;
  /** Microseconds since the start. */
  time: number;
}

/** A line shown around a match (`--context`). */
export interface ContextLine {
  /** When the line got this text, microseconds since the start. */
  time: number;
  /** The text. */
  line: string;
  /** Order of appearance among all lines of the recording (for merging overlapping context). */
  seq: number;
}

/** A line that matched. */
export interface SearchMatch {
  /** When the output that drew the match was played, microseconds since the start. */
  time: number;
  /** The line's text (wrapped rows joined). */
  line: string;
  /** The matches in `line`: `[start, end)` offsets in UTF-16 units. */
  ranges: [number, number][];
  /** The nearest marker at or before `time`, if any. */
  marker?: SearchMarker;
  /** The line was on the alternate screen (a full-screen program). */
  alternate: boolean;
  /** Order of appearance among all lines of the recording. */
  seq: number;
  /** With `contextSeconds`: lines that changed in the seconds before (oldest first). */
  before?: ContextLine[];
  /** With `contextSeconds`: lines that changed in the seconds after (oldest first). */
  after?: ContextLine[];
}

/** Options for {@linkcode searchRecording}. */
export interface SearchOptions {
  /** Collect the lines that changed this many seconds before and after each match. */
  contextSeconds?: number;
  /** Stop after this many matches. */
  maxMatches?: number;
  /** Called now and then with the time (µs) the search has reached, for a progress line. */
  onProgress?: (time: number) => void;
}

/** Context lines kept at most on each side of a match. */
const MAX_CONTEXT_LINES = 500;

/**
 * Plays `recording` into a terminal and yields each line matching `pattern` as it appears,
 * in time order. Closing the generator early releases the recording.
 *
 * @example
 * ```ts
 * import { openRecordingSource } from "../asciicast/reader.ts";
 * import { searchRecording } from "./search_recording.ts";
 * const text = '{"version":3,"term":{"cols":20,"rows":3}}\n' +
 *   '[0.5, "o", "\\u001b[2;5Hfound it"]\n';
 * const bytes = new TextEncoder().encode(text);
 * let sent = false;
 * const recording = await openRecordingSource("demo", {
 *   read(into) {
 *     if (sent) return Promise.resolve(null);
 *     sent = true;
 *     into.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 *   close() {},
 * });
 * for await (const match of searchRecording(recording, /found/)) {
 *   console.log(match.time, match.line); // 500000 "    found it"
 * }
 * ```
 */
export async function* searchRecording(
  recording: Recording,
  pattern: RegExp,
  options: SearchOptions = {},
): AsyncGenerator<SearchMatch> {
  const search = new _Search(recording, pattern, options);
  const events = recording.events;
  const pull = eventPuller(events);
  const onProgress = options.onProgress;
  let count = 0;
  try {
    for (;;) {
      let event = pull();
      if (event instanceof Promise) event = await event;
      if (event === undefined) break;
      search.event(event);
      if (onProgress && (++count & 1023) === 0) onProgress(event.time);
      if (search.done) search.end();
      if (search.ready.length > 0) yield* search.take();
      if (search.done) return;
    }
    search.end();
    yield* search.take();
  } finally {
    search.dispose();
    await recording.close();
  }
}

interface _LineState {
  text: string;
  ends: number[];
}

interface _Recent {
  time: number;
  seq: number;
  id: number;
  line: string;
}

/**
 * Lines whose matches are remembered at most. Lines that left the screen are forgotten as
 * they go when the tracker reports them; those it does not (erased, or gone unchanged) are
 * forgotten oldest first past this bound, far more lines than any screen holds.
 */
const MAX_STATES = 4096;

class _Search {
  #tracker: LineTracker;
  #test: RegExp;
  #all: RegExp;
  #contextUs: number | undefined;
  #max: number;
  #found = 0;
  #time = 0;
  #seq = 0;
  #marker: SearchMarker | undefined;
  #markers = 0;
  #states = new Map<number, _LineState>();
  /** Recent lines, for context before a match. */
  #recent: _Recent[] = [];
  /** Matches waiting for the context after them. */
  #waiting: { match: SearchMatch; id: number; after: _Recent[] }[] = [];
  /** Matches complete, in order (see `take`). */
  readonly ready: SearchMatch[] = [];
  done = false;

  constructor(recording: Recording, pattern: RegExp, options: SearchOptions) {
    const flags = pattern.flags.replace(/[gy]/g, "");
    this.#test = new RegExp(pattern.source, flags);
    this.#all = new RegExp(pattern.source, flags + "g");
    this.#contextUs = options.contextSeconds === undefined
      ? undefined
      : Math.round(options.contextSeconds * 1e6);
    this.#max = options.maxMatches ?? Infinity;
    const { cols, rows } = recording.header;
    this.#tracker = new LineTracker(cols, rows, (line) => this.#line(line));
  }

  event(event: Event): void {
    this.#time = event.time;
    this.#expireContext();
    switch (event.code) {
      case "o":
        this.#tracker.feed(event.data);
        break;
      case "r": {
        const size = parseSize(event.data);
        if (size && !sizeProblem(size.cols, size.rows)) this.#tracker.resize(size.cols, size.rows);
        break;
      }
      case "m":
        this.#marker = { number: ++this.#markers, label: event.data, time: event.time };
        break;
    }
  }

  /** The end of the recording: every match still waiting for context is ready. */
  end(): void {
    for (const waiting of this.#waiting) this.#finish(waiting);
    this.#waiting = [];
  }

  /** Matches that are complete, in order. */
  *take(): Generator<SearchMatch> {
    while (this.ready.length > 0) yield this.ready.shift()!;
  }

  dispose(): void {
    this.#tracker.dispose();
  }

  #line(line: TrackedLine): void {
    const seq = ++this.#seq;
    const text = line.text;
    const before = this.#states.get(line.id);
    let ranges: [number, number][] | undefined;
    if (text !== "" && this.#test.test(text)) {
      ranges = [];
      for (const m of text.matchAll(this.#all)) {
        if (m[0].length === 0) continue;
        ranges.push([m.index, m.index + m[0].length]);
      }
      if (ranges.length === 0) ranges = undefined;
    }
    if (ranges === undefined) {
      this.#states.delete(line.id);
      this.#remember({ time: this.#time, seq, id: line.id, line: text });
      return;
    }
    const ends = ranges.map((r) => r[1]);
    const fresh = before === undefined ||
      ends.some((end) => !before.ends.includes(end) || !_samePrefix(before.text, text, end)) ||
      // A full-screen program's rows are places to show lines in, not lines: one rewritten
      // (not merely typed on or cut at its end) shows another line.
      (line.alternate && !before.text.startsWith(text) && !text.startsWith(before.text));
    this.#states.delete(line.id);
    if (!line.scrolledOff) {
      this.#states.set(line.id, { text, ends });
      if (this.#states.size > MAX_STATES) this.#states.delete(this.#states.keys().next().value!);
    }
    if (!fresh || this.done) {
      this.#remember({ time: this.#time, seq, id: line.id, line: text });
      return;
    }
    const match: SearchMatch = {
      time: this.#time,
      line: text,
      ranges,
      alternate: line.alternate,
      seq,
    };
    if (this.#marker) match.marker = this.#marker;
    if (++this.#found >= this.#max) this.done = true;
    if (this.#contextUs === undefined) {
      this.ready.push(match);
      return;
    }
    match.before = _latestPerLine(this.#recent.filter((r) => r.id !== line.id));
    this.#waiting.push({ match, id: line.id, after: [] });
    this.#remember({ time: this.#time, seq, id: line.id, line: text });
  }

  /** Keeps a line for the context of matches before and after it. */
  #remember(recent: _Recent): void {
    if (this.#contextUs === undefined || recent.line === "") return;
    this.#recent.push(recent);
    if (this.#recent.length > MAX_CONTEXT_LINES * 2) {
      this.#recent.splice(0, this.#recent.length - MAX_CONTEXT_LINES);
    }
    for (const waiting of this.#waiting) {
      if (recent.id !== waiting.id && waiting.after.length < MAX_CONTEXT_LINES * 2) {
        waiting.after.push(recent);
      }
    }
  }

  /** Drops context older than the window; finishes matches whose window has passed. */
  #expireContext(): void {
    const window = this.#contextUs;
    if (window === undefined) return;
    const oldest = this.#time - window;
    let drop = 0;
    while (drop < this.#recent.length && this.#recent[drop]!.time < oldest) drop++;
    if (drop > 0) this.#recent.splice(0, drop);
    while (this.#waiting.length > 0 && this.#waiting[0]!.match.time + window < this.#time) {
      this.#finish(this.#waiting.shift()!);
    }
  }

  #finish(waiting: { match: SearchMatch; after: _Recent[] }): void {
    waiting.match.after = _latestPerLine(waiting.after);
    this.ready.push(waiting.match);
  }
}

/**
 * The last text each line had among `recent`, ordered by when it got it, at most
 * {@linkcode MAX_CONTEXT_LINES} (the latest).
 */
function _latestPerLine(recent: readonly _Recent[]): ContextLine[] {
  const last = new Map<number, _Recent>();
  for (const r of recent) {
    last.delete(r.id);
    last.set(r.id, r);
  }
  return [...last.values()].slice(-MAX_CONTEXT_LINES).map((r) => ({
    time: r.time,
    line: r.line,
    seq: r.seq,
  }));
}

function _samePrefix(a: string, b: string, end: number): boolean {
  if (a.length < end || b.length < end) return false;
  return a.startsWith(b.slice(0, end));
}
