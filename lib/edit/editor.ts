/**
 * The streaming editor: one pass over a recording's events, in constant memory, following an
 * {@linkcode EditPlan}. Kept events are copied byte for byte at their new times; where a
 * kept part starts after removed time, the output gets one output event carrying the
 * terminal snapshot of the source at that moment (after a resize event, if the size
 * differs), so the screen at every output time is the source's screen at the mapped time.
 *
 * The snapshot comes from the one emulator, `lib/vt`, fed with the source's output and
 * resizes only as far as the last such junction, and only when the plan has one: an edit
 * that only changes times or drops events never parses the output.
 *
 * @module
 */
import { type Event, formatSize, type Header, parseSize, type Size } from "../asciicast/event.ts";
import { eventPuller } from "../asciicast/reader.ts";
import { formatClock } from "../asciicast/time_spec.ts";
import { Vt } from "../vt/vt.ts";
import { checkTimes, type EditPlan, type Part, type PlannedMarker } from "./plan.ts";
import { Timeline } from "./timeline.ts";

/** Where the edited events go. */
export interface EditOutput {
  /** Called once, before the first event, with the output's header. */
  begin(header: Header): void;
  /**
   * One output event. `sourceTime` and `sourceEvents` say which moment of the source the
   * screen corresponds to once this event is shown: the source time, and how many source
   * events (from the first) it reflects.
   */
  event(event: Event, sourceTime: number, sourceEvents: number): void;
  /** Resolves when the output can take more (called every so many events). */
  drain(): Promise<void>;
}

/** Options for {@linkcode editRecording}. */
export interface EditOptions {
  /**
   * With `--drop resizes`: the one size of the output. The emulator stays at this size, so
   * snapshots fit the output's terminal. Default: the header's size.
   */
  fixedSize?: Size;
  /** Called now and then with the source time reached. */
  onProgress?: (sourceTime: number) => void;
  /**
   * Snapshots also rebuild the lines above the screen, as a terminal or player replaying the
   * output needs them when it later grows (default true). An output read for its text (txt)
   * would take them for new lines.
   */
  scrollback?: boolean;
}

/** What an edit did. */
export interface EditResult {
  /** Output events written. */
  events: number;
  /** Source events read. */
  sourceEvents: number;
  /** The last source time read (the duration, unless the edit stopped early). */
  lastTime: number;
  /** The editor stopped reading before the end: nothing after it was needed. */
  stoppedEarly: boolean;
  /** Snapshots written. */
  snapshots: number;
  /** Whether the terminal emulator ran at all (only an edit with removed time needs it). */
  emulated: boolean;
}

/**
 * Edits `events` (with absolute source times, as the reader gives them) into `output`.
 *
 * @throws {RangeError} when a time of the plan lies past the end of the recording, or the
 * edit leaves no event; errors of the source and of the output pass through.
 * @example
 * ```ts
 * import { editRecording } from "./editor.ts";
 * import { planEdit } from "./plan.ts";
 * import { parseRangeOperation } from "./operations.ts";
 * import { openRecording } from "../asciicast/reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * await Deno.writeTextFile(path, '{"version":2,"width":20,"height":3}\n[1, "o", "a"]\n[2, "o", "\\u001b[2Jb"]\n[3, "o", "c"]\n');
 * const recording = await openRecording(path);
 * const plan = planEdit({ keep: [], cut: [parseRangeOperation("1.5..2.5")], speed: [], drop: [], addMarkers: [] });
 * const out: string[] = [];
 * await editRecording(recording.header, recording.events, plan, {
 *   begin() {},
 *   event: (e) => out.push(e.data),
 *   drain: () => Promise.resolve(),
 * });
 * // out: ["a", <the snapshot of the screen showing "b">, "c"]
 * ```
 */
export async function editRecording(
  header: Header,
  events: AsyncIterator<Event>,
  plan: EditPlan,
  output: EditOutput,
  options: EditOptions = {},
): Promise<EditResult> {
  const editor = new _Editor(header, plan, output, options);
  try {
    return await editor.run(events);
  } finally {
    editor.dispose();
  }
}

// Bounds of the events held at the instant a part starts (see #atBoundary).
const MAX_HELD = 10_000;
const MAX_HELD_CHARS = 4 * 1024 * 1024;

class _Editor {
  #header: Header;
  #plan: EditPlan;
  #parts: readonly Part[];
  #markers: readonly PlannedMarker[];
  #output: EditOutput;
  #timeline: Timeline;
  #onProgress: ((time: number) => void) | undefined;
  #scrollback: boolean;
  #dropResizes: boolean;
  #dropInput: boolean;
  #dropMarkers: boolean;

  /** The part being kept or waited for. */
  #part = 0;
  /** The last part whose start has been handled. */
  #started = -1;
  /** The last part that starts after removed time: the emulator is needed up to it. */
  #lastJunction: number;
  #markerIndex = 0;
  /** Time of the next marker to add (Infinity when none is left). */
  #nextMarker: number;

