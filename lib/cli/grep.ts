/**
 * `asciirec grep PATTERN FILE…`: searches what a viewer saw in recordings — the text on the
 * screen as it was drawn (cursor movement, redraws, full-screen programs, lines that
 * scrolled away), not the raw bytes — and prints each match with its time and nearest
 * marker, ready for `asciirec play --from TIME`.
 *
 * Exit status as grep's: 0 when something matched, 1 when nothing did, 2 on an error.
 *
 * @module
 */
import { Command, InvalidArgumentError } from "./command.ts";
import { openRecording } from "../asciicast/reader.ts";
import { formatClock } from "../asciicast/time_spec.ts";
import { type ContextLine, type SearchMatch, searchRecording } from "../search/search_recording.ts";
import { setQuiet, warn } from "./_output.ts";
import { ProgressBar } from "./_progress.ts";
import { UsageError } from "./usage_error.ts";

interface GrepFlags {
  ignoreCase?: boolean;
  fixedStrings?: boolean;
  count?: boolean;
  filesWithMatches?: boolean;
  json?: boolean;
  context?: number;
  quiet?: boolean;
}

const HELP_AFTER = `
PATTERN is a JavaScript regular expression (-F: a plain string). It is matched against
each line of the screen as a viewer saw it: wrapped lines joined, text placed by cursor
movement where it landed, full-screen programs (vim, less) included, and lines that
scrolled away in a burst of output. Escape sequences and window titles are not text
and never match.

Each match is printed once, when it appeared, as
  TIME (MARKER): LINE
where TIME is mm:ss.fff (h:mm:ss.fff from an hour on) and MARKER the nearest marker
before it (mN and its label). A line that stays on the screen is not printed again
while the text up to the match stays the same (typing after it, a counter ticking);
a line erased and drawn again is a new line, and so is a full-screen program's row
rewritten with another line (vim or less showing the next page). With several files
each line starts with FILE:. --context N adds the lines that changed N seconds before and after
("TIME-" instead of "TIME:"); groups are separated by "--".

Exit status: 0 if something matched, 1 if nothing did, 2 on an error.

Examples:
  asciirec grep -i 'error' build.cast
  asciirec grep -F '$ make test' --context 2 session.cast.zst
  asciirec play --from 03:12.457 session.cast.zst   # watch from a match
  asciirec grep --json 'panic' *.cast | jq .time`;

/** Builds the `grep` command. */
export function grepCommand(): Command {
  return new Command("grep")
    .description("search the text a viewer saw in recordings (exit 0 on a match, 1 on none)")
    .argument("<pattern>", "a JavaScript regular expression (or, with -F, a plain string)")
    .argument("<files...>", "recordings: paths, http(s) URLs, or - for stdin")
    .option("-i, --ignore-case", "ignore case")
    .option("-F, --fixed-strings", "PATTERN is a plain string, not a regular expression")
    .option("-c, --count", "print only the number of matching lines of each file")
    .option("-l, --files-with-matches", "print only the names of files with a match")
    .option("--json", "print one JSON object per match (one per line)")
    .option(
      "-C, --context <secs>",
      "also print the lines that changed this many seconds before and after each match",
      _parseSeconds,
    )
    .option("-q, --quiet", "hide warnings and progress")
    .addHelpText("after", HELP_AFTER)
    .action(async (pattern: string, files: string[], flags: GrepFlags) => {
      setQuiet(Boolean(flags.quiet));
      Deno.exitCode = await grep(pattern, files, flags);
    });
}

function _parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError("The context must be a number of seconds, 0 or more.");
  }
  return seconds;
}

function _pattern(pattern: string, flags: GrepFlags): RegExp {
  const source = flags.fixedStrings ? pattern.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&") : pattern;
  try {
    return new RegExp(source, flags.ignoreCase ? "iu" : "u");
  } catch (error) {
    throw new UsageError(`invalid pattern: ${(error as Error).message}`);
  }
}

