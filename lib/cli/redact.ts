/**
 * `asciirec redact IN OUT [rules]`: redacts an existing recording with the same engine and
 * rules as live sessions; `asciirec redact --verify FILE…` changes nothing and lists every
 * match (time, event, rule — never the secret), exiting 1 when there is any: a gate before a
 * recording is published.
 *
 * @module
 */
import { Command } from "./command.ts";
import { openRecording } from "../asciicast/reader.ts";
import { openOutputFile, type OutputFile, refuseSameFile } from "./_output_file.ts";
import { formatClock } from "../asciicast/time_spec.ts";
import { loadConfig } from "../config/asciinema_config.ts";
import { redactEvents, redactHeader, redactRecording } from "../redact/redact_recording.ts";
import type { RecordingFinding } from "../redact/redact_recording.ts";
import { info, setQuiet, warn } from "./_output.ts";
import { addRedactOptions, type RedactFlags, redactionFrom } from "./_redact_options.ts";
import { UsageError } from "./usage_error.ts";

interface RedactCommandFlags extends RedactFlags {
  verify?: boolean;
  overwrite?: boolean;
  quiet?: boolean;
}

/** Builds the `redact` command. */
export function redactCommand(): Command {
  const cmd = new Command("redact")
    .description("redact secrets in a recording, or --verify that it has none")
    .argument(
      "<files...>",
      "IN OUT (paths, - for stdin/stdout), or with --verify the files to check",
    )
    .option("--verify", "change nothing: list what would be redacted and exit 1 if anything")
    .option("--overwrite", "overwrite OUT if it exists and is not empty")
    .option("-q, --quiet", "hide status lines");
  addRedactOptions(cmd, false);
  return cmd.addHelpText(
    "after",
    `
The built-in detectors are on unless --no-redact-builtin; --redact, --redact-env and
--redact-file add rules, as for rec. OUT keeps IN's asciicast version (v1 becomes v3).
Secrets in the title, command and captured environment of the header are redacted too.

Examples:
  asciirec redact demo.cast demo-clean.cast --redact-env API_TOKEN
  asciirec redact --verify *.cast      # in CI, before publishing`,
  ).action(async (files: string[], opts: RedactCommandFlags) => {
    setQuiet(Boolean(opts.quiet));
    const redaction = await redactionFrom(opts, (await loadConfig()).redact, warn);
    if (!redaction) {
      throw new UsageError("nothing to redact: the built-ins are off and no rule was given");
    }
    if (opts.verify) {
      Deno.exitCode = await verify(files, redaction.rules) ? 0 : 1;
      return;
    }
    if (files.length !== 2) throw new UsageError("redact takes IN and OUT (or --verify FILE…)");
    const [input, output] = files as [string, string];
    info(redaction.summary);
    const found = await redactTo(input, output, redaction.rules, Boolean(opts.overwrite));
    info(`${found} secret${found === 1 ? "" : "s"} redacted; written to ${output}`);
  });
}

async function redactTo(
  input: string,
  output: string,
  rules: Parameters<typeof redactRecording>[2],
  overwrite: boolean,
): Promise<number> {
  if (output !== "-") {
    const info = await Deno.stat(output).catch(() => undefined);
    if (info?.isDirectory) throw new Error(`${output} is a directory`);
    if (info && info.size > 0 && !overwrite) {
      throw new Error(`${output}: file exists, use --overwrite option to overwrite the file`);
    }
  }
  await refuseSameFile(input, output);
  const recording = await openRecording(input, { onWarning: warn });
  // Written beside OUT and renamed at the end: a failed run leaves no half file; a .gz or
  // .zst name is compressed.
  let out: OutputFile;
  try {
    out = await openOutputFile(output, { format: "asciicast-v3", overwrite: true });
  } catch (error) {
    await recording.close();
    throw error;
  }
  try {
    const found = await redactRecording(recording, out.writable, rules);
    await out.commit();
    return found;
  } catch (error) {
    await recording.close();
    await out.discard();
    throw error;
  }
}

/** Checks each file; prints what it finds; true when nothing was found anywhere. */
async function verify(
  files: string[],
  rules: Parameters<typeof redactRecording>[2],
): Promise<boolean> {
  let clean = true;
  const out = (line: string) => console.log(line);
  for (const file of files) {
    const recording = await openRecording(file, { onWarning: warn });
    const findings: RecordingFinding[] = [];
    redactHeader(recording.header, rules, (f) => findings.push(f));
    await redactEvents(recording, rules, () => {}, (f) => findings.push(f));
    for (const f of findings) {
      const where = f.where === "event"
        ? `${formatClock(f.time ?? 0)} event ${f.index} (${f.code})`
        : `header ${f.where}`;
      out(`${file}: ${where}: ${f.rule}, ${f.length} characters`);
    }
    if (findings.length > 0) clean = false;
    else info(`${file}: no secrets found`);
  }
  return clean;
}
