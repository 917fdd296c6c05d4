/**
 * `asciirec convert IN OUT`: converts a recording (v1/v2/v3; a path, URL or `-`) to asciicast
 * v3 (default), v2, raw terminal output or plain text, or exports it as a picture (SVG, GIF,
 * PNG) or a self-contained HTML page, to a file or `-` (stdout), with the asciinema 3.x rules
 * for existing files.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from "./command.ts";
import type { Event } from "../asciicast/event.ts";
import { eventPuller, openRecording } from "../asciicast/reader.ts";
import { parseTimePoint, type TimePoint } from "../asciicast/time_spec.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import { type Format, FORMATS, outputFormat } from "../format/registry.ts";
import { setQuiet, warn } from "./_output.ts";
import { openOutputFile, type OutputFile, refuseSameFile } from "./_output_file.ts";
import { ProgressBar } from "./_progress.ts";
import { UsageError } from "./usage_error.ts";
import type { ExportOptions } from "../export/options.ts";

/** Builds the `convert` command. */
export function convertCommand(): Command {
  const pictures = FORMATS.filter((f) => f.picture).map((f) => f.name).join(", ");
  const wholeFirst = FORMATS.filter((f) => f.picture && !f.streaming).map((f) => f.name);
  return new Command("convert")
    .description(
      "convert a recording to another format (asciicast v3/v2, raw output, text), " +
        "or export it as SVG, GIF, PNG or an HTML page",
    )
    .argument("<input>", "recording to read: a path, an http(s) URL, or - for stdin")
    .argument("<output>", "file to write, or - for stdout; parent directories are not created")
    .addOption(
      new Option(
        "-f, --output-format <format>",
        "output format (default asciicast-v3; else what OUTPUT's ending means: " +
          ".txt, .svg, .gif, .png, .html)",
      ).choices(FORMATS.map((f) => f.name)),
    )
    .option("--overwrite", "overwrite OUTPUT if it exists and is not empty")
    .option("-q, --quiet", "hide warnings and the progress bar")
    .optionsGroup(`Picture options (${pictures}):`)
    .option(
      "--theme <name|file>",
      "colours: asciinema, dracula, monokai, solarized-dark, solarized-light, nord, " +
        "gruvbox-dark, tango, or a JSON file (default: the recording's own theme, else asciinema)",
    )
    .option("--speed <factor>", "playback speed (default 1)", _positive("The speed"))
    .option(
      "--idle-limit <secs>",
      "shorten every pause to at most this (default: the recording's idle time limit, else 2)",
      _number("The idle limit", 0),
    )
    .option("--from <time>", "start here: 12.5, mm:ss, hh:mm:ss, marker:LABEL or m3", _point)
    .option("--to <time>", "end here (same notation)", _point)
    .option(
      "--at <time>",
      "a still picture of this moment (png, svg; png default: the end)",
      _point,
    )
    .option("--fps <n>", "at most this many frames a second (default 30, at most 50)", _fps)
    .option("--no-loop", "play the animation once")
    .option(
      "--last-frame <secs>",
      "how long the last frame stays before the animation starts again (default 3)",
      _number("The last frame's duration", 0),
    )
    .option("--font-size <px>", "font size in pixels (default 14)", _number("The font size", 4))
    .option(
      "--line-height <factor>",
      "line height, a multiple of the font size (default 1.4)",
      _number("The line height", 1),
    )
    .option("--padding <px>", "space around the terminal (default 10)", _number("The padding", 0))
    .option("--window", "draw a window frame with a title bar")
    .option("--cols <n>", "render this many columns (resizes are then ignored)", _size("cols"))
    .option("--rows <n>", "render this many rows (resizes are then ignored)", _size("rows"))
    .addHelpText(
      "after",
      `
Examples:
  asciirec convert demo.cast demo-v2.cast -f asciicast-v2
  asciirec convert old-v1.json new.cast
  asciirec convert demo.cast demo.txt          # final terminal text
  asciirec convert https://asciinema.org/a/123 - | less -R
  asciirec convert demo.cast demo.gif --theme dracula --window
  asciirec convert demo.cast demo.svg --from 5 --to marker:done --speed 2
  asciirec convert demo.cast demo.png --at 1:30
  asciirec convert demo.cast demo.html         # plays offline, player included

GIF and PNG are written as the recording is read (constant memory); ${
        wholeFirst.join(" and ")
      } need the whole recording in memory first.

INPUT may be gzip or zstd compressed (recognised by its bytes). An OUTPUT name ending in .gz
or .zst is compressed (gzip, zstd), in the format the rest of the name means. OUTPUT is
written to a temporary file beside it and renamed into place when the conversion succeeds.`,
    )
    .action(async (input: string, output: string, opts: ConvertFlags) => {
      setQuiet(Boolean(opts.quiet));
      const format = outputFormat(output, opts.outputFormat);
      await convert(input, output, format, {
        overwrite: Boolean(opts.overwrite),
        formatOptions: await _pictureOptions(format, opts),
        progress: Boolean(format.picture && !opts.quiet && Deno.stderr.isTerminal()),
      });
    });
}

/** The flags: the export options as given (a theme by name or file), and convert's own. */
interface ConvertFlags extends Omit<ExportOptions, "theme" | "report"> {
  outputFormat?: string;
  overwrite?: boolean;
  quiet?: boolean;
  theme?: string;
}

const _PICTURE_FLAGS = [
  ["theme", "--theme"],
  ["speed", "--speed"],
  ["idleLimit", "--idle-limit"],
  ["from", "--from"],
  ["to", "--to"],
  ["at", "--at"],
  ["fps", "--fps"],
  ["lastFrame", "--last-frame"],
  ["fontSize", "--font-size"],
  ["lineHeight", "--line-height"],
  ["padding", "--padding"],
  ["window", "--window"],
  ["cols", "--cols"],
  ["rows", "--rows"],
] as const;

