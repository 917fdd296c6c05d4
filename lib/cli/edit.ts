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
import { Command, InvalidArgumentError, Option } from "./command.ts";
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
import { openOutputFile, refuseSameFile, removeOnSignal } from "./_output_file.ts";
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
  await refuseSameFile(input, output);
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
    const out = await openOutputFile(output, {
      format: options.format.name,
      overwrite: options.overwrite,
    });
    cleanup.push(() => out.discard());
    let writer: CastWriter | undefined;
    cleanup.push(() => writer?.close() ?? Promise.resolve());
    const progress = options.progress ? new ProgressBar("editing", facts.duration) : undefined;
    try {
      await editRecording(recording.header, recording.events, plan, {
        begin(header: Header) {
          writer = createCastWriter(out.writable, header, { encoder, ...out.writer });
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
  // Made and armed for removal in one synchronous step (see `openOutputFile`).
  const path = Deno.makeTempFileSync({ prefix: "asciirec-edit-stdin-", suffix: ".cast" });
  const unlisten = removeOnSignal(path);
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