async function grep(pattern: string, files: string[], flags: GrepFlags): Promise<number> {
  const regexp = _pattern(pattern, flags);
  if (pattern === "") throw new UsageError("the pattern is empty: it would match every line");
  if (files.filter((f) => f === "-").length > 1) {
    throw new UsageError("stdin (-) can be given only once");
  }
  if (flags.count && flags.filesWithMatches) {
    throw new UsageError("-c and -l cannot be used together");
  }
  const out = new _Output(files.length > 1, flags);
  let matched = false;
  let failed = false;
  for (const file of files) {
    try {
      const recording = await openRecording(file, { onWarning: warn });
      let count = 0;
      // A long search shows how far it is (only on a terminal; -q hides it).
      const progress = !flags.quiet && Deno.stderr.isTerminal()
        ? new ProgressBar(`searching ${recording.name}`, undefined)
        : undefined;
      const matches = searchRecording(recording, regexp, {
        contextSeconds: flags.count || flags.filesWithMatches ? undefined : flags.context,
        maxMatches: flags.filesWithMatches ? 1 : undefined,
        onProgress: progress && ((time) => progress.update(time)),
      });
      try {
        for await (const match of matches) {
          count++;
          if (flags.count || flags.filesWithMatches) continue;
          progress?.done();
          out.match(recording.name, match);
          out.flush();
        }
      } finally {
        progress?.done();
      }
      if (flags.count) out.line(files.length > 1 ? `${recording.name}:${count}` : `${count}`);
      if (flags.filesWithMatches && count > 0) out.line(recording.name);
      matched ||= count > 0;
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) return matched ? 0 : 1;
      failed = true;
      console.error(`error: ${(error as Error).message}`);
    }
    out.flush();
  }
  out.flush();
  return failed ? 2 : matched ? 0 : 1;
}

/** Prints matches (text or JSON), merging overlapping context as grep does. */
class _Output {
  #withName: boolean;
  #json: boolean;
  #color: boolean;
  #text = "";
  #encoder = new TextEncoder();
  #lastSeq = -1;
  #lastFile: string | undefined;

  constructor(withName: boolean, flags: GrepFlags) {
    this.#withName = withName;
    this.#json = Boolean(flags.json);
    this.#color = !this.#json && Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
  }

  line(text: string): void {
    this.#text += text + "\n";
    if (this.#text.length > 64 * 1024) this.flush();
  }

  match(file: string, match: SearchMatch): void {
    if (this.#json) {
      this.line(JSON.stringify(_json(file, match)));
      return;
    }
    const prefix = this.#withName ? `${file}:` : "";
    const marker = match.marker
      ? ` (m${match.marker.number}${match.marker.label ? ` ${match.marker.label}` : ""})`
      : "";
    if (match.before || match.after) {
      const before = (match.before ?? []).filter((c) =>
        file !== this.#lastFile || c.seq > this.#lastSeq
      );
      const first = before[0]?.seq ?? match.seq;
      if (this.#lastFile !== undefined && (file !== this.#lastFile || first > this.#lastSeq + 1)) {
        this.line("--");
      }
      for (const c of before) this.line(`${prefix}${formatClock(c.time)}- ${c.line}`);
    }
    this.line(`${prefix}${formatClock(match.time)}${marker}: ${this.#highlight(match)}`);
    this.#lastFile = file;
    this.#lastSeq = match.seq;
    for (const c of match.after ?? []) {
      this.line(`${prefix}${formatClock(c.time)}- ${c.line}`);
      this.#lastSeq = Math.max(this.#lastSeq, c.seq);
    }
  }

  flush(): void {
    if (this.#text === "") return;
    const bytes = this.#encoder.encode(this.#text);
    this.#text = "";
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
  }

  #highlight(match: SearchMatch): string {
    if (!this.#color) return match.line;
    let out = "";
    let at = 0;
    for (const [start, end] of match.ranges) {
      out += match.line.slice(at, start) + "\x1b[1;31m" + match.line.slice(start, end) + "\x1b[0m";
      at = end;
    }
    return out + match.line.slice(at);
  }
}

function _json(file: string, match: SearchMatch): Record<string, unknown> {
  const context = (lines: ContextLine[] | undefined) =>
    lines?.map((c) => ({ time: c.time / 1e6, clock: formatClock(c.time), line: c.line }));
  const json: Record<string, unknown> = {
    file,
    time: match.time / 1e6,
    clock: formatClock(match.time),
    marker: match.marker
      ? { number: match.marker.number, label: match.marker.label, time: match.marker.time / 1e6 }
      : null,
    line: match.line,
    ranges: match.ranges,
    screen: match.alternate ? "alternate" : "normal",
  };
  if (match.before || match.after) {
    json.before = context(match.before);
    json.after = context(match.after);
  }
  return json;
}
