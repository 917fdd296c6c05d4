/**
 * `asciirec upload FILE`: check a recording with the normal reader, then upload it to an
 * asciinema server (`POST /api/v1/recordings`) and print the server's message or the URL.
 *
 * A compressed file is sent decompressed (servers and players take plain asciicast), under
 * its name without `.gz`/`.zst`. Memory stays bounded whatever the size: a recording of up
 * to 8 MiB is sent as one body of known length, a larger one is streamed.
 *
 * @module
 */
import { Command } from "./command.ts";
import type { ByteSource } from "../asciicast/reader.ts";
import { openByteSource, openRecording } from "../asciicast/reader.ts";
import { openDecompressed } from "../asciicast/decompress.ts";
import { withoutCompressionExtension } from "../compress/compression_for_path.ts";
import { ApiClient } from "../remote/api_client.ts";
import { resolveServerUrl } from "../remote/config.ts";
import { readOrCreateInstallId } from "../remote/install_id.ts";
import { warn } from "./_output.ts";
import { UsageError } from "./usage_error.ts";

/** Recordings up to this size are sent in one piece; larger ones are streamed. */
const WHOLE_BYTES = 8 * 1024 * 1024;

/** Builds the `upload` command. */
export function uploadCommand(): Command {
  return new Command("upload")
    .description("upload a recording to an asciinema server")
    .argument("<FILE>", "the recording (asciicast v1, v2 or v3; gzip or zstd compressed too)")
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)")
    .action(async (file: string, opts: { serverUrl?: string }) => {
      // The file is read twice: checked whole first, then sent.
      if (file === "-") throw new UsageError("upload needs a file, not stdin");
      const recording = await openRecording(file, { onWarning: warn });
      for await (const _event of recording.events) {
        // Reading every event checks the whole file before anything is sent.
      }
      const { url } = await resolveServerUrl({ flag: opts.serverUrl });
      const { id } = await readOrCreateInstallId();
      const base = file.slice(file.lastIndexOf("/") + 1);
      const name = withoutCompressionExtension(base) || "recording.cast";
      const { source } = await openDecompressed((await openByteSource(file)).bytes, {
        name: file,
      });
      const result = await new ApiClient(url, id).upload(await _content(source), name);
      console.log(result.message ?? result.url);
    });
}

/**
 * The plain bytes of the recording: in one piece when they fit in {@linkcode WHOLE_BYTES},
 * else as a stream of what has been read so far followed by the rest.
 */
async function _content(
  source: ByteSource,
): Promise<Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const readPart = async (): Promise<Uint8Array | null> => {
    const buffer = new Uint8Array(64 * 1024);
    const n = await source.read(buffer);
    return n === null ? null : buffer.subarray(0, n);
  };
  try {
    while (size <= WHOLE_BYTES) {
      const part = await readPart();
      if (part === null) {
        source.close();
        const whole = new Uint8Array(size);
        let at = 0;
        for (const p of parts) {
          whole.set(p, at);
          at += p.length;
        }
        return whole;
      }
      parts.push(part);
      size += part.length;
    }
  } catch (error) {
    source.close();
    throw error;
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const first = parts.shift();
      if (first) return controller.enqueue(first);
      try {
        const part = await readPart();
        if (part === null) {
          source.close();
          controller.close();
        } else controller.enqueue(part);
      } catch (error) {
        source.close();
        controller.error(error);
      }
    },
    cancel: () => source.close(),
  });
}
