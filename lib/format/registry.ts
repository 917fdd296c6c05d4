/**
 * The format registry: every file format asciirec writes, by name and by file extension,
 * with its encoder loaded only when it is used (so `rec` never loads an image encoder). The
 * one place that decides what `-f` accepts and which format an output name means.
 *
 * A new format is one entry here and one encoder (`lib/asciicast/encoder.ts` for the
 * interface).
 *
 * @module
 */
import type { EncoderFactory } from "../asciicast/encoder.ts";
import { withoutCompressionExtension } from "../compress/compression_for_path.ts";

/** One output format. */
export interface Format {
  /** The name `-f` takes. */
  name: string;
  /** File name endings (lower case, with the dot) that mean this format. */
  extensions: readonly string[];
  /** One line for `--help`. */
  description: string;
  /**
   * Whether the encoder works in constant memory (events in, bytes out). A format that
   * must see the whole recording first says so in `--help`.
   */
  streaming: boolean;
  /** An existing file of this format can be continued (`rec --append`). */
  appendable: boolean;
  /** A live session may write it as it goes (`rec`, `session -o`, the relay's recordings). */
  live: boolean;
  /** A picture or page of the recording: takes the export options (`--theme`, `--fps`…). */
  picture?: boolean;
  /** Loads the encoder. */
  load(): Promise<EncoderFactory>;
}

const asciicast = () => import("../asciicast/encoder.ts");

/** Every format, the default (asciicast v3) first. */
export const FORMATS: readonly Format[] = [
  {
    name: "asciicast-v3",
    extensions: [".cast"],
    description: "asciicast v3 (asciinema 3.x)",
    streaming: true,
    appendable: true,
    live: true,
    load: async () => (await asciicast()).v3Encoder,
  },
  {
    name: "asciicast-v2",
    extensions: [],
    description: "asciicast v2 (asciinema 2.x)",
    streaming: true,
    appendable: true,
    live: true,
    load: async () => (await asciicast()).v2Encoder,
  },
  {
    name: "raw",
    extensions: [],
    description: "the raw terminal output",
    streaming: true,
    appendable: true,
    live: true,
    load: async () => (await asciicast()).rawEncoder,
  },
  {
    name: "txt",
    extensions: [".txt"],
    description: "the text a viewer read",
    streaming: true,
    appendable: true,
    live: true,
    load: async () => (await import("../export/txt.ts")).txtEncoder,
  },
  {
    name: "svg",
    picture: true,
    extensions: [".svg"],
    description: "an animated SVG (text stays text); reads the whole recording first",
    streaming: false,
    appendable: false,
    live: false,
    load: async () => (await import("../export/svg.ts")).svgEncoder,
  },
  {
    name: "gif",
    picture: true,
    extensions: [".gif"],
    description: "an animated GIF, rendered in-process",
    streaming: true,
    appendable: false,
    live: false,
    load: async () => (await import("../export/gif.ts")).gifEncoder,
  },
  {
    name: "png",
    picture: true,
    extensions: [".png"],
    description: "a still picture (--at TIME, default the end)",
    streaming: true,
    appendable: false,
    live: false,
    load: async () => (await import("../export/png.ts")).pngEncoder,
  },
  {
    name: "html",
    picture: true,
    extensions: [".html", ".htm"],
    description: "a self-contained page with the asciinema player; reads the whole recording first",
    streaming: false,
    appendable: false,
    live: false,
    load: async () => (await import("../export/html.ts")).htmlEncoder,
  },
];

/** The default format: asciicast v3. */
export const DEFAULT_FORMAT: Format = FORMATS[0]!;

/**
 * The format called `name`.
 *
 * @throws {RangeError} listing the names there are.
 */
export function formatByName(name: string, formats: readonly Format[] = FORMATS): Format {
  const format = formats.find((f) => f.name === name);
  if (!format) {
    throw new RangeError(
      `unknown format ${JSON.stringify(name)} (one of ${formats.map((f) => f.name).join(", ")})`,
    );
  }
  return format;
}

/**
 * The format a file name means by its ending (`demo.gif` → gif, `demo.cast` → asciicast v3),
 * seeing through a compression ending (`demo.cast.gz` → asciicast v3, compressed); undefined
 * when the ending means none.
 *
 * @example
 * ```ts
 * import { formatForPath } from "./registry.ts";
 * formatForPath("notes/demo.TXT")?.name; // "txt"
 * formatForPath("demo.cast.zst")?.name; // "asciicast-v3"
 * formatForPath("demo")?.name; // undefined
 * ```
 */
export function formatForPath(
  path: string,
  formats: readonly Format[] = FORMATS,
): Format | undefined {
  const lower = withoutCompressionExtension(path).toLowerCase();
  return formats.find((f) => f.extensions.some((ext) => lower.endsWith(ext)));
}

/**
 * The format to write `path` in: `name` when given (`-f`), else the one its ending means,
 * else asciicast v3.
 */
export function outputFormat(
  path: string,
  name: string | undefined,
  formats: readonly Format[] = FORMATS,
): Format {
  if (name !== undefined) return formatByName(name, formats);
  return formatForPath(path, formats) ?? DEFAULT_FORMAT;
}
