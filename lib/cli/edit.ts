/**
 * `asciirec edit IN OUT [operations…]`: keeps, cuts, speeds up, caps pauses, drops event
 * kinds and adds markers, with the screen right after every cut (see `lib/edit/`); and
 * `asciirec edit IN --list`, which prints what a user needs to choose the times.
 *
 * IN is read once, or twice when a time names a marker or resizes are dropped (first for
 * the markers and sizes; stdin is then kept in a temporary file meanwhile). OUT is written
 * to a temporary file beside it and renamed when the edit succeeds.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { Event, Header, Size } from "../asciicast/event.ts";
import { type ByteSource, openRecording, openRecordingSource } from "../asciicast/reader.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import { type Format, FORMATS, outputFormat } from "../format/registry.ts";
import {
  DROP_KINDS,
  type DropKind,
  type EditOperations,
  parseAddMarker,
  parseDropKinds,
  parseRangeOperation,
  parseSeconds,
  parseSpeed,
  refersToMarkers,
} from "../edit/operations.ts";
import { type EditPlan, planEdit, type RecordingFacts } from "../edit/plan.ts";
import { formatSummary, type RecordingSummary, summarizeRecording } from "../edit/summary.ts";
import { _syncWritable } from "./convert.ts";
import { setQuiet, warn } from "./_output.ts";
import { ProgressBar } from "./_progress.ts";
import { UsageError } from "./usage_error.ts";

/** The formats `edit` writes: recordings, not pictures (`convert` makes those). */
const RECORDING_FORMATS = FORMATS.filter((f) => !f.picture);