  #vt: Vt | undefined;
  /** Events at the start of a part, waiting for its snapshot. */
  #held: Event[] = [];
  #heldChars = 0;
  /** The source size (followed also where no emulator runs). */
  #size: Size;
  /** Output that changes the screen was removed since the output last matched the source. */
  #dirty = false;
  #begun = false;
  #outSize: Size = { cols: 0, rows: 0 };

  #count = 0;
  #lastTime = 0;
  #written = 0;
  #snapshots = 0;

  constructor(header: Header, plan: EditPlan, output: EditOutput, options: EditOptions) {
    this.#header = header;
    this.#plan = plan;
    this.#parts = plan.parts;
    this.#markers = plan.markers;
    this.#output = output;
    this.#timeline = new Timeline(plan);
    this.#onProgress = options.onProgress;
    this.#scrollback = options.scrollback ?? true;
    this.#dropResizes = plan.drop.resizes;
    this.#dropInput = plan.drop.input;
    this.#dropMarkers = plan.drop.markers;
    this.#size = options.fixedSize ?? { cols: header.cols, rows: header.rows };
    this.#nextMarker = plan.markers[0]?.time ?? Infinity;
    this.#lastJunction = -1;
    for (let i = plan.parts.length - 1; i >= 0; i--) {
      if (i > 0 || plan.parts[i]!.from > 0) {
        this.#lastJunction = i;
        break;
      }
    }
    if (this.#lastJunction >= 0) {
      this.#vt = new Vt(this.#size.cols, this.#size.rows, { sync: true, skipScrolledOff: true });
    }
  }

  dispose(): void {
    this.#vt?.dispose();
    this.#vt = undefined;
  }