/** The export options for a picture format; a usage error when given for another format. */
async function _pictureOptions(
  format: Format,
  opts: ConvertFlags,
): Promise<Record<string, unknown> | undefined> {
  const given: string[] = _PICTURE_FLAGS.filter(([key]) => opts[key] !== undefined).map((
    [, flag],
  ) => flag);
  if (opts.loop === false) given.push("--no-loop");
  if (!format.picture) {
    if (given.length > 0) {
      throw new UsageError(
        `${given.join(", ")} only apply to pictures (svg, gif, png, html), not ${format.name}`,
      );
    }
    return undefined;
  }
  if (opts.at !== undefined && (format.name === "gif" || format.name === "html")) {
    throw new UsageError(`--at makes a still picture: write a .png or .svg, not ${format.name}`);
  }
  if (opts.at !== undefined && (opts.from !== undefined || opts.to !== undefined)) {
    throw new UsageError("--at cannot be combined with --from or --to");
  }
  let theme;
  if (opts.theme !== undefined) {
    const { loadTheme } = await import("../export/theme.ts");
    theme = await loadTheme(opts.theme);
  }
  const options: Record<string, unknown> = {};
  for (const [key] of _PICTURE_FLAGS) if (opts[key] !== undefined) options[key] = opts[key];
  if (theme) options.theme = theme;
  options.loop = opts.loop !== false;
  options.report = {};
  return options;
}

function _number(what: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min) {
      throw new InvalidArgumentError(`${what} must be a number, ${min} or more.`);
    }
    return n;
  };
}

function _positive(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !(n > 0) || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`${what} must be a positive number, e.g. 2 or 0.5.`);
    }
    return n;
  };
}

function _fps(value: string): number {
  const n = Number(value);
  if (!(n >= 1 && n <= 50)) throw new InvalidArgumentError("The frame rate must be 1 to 50.");
  return n;
}

function _size(what: string) {
  return (value: string): number => {
    const n = Number(value);
    const max = what === "cols" ? 720 : 200;
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`--${what} must be a whole number from 1 to ${max}.`);
    }
    return n;
  };
}

function _point(value: string): TimePoint {
  try {
    return parseTimePoint(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

interface _ConvertOptions {
  overwrite: boolean;
  formatOptions?: Record<string, unknown>;
  progress: boolean;
}

async function convert(input: string, output: string, format: Format, o: _ConvertOptions) {
  const encoder = await format.load();
  const total = o.progress ? await _duration(input) : undefined;
  const recording = await openRecording(input, { onWarning: warn });
  let out: OutputFile;
  try {
    await refuseSameFile(input, output);
    out = await openOutputFile(output, { format: format.name, overwrite: o.overwrite });
  } catch (error) {
    await recording.close();
    throw error;
  }
  let writer: CastWriter | undefined;
  try {
    writer = createCastWriter(out.writable, recording.header, {
      encoder,
      formatOptions: o.formatOptions,
      ...out.writer,
    });
    const bar = o.progress ? new ProgressBar(`rendering ${format.name}`, total) : undefined;
    try {
      await _pump(recording.events, writer, bar && ((time) => bar.update(time)));
      await writer.close();
    } finally {
      bar?.done();
    }
    await out.commit();
    const missing = (o.formatOptions?.report as { missing?: string[] } | undefined)?.missing;
    if (missing && missing.length > 0) {
      warn(
        `the font has no glyph for ${missing.slice(0, 20).join(" ")}${
          missing.length > 20 ? " …" : ""
        }: drawn as boxes`,
      );
    }
  } catch (error) {
    await recording.close();
    await writer?.close().catch(() => {});
    await out.discard();
    if (error instanceof Deno.errors.BrokenPipe && output === "-") return;
    throw error;
  }
}

/**
 * The duration of a recording file (its last event's time), for a progress bar; undefined
 * for stdin and URLs, which cannot be read twice.
 */
async function _duration(input: string): Promise<number | undefined> {
  if (input === "-" || /^https?:\/\//i.test(input)) return undefined;
  const recording = await openRecording(input);
  let last = 0;
  try {
    for await (const event of recording.events) last = event.time;
  } catch {
    return undefined;
  } finally {
    await recording.close();
  }
  return last;
}

/**
 * Copies every event, letting the writer catch up now and then so memory stays bounded;
 * `onProgress` hears the time reached every 128 events.
 */
export async function _pump(
  events: AsyncIterableIterator<Event>,
  writer: CastWriter,
  onProgress?: (time: number) => void,
): Promise<void> {
  const pull = eventPuller(events);
  let n = 0;
  for (;;) {
    let event = pull();
    if (event instanceof Promise) event = await event;
    if (event === undefined) break;
    writer.write(event);
    if ((++n & 127) === 0) {
      onProgress?.(event.time);
      await writer.drain();
    }
  }
}

/**
 * A stream that writes synchronously: for a command that has nothing else to do meanwhile,
 * this skips a thread hop per chunk.
 */
export function _syncWritable(file: Deno.FsFile | typeof Deno.stdout): WritableStream<Uint8Array> {
  return new WritableStream({
    write(chunk) {
      for (let done = 0; done < chunk.length;) done += file.writeSync(chunk.subarray(done));
    },
    close() {
      if (file !== Deno.stdout) file.close();
    },
    abort() {
      if (file !== Deno.stdout) file.close();
    },
  });
}
