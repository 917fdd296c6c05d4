/**
 * `asciirec upload FILE`: check a recording with the normal reader, then upload it to an
 * asciinema server (`POST /api/v1/recordings`) and print the server's message or the URL.
 *
 * @module
 */
import { Command } from "./command.ts";
import { openRecording } from "../asciicast/reader.ts";
import { ApiClient } from "../remote/api_client.ts";
import { resolveServerUrl } from "../remote/config.ts";
import { readOrCreateInstallId } from "../remote/install_id.ts";
import { warn } from "./_output.ts";

/** Builds the `upload` command. */
export function uploadCommand(): Command {
  return new Command("upload")
    .description("upload a recording to an asciinema server")
    .argument("<FILE>", "the recording (asciicast v1, v2 or v3)")
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)")
    .action(async (file: string, opts: { serverUrl?: string }) => {
      const recording = await openRecording(file, { onWarning: warn });
      for await (const _event of recording.events) {
        // Reading every event checks the whole file before anything is sent.
      }
      const { url } = await resolveServerUrl({ flag: opts.serverUrl });
      const { id } = await readOrCreateInstallId();
      const bytes = await Deno.readFile(file);
      const name = file.slice(file.lastIndexOf("/") + 1) || "recording.cast";
      const result = await new ApiClient(url, id).upload(bytes, name);
      console.log(result.message ?? result.url);
    });
}
