/**
 * `asciirec cat FILE FILE…`: joins recordings into one, on one timeline, written to stdout
 * (or `-o FILE`, compressed for a `.gz`/`.zst` name) in the first recording's version
 * (asciicast.md §10).
 *
 * @module
 */
import { Command } from "./command.ts";
import { concatRecordings } from "../asciicast/concat.ts";
import { openRecording, type Recording } from "../asciicast/reader.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import { setQuiet, warn } from "./_output.ts";
import { openOutputFile, type OutputFile } from "./_output_file.ts";
import { _pump } from "./convert.ts";
import { UsageError } from "./usage_error.ts";

interface CatFlags {
  output?: string;
  overwrite?: boolean;
  quiet?: boolean;
}

/** Builds the `cat` command. */
export function catCommand(): Command {
  return new Command("cat")
    .description("join recordings into one, on one timeline, written to stdout")
    .argument("<files...>", "two or more recordings: paths, http(s) URLs, or - for stdin")
    .option("-o, --output <file>", "write to FILE instead of stdout (.gz/.zst: compressed)")
    .option("--overwrite", "overwrite the -o file if it exists and is not empty")
    .option("-q, --quiet", "hide warnings")
    .addHelpText(
      "after",
      `
The output has the first recording's version (v2 or v3) and header; each next recording
continues where the previous one ended, with an "r" event where the terminal size changes.
Inputs may be gzip or zstd compressed.

Examples:
  asciirec cat part1.cast part2.cast part3.cast > whole.cast
  asciirec cat -o whole.cast.zst part1.cast.gz part2.cast`,
    )
    .action(async (files: string[], opts: CatFlags) => {
      setQuiet(Boolean(opts.quiet));
      if (files.length < 2) throw new UsageError("cat needs at least two recordings");
      if (files.filter((f) => f === "-").length > 1) {
        throw new UsageError("stdin (-) can be given only once");
      }
      await cat(files, opts);
    });
}

async function cat(files: string[], opts: CatFlags): Promise<void> {
  const recordings: Recording[] = [];
  const closeAll = async () => {
    for (const recording of recordings) await recording.close();
  };
  try {
    for (const file of files) recordings.push(await openRecording(file, { onWarning: warn }));
  } catch (error) {
    await closeAll();
    throw error;
  }
  const first = recordings[0]!;
  if (first.header.version === 1) {
    await closeAll();
    throw new Error(
      `${first.name}: asciicast v1 files can't be concatenated (the output takes the first ` +
        `file's version); convert it to v3 first`,
    );
  }
  const version = first.header.version === 2 ? "asciicast-v2" : "asciicast-v3";
  let out: OutputFile;
  try {
    out = await openOutputFile(opts.output ?? "-", {
      format: version,
      overwrite: Boolean(opts.overwrite),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const joined = concatRecordings(recordings);
  let writer: CastWriter | undefined;
  try {
    writer = createCastWriter(out.writable, joined.header, {
      encoder: await out.format.load(),
      ...out.writer,
      flushBytes: Math.max(out.writer.flushBytes, 1 << 20),
    });
    await _pump(joined.events, writer);
    await writer.close();
    await out.commit();
  } catch (error) {
    await joined.events.return?.(undefined);
    await writer?.close().catch(() => {});
    await out.discard();
    if (error instanceof Deno.errors.BrokenPipe && out.path === "-") return;
    throw error;
  }
}