/** Builds the `edit` command. */
export function editCommand(): Command {
  const many = <T>(parse: (text: string) => T) => (text: string, previous: T[] = []): T[] => {
    try {
      return [...previous, parse(text)];
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
  const one = <T>(parse: (text: string) => T) => (text: string): T => many(parse)(text)[0]!;
  return new Command("edit")
    .description(
      "cut, trim, speed up or mark a recording; the screen stays right after every cut",
    )
    .argument("<input>", "recording to read: a path, an http(s) URL, or - for stdin")
    .argument("[output]", "file to write, or - for stdout (not with --list)")
    .option(
      "--keep <range>",
      "keep only FROM..TO (repeatable: the ranges are joined)",
      many(parseRangeOperation),
    )
    .option(
      "--cut <range>",
      "remove FROM..TO (repeatable; overlapping ranges merge)",
      many(parseRangeOperation),
    )
    .option(
      "--speed <x[@range]>",
      "play X times as fast, everywhere or in FROM..TO (repeatable)",
      many(parseSpeed),
    )
    .option(
      "--idle-limit <secs>",
      "shorten every pause longer than SECS to SECS",
      one(parseSeconds),
    )
    .option(`--drop <kinds>`, `drop event kinds: ${DROP_KINDS.join(",")}`, many(parseDropKinds))
    .option("--add-marker <time[:label]>", "add a marker (repeatable)", many(parseAddMarker))
    .option("--title <text>", "set the title")
    .option("--list", "print the duration, markers, resizes and long pauses, and write nothing")
    .addOption(
      new Option(
        "-f, --output-format <format>",
        "output format (default asciicast-v3; txt when OUTPUT ends in .txt)",
      ).choices(RECORDING_FORMATS.map((f) => f.name)),
    )
    .option("--overwrite", "overwrite OUTPUT if it exists and is not empty")
    .option("-q, --quiet", "hide progress and warnings")
    .addHelpText(
      "after",
      `
Times are seconds (12.5), mm:ss[.fff], hh:mm:ss[.fff], marker:LABEL or mN (the Nth marker),
always times of IN. Ranges are FROM..TO, FROM.. or ..TO.

Order of operations: --keep, then --cut (what is kept; the screen is rebuilt where a kept
part starts after removed time), --drop, --add-marker, --idle-limit, --speed, --title.

Examples:
  asciirec edit demo.cast --list
  asciirec edit demo.cast short.cast --cut 1:05..2:30 --idle-limit 2
  asciirec edit demo.cast part.cast --keep marker:setup..marker:done --speed 2
  asciirec edit demo.cast quick.cast --speed 4@m2..m3 --drop input --add-marker 0:12:build`,
    )
    .action(async (input: string, output: string | undefined, flags: EditFlags) => {
      setQuiet(Boolean(flags.quiet));
      const ops: EditOperations = {
        keep: flags.keep ?? [],
        cut: flags.cut ?? [],
        speed: flags.speed ?? [],
        idleLimit: flags.idleLimit,
        drop: [...new Set((flags.drop ?? []).flat())],
        addMarkers: flags.addMarker ?? [],
        title: flags.title,
      };
      if (flags.list) {
        if (output !== undefined) throw new UsageError("--list prints to stdout: give no OUTPUT");
        const others = ops.keep.length + ops.cut.length + ops.speed.length + ops.drop.length +
          ops.addMarkers.length + (ops.title === undefined ? 0 : 1) +
          (flags.outputFormat === undefined && !flags.overwrite ? 0 : 1);
        if (others > 0) {
          throw new UsageError("--list takes no edit operations (only --idle-limit)");
        }
        await listRecording(input, ops.idleLimit);
        return;
      }
      if (output === undefined) {
        throw new UsageError("give the OUTPUT file (or - for stdout), or --list");
      }
      const format = outputFormat(output, flags.outputFormat);
      if (format.picture) {
        throw new UsageError(
          `edit writes recordings (${
            RECORDING_FORMATS.map((f) => f.name).join(", ")
          }): make the ${format.name} from the edited recording with asciirec convert`,
        );
      }
      await editFile(input, output, ops, {
        format,
        overwrite: Boolean(flags.overwrite),
        progress: !flags.quiet && Deno.stderr.isTerminal(),
      });
    });
}

interface EditFlags {
  keep?: EditOperations["keep"];
  cut?: EditOperations["cut"];
  speed?: EditOperations["speed"];
  idleLimit?: number;
  drop?: DropKind[][];
  addMarker?: EditOperations["addMarkers"];
  title?: string;
  list?: boolean;
  outputFormat?: string;
  overwrite?: boolean;
  quiet?: boolean;
}

async function listRecording(input: string, idleLimit: number | undefined): Promise<void> {
  const recording = await openRecording(input, { onWarning: warn });
  const limit = idleLimit ??
    (recording.header.idleTimeLimit === undefined
      ? undefined
      : Math.round(recording.header.idleTimeLimit * 1e6));
  let summary: RecordingSummary;
  try {
    summary = await summarizeRecording(recording.header, recording.events, { idleLimit: limit });
  } finally {
    await recording.close();
  }
  const text = formatSummary(recording.name, summary);
  const bytes = new TextEncoder().encode(text);
  for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
}

interface EditFileOptions {
  format: Format;
  overwrite: boolean;
  progress: boolean;
}

/** Runs an edit from IN to OUT; OUT appears only when it succeeds. */
async function editFile(
  input: string,
  output: string,
  ops: EditOperations,
  options: EditFileOptions,
): Promise<void> {
  const encoder = await options.format.load();
  const { editRecording } = await import("../edit/editor.ts");
  await _refuseSameFile(input, output);
  // Refuse an existing OUT before reading anything.
  await _checkOutput(output, options.overwrite);
  const cleanup: (() => Promise<void>)[] = [];
  try {
    let source: _Source = { open: (onWarning) => openRecording(input, { onWarning }) };
    let facts: RecordingFacts = {};
    let fixedSize: Size | undefined;
    const dropResizes = ops.drop.includes("resizes");
    if (refersToMarkers(ops) || dropResizes) {
      // Markers and the largest size are needed before the edit: a first pass.
      if (input === "-") {
        source = await _spoolStdin();
        cleanup.push(source.remove!);
      }
      const summary = await _summarize(source);
      facts = { markers: summary.markers, duration: summary.duration };
      if (dropResizes) fixedSize = summary.largest;
    }
    let plan: EditPlan;
    try {
      plan = planEdit(ops, facts);
    } catch (error) {
      if (!(error instanceof RangeError) || facts.duration !== undefined) throw error;
      // Say how long the recording is, which the user needs to fix the range.
      const summary = await _summarize(source);
      planEdit(ops, { ...facts, duration: summary.duration });
      throw error;
    }

    const recording = await source.open(warn);
    cleanup.push(() => recording.close());
    const out = await _openOutput(output);
    cleanup.push(() => out.abort());
    let writer: CastWriter | undefined;
    cleanup.push(() => writer?.close() ?? Promise.resolve());
    const progress = options.progress ? new ProgressBar("editing", facts.duration) : undefined;
    try {
      await editRecording(recording.header, recording.events, plan, {
        begin(header: Header) {
          writer = createCastWriter(out.writable, header, {
            encoder,
            flushBytes: 256 * 1024,
            flushIntervalMs: 1000,
          });
        },
        event(event: Event) {
          writer!.write(event);
        },
        drain: () => writer?.drain() ?? Promise.resolve(),
      }, {
        fixedSize,
        onProgress: progress && ((time) => progress.update(time)),
        // Text is read, not replayed: lines rebuilt above the screen would read as new ones.
        scrollback: options.format.name !== "txt",
      });
    } finally {
      progress?.done();
    }
    await writer!.close();
    await out.commit();
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe && output === "-") return;
    throw error;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  }
}

interface _Source {
  open(onWarning?: (message: string) => void): ReturnType<typeof openRecording>;
  /** Removes the temporary copy (stdin kept for two passes). */
  remove?: () => Promise<void>;
}

/** A first pass over IN (its warnings come with the second). */
async function _summarize(source: _Source): Promise<RecordingSummary> {
  const recording = await source.open();
  try {
    return await summarizeRecording(recording.header, recording.events);
  } finally {
    await recording.close();
  }
}

/** Copies stdin into a temporary file, so it can be read twice. */
async function _spoolStdin(): Promise<_Source> {
  const path = await Deno.makeTempFile({ prefix: "asciirec-edit-stdin-", suffix: ".cast" });
  const unlisten = _removeOnSignal(path);
  const file = await Deno.open(path, { write: true, truncate: true });
  await Deno.stdin.readable.pipeTo(file.writable);
  return {
    async open(onWarning) {
      const file = await Deno.open(path, { read: true });
      let closed = false;
      const bytes: ByteSource = {
        prefetch: true,
        read: (into) => file.read(into),
        close() {
          if (!closed) {
            closed = true;
            file.close();
          }
        },
      };
      return await openRecordingSource("stdin", bytes, { onWarning });
    },
    remove: () => {
      unlisten();
      return Deno.remove(path).catch(() => {});
    },
  };
}

async function _refuseSameFile(input: string, output: string): Promise<void> {
  if (input === "-" || output === "-" || /^https?:\/\//i.test(input)) return;
  try {
    const [a, b] = await Promise.all([Deno.realPath(input), Deno.realPath(output)]);
    if (a === b) throw new Error(`${output} is the input file; write to another file`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function _checkOutput(path: string, overwrite: boolean): Promise<void> {
  if (path === "-") return;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (info.isDirectory) throw new Error(`${path} is a directory`);
  if (info.isFile && info.size > 0 && !overwrite) {
    throw new Error(`${path}: file exists, use --overwrite option to overwrite the file`);
  }
}

/** An output being written: `commit` makes it OUT, `abort` leaves no trace of it. */
interface _Output {
  writable: WritableStream<Uint8Array>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Opens OUT: stdout for `-`; a device or pipe as it is; otherwise a new temporary file
 * beside it, renamed over it by `commit` (so a failed or killed edit leaves no OUT). The
 * one place that opens the output, so it can move to a shared helper.
 */
async function _openOutput(path: string): Promise<_Output> {
  const done = () => Promise.resolve();
  if (path === "-") return { writable: _syncWritable(Deno.stdout), commit: done, abort: done };
  const existing = await Deno.stat(path).catch(() => undefined);
  if (existing !== undefined && !existing.isFile) {
    const file = await Deno.open(path, { write: true });
    return { writable: _syncWritable(file), commit: done, abort: done };
  }
  const slash = path.lastIndexOf("/");
  const dir = slash === -1 ? "." : path.slice(0, slash + 1);
  const temp = `${dir}${slash === -1 ? "/" : ""}.${path.slice(slash + 1)}.${
    crypto.randomUUID().slice(0, 8)
  }.edit-tmp`;
  let file: Deno.FsFile;
  try {
    // Created like any new file (mode 0666 less the umask), or with OUT's own mode.
    file = await Deno.open(temp, { write: true, createNew: true, mode: 0o666 });
    if (existing?.mode != null) await Deno.chmod(temp, existing.mode & 0o7777);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`cannot create ${path}: its directory does not exist`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Error(`cannot create ${path}: permission denied`);
    }
    throw error;
  }
  // A killed edit leaves no OUT; an interrupted one does not leave its temporary file either.
  const unlisten = _removeOnSignal(temp);
  let finished = false;
  return {
    writable: _syncWritable(file),
    async commit() {
      finished = true;
      unlisten();
      await Deno.rename(temp, path);
    },
    async abort() {
      if (finished) return;
      finished = true;
      unlisten();
      try {
        file.close();
      } catch { /* closed by the writer */ }
      await Deno.remove(temp).catch(() => {});
    },
  };
}

/** Temporary files to remove if the program is interrupted. */
const _temporary = new Set<string>();
let _handlers: [Deno.Signal, () => void][] = [];

/**
 * Until the returned function is called, SIGINT, SIGTERM and SIGHUP remove `path` (with
 * any other such file) and end the program with status 128 + the signal's number.
 */
function _removeOnSignal(path: string): () => void {
  if (_temporary.size === 0) {
    const numbers: [Deno.Signal, number][] = [["SIGHUP", 1], ["SIGINT", 2], ["SIGTERM", 15]];
    _handlers = numbers.map(([signal, number]) => [signal, () => {
      for (const temporary of _temporary) {
        try {
          Deno.removeSync(temporary);
        } catch { /* already gone */ }
      }
      Deno.exit(128 + number);
    }]);
    for (const [signal, handler] of _handlers) Deno.addSignalListener(signal, handler);
  }
  _temporary.add(path);
  return () => {
    if (!_temporary.delete(path) || _temporary.size > 0) return;
    for (const [signal, handler] of _handlers) Deno.removeSignalListener(signal, handler);
    _handlers = [];
  };
}
