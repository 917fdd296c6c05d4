/**
 * A tape's output files: which format each one is (`.cast` → asciicast, `.txt`/`.ascii` →
 * golden text as VHS writes it, other endings → whatever the format registry has for them),
 * and writing them safely: each goes to a temporary file beside its target and is renamed
 * over it only when complete.
 *
 * @module
 */
import { basename, dirname, extname, join } from "node:path";
import type { Event, Header } from "../asciicast/event.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import { type Format, formatByName, formatForPath, FORMATS } from "../format/registry.ts";
import type { Screen } from "../vt/screen.ts";
import type { TapeCommand } from "./command.ts";
import { goldenFrame } from "./golden.ts";

/** Endings that mean golden text (VHS's `.txt`, `.ascii` and `.test`). */
export const GOLDEN_EXTENSIONS: readonly string[] = [".txt", ".ascii", ".test"];

/** Formats `-f` may choose for `.cast` outputs. */
export const CAST_FORMATS: readonly string[] = ["asciicast-v3", "asciicast-v2"];

/** What one output is. */
export type OutputPlan =
  | { path: string; kind: "golden" }
  | { path: string; kind: "events"; format: Format };

/** Options for {@linkcode planOutput}. */
export interface PlanOutputOptions {
  /** `-f`: the asciicast version of `.cast` files. Default asciicast v3. */
  castFormat?: string;
  /** The formats there are. Default: the format registry's. */
  formats?: readonly Format[];
}

/**
 * Works out what `path` is written as.
 *
 * @throws {RangeError} saying why asciirec cannot write it.
 *
 * @example
 * ```ts
 * import { planOutput } from "./outputs.ts";
 * planOutput("demo.cast").kind; // "events"
 * planOutput("demo.ascii").kind; // "golden"
 * ```
 */
export function planOutput(path: string, options: PlanOutputOptions = {}): OutputPlan {
  const formats = options.formats ?? FORMATS;
  const castFormat = options.castFormat;
  const ext = extname(path).toLowerCase();
  if (path.endsWith("/")) {
    throw new RangeError(
      `${path}: folders of PNG frames are not supported; write a .cast (or an image format)`,
    );
  }
  if (GOLDEN_EXTENSIONS.includes(ext)) return { path, kind: "golden" };
  if (ext === ".cast") {
    return { path, kind: "events", format: formatByName(castFormat ?? "asciicast-v3", formats) };
  }
  const format = formatForPath(path, formats);
  if (format && format.name !== "txt") return { path, kind: "events", format };
  const known = formats.flatMap((f) => f.extensions).filter((e) => !GOLDEN_EXTENSIONS.includes(e));
  const writable = [...new Set([...known, ".txt", ".ascii"])].join(", ");
  if (ext === ".mp4" || ext === ".webm") {
    throw new RangeError(`${path}: asciirec does not write video (${ext}); it writes ${writable}`);
  }
  if ([".gif", ".svg", ".png", ".html"].includes(ext)) {
    throw new RangeError(
      `${path}: this asciirec has no ${ext} format yet (the image exports are not built); ` +
        `it writes ${writable}`,
    );
  }
  throw new RangeError(
    `${path}: unknown output format ${ext || "(no extension)"}; asciirec writes ${writable}`,
  );
}

/**
 * A file written beside its target under a temporary name, renamed over it by
 * {@linkcode commit} (parent folders are created, as VHS does).
 */
export class PendingFile {
  /** The target. */
  readonly path: string;
  /** The temporary file. */
  readonly temp: string;
  #file: Deno.FsFile;

  private constructor(path: string, temp: string, file: Deno.FsFile) {
    this.path = path;
    this.temp = temp;
    this.#file = file;
  }

  /**
   * Creates the temporary file for `path`.
   *
   * @example
   * ```ts
   * import { PendingFile } from "./outputs.ts";
   * const dir = await Deno.makeTempDir();
   * const file = await PendingFile.create(`${dir}/demo.txt`);
   * const writer = file.writable.getWriter();
   * await writer.write(new TextEncoder().encode("hi\n"));
   * await writer.close();
   * await file.commit(); // demo.txt now holds "hi\n"
   * ```
   */
  static async create(path: string): Promise<PendingFile> {
    const dir = dirname(path);
    await Deno.mkdir(dir, { recursive: true });
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isDirectory) throw new Error(`${path} is a directory`);
    const suffix = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
    const temp = join(dir, `.${basename(path)}.${suffix}.tmp`);
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
    return new PendingFile(path, temp, file);
  }

  /** Where to write (closing it closes the file). */
  get writable(): WritableStream<Uint8Array> {
    return this.#file.writable;
  }

  /** Renames the finished file over the target. */
  async commit(): Promise<void> {
    await Deno.rename(this.temp, this.path);
  }

  /** Removes the temporary file (closing it if it is still open). */
  async discard(): Promise<void> {
    try {
      this.#file.close();
    } catch {
      // already closed by its writable
    }
    await Deno.remove(this.temp).catch(() => {});
  }
}

