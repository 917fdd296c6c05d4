/**
 * Which compression an output name asks for: a name ending in `.gz` is written with gzip,
 * one ending in `.zst` with zstd (reading never looks at names: the reader knows compressed
 * data by its first bytes).
 *
 * @module
 */
import type { Compression } from "../asciicast/decompress.ts";

export type { Compression };

/** File name endings that mean a compression, lower case, with the dot. */
export const COMPRESSION_EXTENSIONS: Readonly<Record<string, Compression>> = {
  ".gz": "gzip",
  ".zst": "zstd",
};

/**
 * The compression the ending of `path` asks for, or undefined.
 *
 * @example
 * ```ts
 * import { compressionForPath } from "./compression_for_path.ts";
 * compressionForPath("demo.cast.gz"); // "gzip"
 * compressionForPath("notes/DEMO.CAST.ZST"); // "zstd"
 * compressionForPath("demo.cast"); // undefined
 * ```
 */
export function compressionForPath(path: string): Compression | undefined {
  const lower = path.toLowerCase();
  for (const [ending, compression] of Object.entries(COMPRESSION_EXTENSIONS)) {
    if (lower.endsWith(ending)) return compression;
  }
  return undefined;
}

/**
 * `path` without its compression ending, so that what is left names the format inside.
 *
 * @example
 * ```ts
 * import { withoutCompressionExtension } from "./compression_for_path.ts";
 * withoutCompressionExtension("demo.txt.gz"); // "demo.txt"
 * withoutCompressionExtension("demo.cast"); // "demo.cast"
 * ```
 */
export function withoutCompressionExtension(path: string): string {
  const lower = path.toLowerCase();
  for (const ending of Object.keys(COMPRESSION_EXTENSIONS)) {
    if (lower.endsWith(ending)) return path.slice(0, -ending.length);
  }
  return path;
}
