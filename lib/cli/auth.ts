/**
 * `asciirec auth`: link this machine to an asciinema server account. Nothing is sent: it
 * prints `{server}/connect/{install-id}`, which the user opens in a browser while logged in.
 *
 * @module
 */
import { Command } from "./command.ts";
import { apiUrl, resolveServerUrl } from "../remote/config.ts";
import { readOrCreateInstallId } from "../remote/install_id.ts";

/** Builds the `auth` command. */
export function authCommand(): Command {
  return new Command("auth")
    .description("link this machine (its install id) to your asciinema server account")
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)")
    .action(async (opts: { serverUrl?: string }) => {
      const { url } = await resolveServerUrl({ flag: opts.serverUrl });
      const { id } = await readOrCreateInstallId();
      const connect = apiUrl(url, `connect/${id}`).href;
      const host = new URL(url).host;
      console.log(
        `Open the following URL in a web browser to link your install ID with your ${host} ` +
          `user account:\n\n    ${connect}\n\n` +
          "This will associate all recordings uploaded from this machine (past and future " +
          `ones) with your account, and let you stream to ${host} as that account.`,
      );
    });
}
