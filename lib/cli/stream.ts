/**
 * `asciirec stream`: stream a terminal session live — `--local` serves the asciinema player
 * and an ALiS WebSocket from this machine; `--remote` publishes through an asciinema server
 * (or `asciirec serve`). Viewers only watch: nothing they send reaches the session.
 *
 * @module
 */
import { Command } from "./command.ts";
import { setQuiet } from "./_output.ts";
import { addSessionOptions } from "./_session_options.ts";
import { addStreamOptions, type OutputFlags, runSessionWithOutputs } from "./_session_outputs.ts";
import { UsageError } from "./usage_error.ts";

/** Builds the `stream` command. */
export function streamCommand(): Command {
  const cmd = new Command("stream").description("stream a terminal session live");
  return addSessionOptions(addStreamOptions(cmd))
    .addHelpText(
      "after",
      `
Viewers open the printed URL in a browser (the asciinema player); they can only watch.
Page options go in the URL hash: #bufferTime=0&theme=dracula&fit=width

Examples:
  asciirec stream --local
  asciirec stream --local 0.0.0.0:8080 -c 'htop'    # on the LAN, with a token in the URL
  asciirec stream --remote --server-url http://127.0.0.1:4949   # through 'asciirec serve'`,
    )
    .action(async (flags: OutputFlags) => {
      setQuiet(Boolean(flags.quiet));
      if (flags.local === undefined && flags.remote === undefined) {
        throw new UsageError("nowhere to stream: give --local [IP:PORT] and/or --remote [ID|URL]");
      }
      await runSessionWithOutputs(flags, { activity: "streaming" });
    });
}
