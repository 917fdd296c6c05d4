/**
 * What `asciirec tape` does, apart from its flags: validate tapes, or run one and write,
 * check or update its outputs, with the messages and exit statuses the user sees.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Header } from "../asciicast/event.ts";
import { type Format, formatForPath } from "../format/registry.ts";
import { commandPlace, formatDiagnostic, type Location } from "./command.ts";
import { compareGolden, screenDiff, splitGolden } from "./golden.ts";
import {
  openOutputs,
  type OutputPlan,
  PendingFile,
  planOutput,
  type TapeOutputs,
  writeScreenshot,
} from "./outputs.ts";
import { parseTape, type Tape } from "./parser.ts";
import { describeRunError, runTape, TapeRunError } from "./runner.ts";
import { imageOptions, RUNNABLE_SHELLS } from "./settings.ts";
import { findProgram } from "./shells.ts";

/** What the command line asked for. */
export interface TapeMainOptions {
  /** `-o` outputs. */
  outputs: string[];
  /** Write the tape's own Output and Screenshot commands (`--no-tape-outputs` turns off). */
  tapeOutputs: boolean;
  /** `-f`: the asciicast version of `.cast` outputs. */
  castFormat?: string;
  /** `--validate`. */
  validate?: boolean;
  /** `--check`. */
  check?: boolean;
  /** `--update`. */
  update?: boolean;
  /** `--fast`. */
  fast?: boolean;
}

/** Where messages go. */
export interface TapeMainIO {
  /** A status line (`::: …`). */
  info(message: string): void;
  /** A warning (`!!! …`). */
  warn(message: string): void;
  /** Error text, printed as it is (already formatted). */
  error(message: string): void;
  /** Progress, when stderr is a terminal: the command about to run. */
  progress?(line: string): void;
}

/** Exit statuses. */
const OK = 0;
const FAILED = 1;
const BAD_INPUT = 2;

/**
 * Runs `asciirec tape` on `files`; returns the exit status.
 *
 * @example
 * ```ts
 * import { tapeMain } from "./tape_main.ts";
 * const io = { info: console.error, warn: console.error, error: console.error };
 * const status = await tapeMain(["demo.tape"], { outputs: [], tapeOutputs: true, validate: true }, io);
 * ```
 */
export async function tapeMain(
  files: readonly string[],
  options: TapeMainOptions,
  io: TapeMainIO,
): Promise<number> {
  if (options.validate) return await validate(files, io);
  const tape = await load(files[0]!, io);
  if (!tape) return BAD_INPUT;
  return await run(tape, options, io);
}

async function load(file: string, io: TapeMainIO): Promise<Tape | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    io.error(`error: cannot read ${file}: ${why}`);
    return undefined;
  }
  const { tape, errors } = parseTape(text, { file });
  for (const w of tape.warnings) io.warn(formatDiagnostic(w));
  if (errors.length > 0) {
    for (const e of errors) io.error(formatDiagnostic(e));
    io.error(`error: ${file}: ${count(errors.length, "error")}; nothing was run`);
    return undefined;
  }
  return tape;
}

async function validate(files: readonly string[], io: TapeMainIO): Promise<number> {
  let bad = 0;
  for (const file of files) {
    const tape = await load(file, io);
    if (!tape) {
      bad++;
      continue;
    }
    const outputs = [...tape.outputs, ...tape.screenshots];
    for (const output of outputs) {
      try {
        if (output.kind === "screenshot") screenshotFormat(output.path);
        else planOutput(output.path);
      } catch (error) {
        io.warn(`${formatLocation(output.loc)}: ${(error as Error).message}`);
      }
    }
    io.info(`${file}: valid (${count(tape.commands.length, "command")})`);
  }
  return bad > 0 ? BAD_INPUT : OK;
}

function screenshotFormat(path: string): Format {
  const format = formatForPath(path);
  if (!format || format.name === "txt") {
    throw new RangeError(
      `${path}: this asciirec has no .png format yet (the image exports are not built), so ` +
        `Screenshot cannot be written; use --no-tape-outputs to run the tape without it`,
    );
  }
  return format;
}

function formatLocation(loc: Location): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