/** One screen of golden text and the command after which it was taken. */
export interface GoldenScreen {
  /** The command. */
  command: TapeCommand;
  /** The screen as golden text (rows, then the separator). */
  text: string;
}

/** What {@linkcode openOutputs} needs. */
export interface OpenOutputsOptions {
  /** The recording's header (size, theme). */
  header: Header;
  /** Options for image formats (see `imageOptions` in `settings.ts`). */
  imageOptions: Record<string, unknown>;
  /** Golden outputs are only collected (for `--check`), not written. */
  collectGoldenOnly?: boolean;
}

/** A tape's open outputs. */
export interface TapeOutputs {
  /** Takes each event of the recording. */
  onEvent(event: Event): void;
  /** Takes the screen after each recorded command. */
  onScreen(screen: Screen, command: TapeCommand): void;
  /** The golden screens so far (each with its command). */
  readonly golden: readonly GoldenScreen[];
  /** Golden outputs' targets. */
  readonly goldenPaths: readonly string[];
  /** Finishes every output and renames it into place; returns the paths written. */
  commit(): Promise<string[]>;
  /** Removes every temporary file. */
  discard(): Promise<void>;
}

/**
 * Opens every planned output (temporary files, encoders created at once so a format that
 * rejects its options fails before anything runs).
 *
 * @example
 * ```ts
 * import { openOutputs, planOutput } from "./outputs.ts";
 * const dir = await Deno.makeTempDir();
 * const outputs = await openOutputs([planOutput(`${dir}/demo.cast`)], {
 *   header: { version: 3, cols: 80, rows: 24 },
 *   imageOptions: {},
 * });
 * outputs.onEvent({ time: 0, code: "o", data: "hi" });
 * await outputs.commit(); // ["…/demo.cast"]
 * ```
 */
export async function openOutputs(
  plans: readonly OutputPlan[],
  options: OpenOutputsOptions,
): Promise<TapeOutputs> {
  const files: PendingFile[] = [];
  const writers: CastWriter[] = [];
  const goldenFiles: PendingFile[] = [];
  const golden: GoldenScreen[] = [];
  let writeError: Error | undefined;
  const discard = async () => {
    await Promise.all(writers.map((w) => w.close().catch(() => {})));
    await Promise.all([...files, ...goldenFiles].map((f) => f.discard()));
  };
  try {
    for (const plan of plans) {
      if (plan.kind === "golden") {
        if (!options.collectGoldenOnly) goldenFiles.push(await PendingFile.create(plan.path));
        continue;
      }
      const encoder = await plan.format.load();
      const file = await PendingFile.create(plan.path);
      files.push(file);
      const header: Header = {
        ...options.header,
        version: plan.format.name === "asciicast-v2" ? 2 : 3,
      };
      const isCast = plan.format.name.startsWith("asciicast");
      const writer = createCastWriter(file.writable, header, {
        encoder,
        formatOptions: isCast ? undefined : options.imageOptions,
        onError: (error) => writeError ??= new Error(`${plan.path}: ${error.message}`),
      });
      writers.push(writer);
    }
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    onEvent(event) {
      for (const writer of writers) writer.write(event);
    },
    onScreen(screen, command) {
      if (goldenFiles.length === 0 && !options.collectGoldenOnly) return;
      golden.push({ command, text: goldenFrame(screen) });
    },
    golden,
    goldenPaths: plans.filter((p) => p.kind === "golden").map((p) => p.path),
    async commit() {
      try {
        for (const writer of writers) await writer.close();
        if (writeError) throw writeError;
        const text = new TextEncoder().encode(golden.map((g) => g.text).join(""));
        for (const file of goldenFiles) {
          const w = file.writable.getWriter();
          await w.write(text);
          await w.close();
        }
        for (const file of [...files, ...goldenFiles]) await file.commit();
      } catch (error) {
        await discard();
        throw error;
      }
      return [...files, ...goldenFiles].map((f) => f.path);
    },
    discard,
  };
}

/**
 * Writes one image of a screen (a `Screenshot`) with `format` (the one registered for its
 * ending), from terminal output that draws the screen in a fresh terminal.
 *
 * @example
 * ```ts
 * import { writeScreenshot } from "./outputs.ts";
 * import { formatForPath } from "../format/registry.ts";
 * const format = formatForPath("shot.png");
 * if (format) {
 *   await writeScreenshot("shot.png", "> ls", {
 *     header: { version: 3, cols: 80, rows: 24 },
 *     imageOptions: {},
 *     format,
 *   });
 * }
 * ```
 */
export async function writeScreenshot(
  path: string,
  snapshot: string,
  options: { header: Header; imageOptions: Record<string, unknown>; format: Format },
): Promise<void> {
  const encoder = await options.format.load();
  const file = await PendingFile.create(path);
  try {
    const writer = createCastWriter(file.writable, { ...options.header, version: 3 }, {
      encoder,
      formatOptions: options.imageOptions,
    });
    writer.write({ time: 0, code: "o", data: snapshot });
    await writer.close();
    await file.commit();
  } catch (error) {
    await file.discard();
    throw error;
  }
}