  async run(events: AsyncIterator<Event>): Promise<EditResult> {
    const pull = eventPuller(events);
    const parts = this.#parts;
    const readUntil = this.#plan.readUntil;
    let stoppedEarly = false;
    for (;;) {
      const nextMarker = this.#nextMarker;
      let event = pull();
      if (event instanceof Promise) event = await event;
      if (event === undefined) break;
      const time = event.time;
      const part = parts[this.#part];
      if (part !== undefined && time <= part.to && time <= nextMarker) {
        // The common case: no part boundary and no marker to add before this event.
        if (time < part.from) this.#remove(event);
        else if (this.#started >= this.#part) this.#keep(event);
        else await this.#slow(event);
      } else {
        await this.#slow(event);
      }
      this.#lastTime = time;
      if ((++this.#count & 1023) === 0) {
        await this.#output.drain();
        this.#onProgress?.(time);
      }
      // (An edit that has kept nothing reads on, to say how long the recording is.)
      if (time > readUntil && this.#part >= parts.length && this.#written > 0) {
        stoppedEarly = true;
        await events.return?.();
        break;
      }
    }
    await this.#finish(stoppedEarly);
    return {
      events: this.#written,
      sourceEvents: this.#count,
      lastTime: this.#lastTime,
      stoppedEarly,
      snapshots: this.#snapshots,
      emulated: this.#lastJunction >= 0,
    };
  }

  /** An event at a part boundary, or with markers to add before it. */
  async #slow(event: Event): Promise<void> {
    try {
      await this.#slowInner(event);
    } finally {
      this.#nextMarker = this.#markers[this.#markerIndex]?.time ?? Infinity;
    }
  }

  async #slowInner(event: Event): Promise<void> {
    const time = event.time;
    while (this.#markerIndex < this.#markers.length) {
      const marker = this.#markers[this.#markerIndex]!;
      if (marker.time >= time) break;
      this.#markerIndex++;
      await this.#addMarker(marker);
    }
    const parts = this.#parts;
    while (this.#part < parts.length && parts[this.#part]!.to < time) {
      await this.#startPart(this.#part);
      this.#part++;
    }
    const part = parts[this.#part];
    if (part === undefined || time < part.from) {
      this.#remove(event);
    } else if (this.#started >= this.#part) {
      this.#keep(event);
    } else if (time === part.from && part.from > 0) {
      await this.#atBoundary(event);
    } else {
      await this.#startPart(this.#part);
      this.#keep(event);
    }
  }

  /**
   * An event at the very start of a part that follows removed time. Whether the part has
   * any length is known only once a later event comes (a cut may end exactly where the
   * recording does), so output and resizes go into the snapshot, and the other events wait
   * for it.
   */
  async #atBoundary(event: Event): Promise<void> {
    const code = event.code;
    if (code === "o" || (code === "r" && !this.#dropResizes)) {
      this.#remove(event);
      return;
    }
    this.#held.push(event);
    this.#heldChars += event.data.length;
    if (this.#held.length > MAX_HELD || this.#heldChars > MAX_HELD_CHARS) {
      // Absurdly many events at one instant: start the part now, so memory stays bounded.
      // (Output at this same instant is then copied after the snapshot, which shows the
      // same screen in the end.)
      await this.#startPart(this.#part);
    }
  }

  async #finish(stoppedEarly: boolean): Promise<void> {
    const end = this.#lastTime;
    if (!stoppedEarly) checkTimes(this.#plan, end);
    while (this.#markerIndex < this.#markers.length) {
      await this.#addMarker(this.#markers[this.#markerIndex++]!);
    }
    // A part starting where the recording ends has no length: what waited for it goes.
    this.#held = [];
    const parts = this.#parts;
    // Kept time, or the start of the recording (which may be all there is of it).
    const keptSomething = parts.some((p) => p.from === 0 || Math.min(p.to, end) > p.from);
    if (this.#written === 0 || (!stoppedEarly && !keptSomething)) {
      throw new RangeError(
        `the edit leaves nothing of the recording, which lasts ${formatClock(end)}`,
      );
    }
  }

  async #addMarker(marker: PlannedMarker): Promise<void> {
    const parts = this.#parts;
    while (this.#part < parts.length && parts[this.#part]!.to < marker.time) {
      await this.#startPart(this.#part);
      this.#part++;
    }
    const part = parts[this.#part];
    if (part === undefined || marker.time < part.from) {
      throw new RangeError(`${marker.what} is in a part the edit removes`);
    }
    await this.#startPart(this.#part);
    this.#emit("m", marker.label, marker.time);
  }

  /**
   * Handles the start of part `index` (once): after removed output, the snapshot of the
   * source screen at the part's start; then the events that waited for it.
   */
  async #startPart(index: number): Promise<void> {
    if (index <= this.#started) return;
    this.#started = index;
    const part = this.#parts[index]!;
    const vt = this.#vt;
    if (vt === undefined) return; // the recording's own start: nothing was removed
    if (this.#dirty) {
      const size = { cols: vt.cols, rows: vt.rows };
      // Written into a terminal that has shown other output: a full reset first (RIS,
      // plus the two states xterm's RIS keeps: a hidden cursor and new-line mode).
      const reset = this.#begun ? "\x1bc\x1b[?25h\x1b[20l" : "";
      this.#begin(size);
      if (size.cols !== this.#outSize.cols || size.rows !== this.#outSize.rows) {
        this.#emit("r", formatSize(size), part.from);
      }
      const snapshot = reset + await vt.snapshot({ scrollback: this.#scrollback });
      if (snapshot !== "") {
        this.#emit("o", snapshot, part.from);
        this.#snapshots++;
      }
      this.#dirty = false;
    }
    const held = this.#held;
    this.#held = [];
    this.#heldChars = 0;
    for (const event of held) this.#keep(event, false);
    if (index >= this.#lastJunction) this.dispose();
  }

  /** Copies a kept event; `copy` when it is the event being read (not one that waited). */
  #keep(event: Event, copy = true): void {
    const code = event.code;
    if (code === "o") {
      if (this.#vt !== undefined) this.#addFeed(event.data);
    } else if (code === "r") {
      if (this.#dropResizes) return;
      this.#resize(event.data);
    } else if (code === "i") {
      if (this.#dropInput) return;
    } else if (code === "m") {
      if (this.#dropMarkers) return;
    }
    this.#emit(code, event.data, event.time, copy);
  }

  #remove(event: Event): void {
    const code = event.code;
    if (code === "o") {
      if (this.#vt === undefined) return;
      this.#addFeed(event.data);
      this.#dirty = true;
    } else if (code === "r" && !this.#dropResizes) {
      this.#resize(event.data);
      this.#dirty = true;
    }
  }

  #resize(data: string): void {
    const size = parseSize(data);
    if (size === undefined) return;
    this.#size = size;
    const vt = this.#vt;
    if (vt !== undefined) {
      vt.resize(size.cols, size.rows);
    }
  }

  #addFeed(data: string): void {
    // One feed per event, as in any other terminal that replays the recording: when xterm
    // throws on odd input it loses the rest of that one piece.
    this.#vt!.feed(data);
  }

  #begin(size: Size): void {
    if (this.#begun) return;
    this.#begun = true;
    this.#outSize = size;
    const header: Header = { ...this.#header, cols: size.cols, rows: size.rows };
    if (this.#plan.title !== undefined) header.title = this.#plan.title;
    this.#output.begin(header);
  }

  /** Writes one event; `copy` when it is the source event being read. */
  #emit(code: string, data: string, sourceTime: number, copy = false): void {
    if (!this.#begun) this.#begin(this.#size);
    if (code === "r") {
      const size = parseSize(data);
      if (size !== undefined) this.#outSize = size;
    }
    const time = this.#timeline.map(sourceTime);
    this.#output.event({ time, code, data }, sourceTime, this.#count + (copy ? 1 : 0));
    this.#written++;
  }
}