async function run(tape: Tape, options: TapeMainOptions, io: TapeMainIO): Promise<number> {
  // 1. Everything that can be checked without starting anything: exit 2.
  const plans: OutputPlan[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const plan = (path: string, where?: Location) => {
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    try {
      plans.push(planOutput(path, { castFormat: options.castFormat }));
    } catch (error) {
      problems.push(
        where
          ? `${formatLocation(where)}: ${(error as Error).message}`
          : `error: ${(error as Error).message}`,
      );
    }
  };
  const screenshots = new Map<string, Format>();
  if (options.tapeOutputs) {
    for (const output of tape.outputs) plan(output.path, output.loc);
    for (const shot of tape.screenshots) {
      try {
        screenshots.set(shot.path, screenshotFormat(shot.path));
      } catch (error) {
        problems.push(`${formatLocation(shot.loc)}: ${(error as Error).message}`);
      }
    }
  }
  for (const path of options.outputs) plan(path);
  const shell = tape.settings.shell;
  if (!RUNNABLE_SHELLS.includes(shell)) {
    const where = tape.shellCommand ? `${formatLocation(tape.shellCommand.loc)}: ` : "";
    problems.push(
      `${where}asciirec cannot start the shell ${JSON.stringify(shell)} the way VHS does; ` +
        `it runs ${RUNNABLE_SHELLS.join(", ")}`,
    );
  }
  if (problems.length > 0) {
    for (const p of problems) io.error(p);
    io.error("error: nothing was run");
    return BAD_INPUT;
  }
  const goldenPlans = plans.filter((p) => p.kind === "golden");
  if (plans.length === 0 && screenshots.size === 0) {
    io.error(
      `error: nothing to write: ${tape.file} has no Output${options.tapeOutputs ? "" : " in use"}` +
        ` and no -o was given (try -o demo.cast)`,
    );
    return BAD_INPUT;
  }
  if ((options.check || options.update) && goldenPlans.length === 0) {
    io.error(
      `error: --${options.check ? "check" : "update"} compares golden text, and ${tape.file} ` +
        `writes none: add Output demo.txt (or -o demo.txt)`,
    );
    return BAD_INPUT;
  }

  // 2. What the machine must have: exit 1, still before anything runs.
  const path = Deno.env.get("PATH") ?? "";
  const missing: string[] = [];
  if (!findProgram(shell, path)) {
    const where = tape.shellCommand ? `${commandPlace(tape.shellCommand)}: ` : "";
    missing.push(`${where}the shell ${shell} is not installed (not found on $PATH)`);
  }
  for (const require of tape.requires) {
    if (!findProgram(require.program, path)) {
      missing.push(
        `${commandPlace(require)}: ${require.source}: ${require.program} is not found on $PATH`,
      );
    }
  }
  if (missing.length > 0) {
    for (const m of missing) io.error(m);
    io.error("error: nothing was run");
    return FAILED;
  }

  // 3. Run.
  const theme = tape.settings.theme;
  if (!theme.colors && theme.name !== undefined) {
    const where = tape.commands.find((c) => c.kind === "set" && c.name === "Theme");
    io.warn(
      `${where ? `${formatLocation(where.loc)}: ` : ""}asciirec has no theme called ` +
        `${JSON.stringify(theme.name)}: the recording keeps the player's colours, and pictures ` +
        `use asciinema's (an inline JSON theme works everywhere)`,
    );
  }
  const header: Header = { version: 3, ...tape.size, termType: "xterm-256color" };
  if (tape.settings.theme.colors) header.theme = tape.settings.theme.colors;
  const pictures = imageOptions(tape.settings);
  let outputs: TapeOutputs;
  try {
    outputs = await openOutputs(plans, {
      header,
      imageOptions: pictures,
      collectGoldenOnly: options.check || options.update,
    });
  } catch (error) {
    io.error(`error: ${(error as Error).message}; nothing was run`);
    // A setting an image format cannot use is the tape's mistake; a file that cannot be
    // created is the machine's.
    return error instanceof RangeError ? BAD_INPUT : FAILED;
  }
  const abort = new AbortController();
  const onInterrupt = () => abort.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onInterrupt);
  const total = tape.commands.length;
  io.info(
    `Running ${tape.file} (${shell}, ${tape.size.cols}x${tape.size.rows}${
      options.fast ? ", fast" : ""
    })`,
  );
  let failure: TapeRunError | undefined;
  const started = performance.now();
  try {
    await runTape(tape, {
      onEvent: (event) => outputs.onEvent(event),
      onScreen: (screen, command) => outputs.onScreen(screen, command),
      onScreenshot: async (command, snapshot) => {
        const format = screenshots.get(command.path);
        if (!format) return;
        await writeScreenshot(command.path, snapshot, { header, imageOptions: pictures, format });
      },
      onCommand: io.progress
        ? (command, i) =>
          io.progress!(`[${i + 1}/${total}] ${commandPlace(command)} ${command.source}`)
        : undefined,
      fast: options.fast,
      signal: abort.signal,
    });
  } catch (error) {
    if (abort.signal.aborted) {
      await outputs.discard();
      io.error("error: interrupted; nothing was written");
      return 130;
    }
    if (!(error instanceof TapeRunError)) {
      await outputs.discard();
      throw error;
    }
    failure = error;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    io.progress?.("");
  }

  // 4. Outputs: complete files, even after a failure (up to where it stopped).
  let written: string[];
  try {
    written = await outputs.commit();
  } catch (error) {
    io.error(`error: ${(error as Error).message}`);
    return FAILED;
  }
  if (failure) {
    io.error(describeRunError(failure));
    if (written.length > 0) io.error(`wrote what ran before the failure to ${written.join(", ")}`);
    return FAILED;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (written.length > 0) io.info(`Wrote ${written.join(", ")} (in ${seconds} s)`);
  if (options.check) return await check(tape, outputs, io);
  if (options.update) return await update(outputs, io);
  return OK;
}

/** The golden screens of this run, split into rows. */
function runScreens(outputs: TapeOutputs): string[][] {
  return outputs.golden.map((g) => g.text.split("\n").slice(0, -2));
}

async function check(tape: Tape, outputs: TapeOutputs, io: TapeMainIO): Promise<number> {
  const actual = runScreens(outputs);
  let failed = false;
  for (const path of outputs.goldenPaths) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound
        ? "does not exist"
        : (error as Error).message;
      io.error(`error: ${path} ${why}; run with --update to write it`);
      failed = true;
      continue;
    }
    const difference = compareGolden(splitGolden(text), actual);
    if (!difference) {
      io.info(`${path}: the screens match (${count(actual.length, "screen")})`);
      continue;
    }
    failed = true;
    const { index } = difference;
    const command = outputs.golden[index]?.command ?? outputs.golden.at(-1)?.command;
    const after = command ? `after ${commandPlace(command)}: ${command.source}` : "at the start";
    let message = `error: ${path}: the screens differ ${after} (screen ${index + 1})`;
    if (difference.expected && difference.actual) {
      message += `\n  - ${path}\n  + this run\n` +
        screenDiff(difference.expected, difference.actual).map((l) => `  ${l}`).join("\n");
    } else if (!difference.actual) {
      message += `: ${path} has ${count(difference.expectedCount, "screen")}, ` +
        `this run only ${difference.actualCount}`;
    } else {
      message += `: this run has ${count(difference.actualCount, "screen")}, ` +
        `${path} only ${difference.expectedCount}`;
    }
    io.error(message);
  }
  if (failed) {
    io.error(`if the change is intended: asciirec tape --update ${tape.file}`);
    return FAILED;
  }
  return OK;
}

async function update(outputs: TapeOutputs, io: TapeMainIO): Promise<number> {
  const text = outputs.golden.map((g) => g.text).join("");
  for (const path of outputs.goldenPaths) {
    const before = await Deno.readTextFile(path).catch(() => undefined);
    if (before === text) {
      io.info(`${path}: unchanged`);
      continue;
    }
    const file = await PendingFile.create(path);
    try {
      const writer = file.writable.getWriter();
      await writer.write(new TextEncoder().encode(text));
      await writer.close();
      await file.commit();
    } catch (error) {
      await file.discard();
      io.error(`error: ${(error as Error).message}`);
      return FAILED;
    }
    io.info(`${path}: ${before === undefined ? "written" : "updated"}`);
  }
  return OK;
}
