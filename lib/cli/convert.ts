/**
 * `asciirec convert IN OUT`: converts a recording (v1/v2/v3; a path, URL or `-`) to asciicast
 * v3 (default), v2, raw terminal output or plain text, to a file or `-` (stdout), with the
 * asciinema 3.x rules for existing files.
 *
 * @module
 */
import { Command, Option } from "commander";
import type { Event } from "../asciicast/event.ts";
import { openRecording } from "../asciicast/reader.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import { FORMATS } from "../format/registry.ts";
import { setQuiet, warn } from "./_output.ts";
import { openOutputFile, type OutputFile } from "./_output_file.ts";

/** Builds the `convert` command. */
export function convertCommand(): Command {
  return new Command("convert")
    .description("convert a recording to another format (asciicast v3/v2, raw output, text)")
    .argument("<input>", "recording to read: a path, an http(s) URL, or - for stdin")
    .argument("<output>", "file to write, or - for stdout; parent directories are not created")
    .addOption(
      new Option(
        "-f, --output-format <format>",
        "output format (default asciicast-v3; txt when OUTPUT ends in .txt)",
      ).choices(FORMATS.map((f) => f.name)),
    )
    .option("--overwrite", "overwrite OUTPUT if it exists and is not empty")
    .option("-q, --quiet", "hide warnings")
    .addHelpText("after", () => `
Formats:
${
      FORMATS.map((f) =>
        `  ${f.name.padEnd(14)} ${f.description}${
          f.streaming ? "" : " (not streamed: holds the whole recording in memory)"
        }`
      ).join("\n")
    }

INPUT may be gzip or zstd compressed (recognised by its bytes). An OUTPUT name ending in .gz
or .zst is compressed (gzip, zstd), in the format the rest of the name means. OUTPUT is
written to a temporary file beside it and renamed into place on success.

Examples:
  asciirec convert demo.cast demo-v2.cast -f asciicast-v2
  asciirec convert old-v1.json new.cast
  asciirec convert demo.cast demo.txt          # final terminal text
  asciirec convert huge.cast huge.cast.zst     # compressed
  asciirec convert https://asciinema.org/a/123 - | less -R`)
    .action(async (input: string, output: string, opts: ConvertFlags) => {
      setQuiet(Boolean(opts.quiet));
      await convert(input, output, opts);
    });
}

interface ConvertFlags {
  outputFormat?: string;
  overwrite?: boolean;
  quiet?: boolean;
}

async function convert(input: string, output: string, opts: ConvertFlags) {
  const recording = await openRecording(input, { onWarning: warn });
  let out: OutputFile;
  try {
    await _refuseSameFile(input, output);
    out = await openOutputFile(output, {
      format: opts.outputFormat,
      overwrite: Boolean(opts.overwrite),
    });
  } catch (error) {
    await recording.close();
    throw error;
  }
  let writer: CastWriter | undefined;
  try {
    writer = createCastWriter(out.writable, recording.header, {
      encoder: await out.format.load(),
      ...out.writer,
    });
    await _pump(recording.events, writer);
    await writer.close();
    await out.commit();
  } catch (error) {
    await recording.close();
    await writer?.close().catch(() => {});
    await out.discard();
    if (error instanceof Deno.errors.BrokenPipe && output === "-") return;
    throw error;
  }
}

/** Copies every event, letting the writer catch up now and then so memory stays bounded. */
export async function _pump(
  events: AsyncIterableIterator<Event>,
  writer: CastWriter,
): Promise<void> {
  // The reader's iterator can hand out buffered events without a promise each.
  const pullSync = (events as { pullSync?: () => Event | undefined }).pullSync?.bind(events);
  let n = 0;
  for (;;) {
    let event = pullSync?.();
    if (event === undefined) {
      const result = await events.next();
      if (result.done) break;
      event = result.value;
    }
    writer.write(event);
    if ((++n & 127) === 0) await writer.drain();
  }
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
