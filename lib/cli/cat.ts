/**
 * `asciirec cat FILE FILE…`: joins recordings into one, on one timeline, written to stdout
 * in the first recording's version (asciicast.md §10).
 *
 * @module
 */
import { Command } from "./command.ts";
import { concatRecordings } from "../asciicast/concat.ts";
import { openRecording, type Recording } from "../asciicast/reader.ts";
import { createCastWriter } from "../asciicast/writer.ts";
import { v2Encoder, v3Encoder } from "../asciicast/encoder.ts";
import { setQuiet, warn } from "./_output.ts";
import { _pump, _syncWritable } from "./convert.ts";
import { UsageError } from "./usage_error.ts";

/** Builds the `cat` command. */
export function catCommand(): Command {
  return new Command("cat")
    .description("join recordings into one, on one timeline, written to stdout")
    .argument("<files...>", "two or more recordings: paths, http(s) URLs, or - for stdin")
    .option("-q, --quiet", "hide warnings")
    .addHelpText(
      "after",
      `
The output has the first recording's version (v2 or v3) and header; each next recording
continues where the previous one ended, with an "r" event where the terminal size changes.

Example:
  asciirec cat part1.cast part2.cast part3.cast > whole.cast`,
    )
    .action(async (files: string[], opts: { quiet?: boolean }) => {
      setQuiet(Boolean(opts.quiet));
      if (files.length < 2) throw new UsageError("cat needs at least two recordings");
      if (files.filter((f) => f === "-").length > 1) {
        throw new UsageError("stdin (-) can be given only once");
      }
      await cat(files);
    });
}

async function cat(files: string[]): Promise<void> {
  const recordings: Recording[] = [];
  try {
    for (const file of files) recordings.push(await openRecording(file, { onWarning: warn }));
  } catch (error) {
    for (const recording of recordings) await recording.close();
    throw error;
  }
  const first = recordings[0]!;
  if (first.header.version === 1) {
    for (const recording of recordings) await recording.close();
    throw new Error(
      `${first.name}: asciicast v1 files can't be concatenated (the output takes the first ` +
        `file's version); convert it to v3 first`,
    );
  }
  const joined = concatRecordings(recordings);
  const writer = createCastWriter(_syncWritable(Deno.stdout), joined.header, {
    encoder: joined.header.version === 2 ? v2Encoder : v3Encoder,
    flushBytes: 1 << 20,
    flushIntervalMs: 1000,
  });
  try {
    await _pump(joined.events, writer);
    await writer.close();
  } catch (error) {
    await joined.events.return?.(undefined);
    await writer.close().catch(() => {});
    if (error instanceof Deno.errors.BrokenPipe) return;
    throw error;
  }
}
