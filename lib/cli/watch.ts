/**
 * `asciirec watch URL`: watch a live stream in this terminal — for people on SSH with no
 * browser. URL is a stream's page (`stream --local`'s, a relay's or an asciinema server's
 * `/s/TOKEN`) or its WebSocket (`ws://`, `wss://`). The current screen shows at once, then
 * live output; the connection is resumed after drops; `q` leaves; the end of the stream
 * prints "Stream ended".
 *
 * It is a command of its own rather than `play URL` because watching has none of play's
 * controls (speed, pauses, markers, loops) and a few of its own (reconnecting, a stream that
 * refuses): `play` given a live stream's URL points here.
 *
 * @module
 */
import { Command } from "./command.ts";
import { formatSize } from "../asciicast/event.ts";
import { type LiveTarget, resolveLiveUrl } from "../play/live_url.ts";
import { watchLive, type WatchResult } from "../play/live_watcher.ts";
import { TerminalModes } from "../play/terminal_modes.ts";
import { HostTerminal } from "../term/host_terminal.ts";
import { info, setQuiet, warn } from "./_output.ts";
import { UsageError } from "./usage_error.ts";

interface _WatchFlags {
  resize?: boolean;
  cacert?: string;
  quiet?: boolean;
}

const HELP_AFTER = `
URL is a live stream's page or its WebSocket:
  http://HOST:PORT/TOKEN/          (asciirec stream --local)
  https://RELAY/s/TOKEN            (asciirec serve, asciinema servers)
  ws://HOST:PORT/TOKEN/ws          (the socket itself)
Press q (or ctrl+c) to leave. For a certificate your system does not trust (asciirec's
--tls self-signed one), save it and check its fingerprint against the streamer's:
  openssl s_client -connect HOST:PORT </dev/null 2>/dev/null | openssl x509 > stream.pem
  openssl x509 -in stream.pem -noout -fingerprint -sha256
  asciirec watch --cacert stream.pem https://HOST:PORT/TOKEN/

To play a recording, use asciirec play.`;

/** Builds the `watch` command. */
export function watchCommand(): Command {
  return new Command("watch")
    .description("watch a live stream in this terminal")
    .argument("<url>", "a live stream's page (http/https) or WebSocket (ws/wss) URL")
    .option("-r, --resize", "resize the terminal to the stream's size (ESC [ 8 ; rows ; cols t)")
    .option("--cacert <FILE>", "trust this CA or self-signed certificate (PEM) for https/wss")
    .option("-q, --quiet", "print no info lines or warnings")
    .addHelpText("after", HELP_AFTER)
    .action((url: string, flags: _WatchFlags) => _watch(url, flags));
}

async function _client(cacert: string | undefined): Promise<Deno.HttpClient | undefined> {
  if (cacert === undefined) return undefined;
  let pem: string;
  try {
    pem = await Deno.readTextFile(cacert);
  } catch (error) {
    throw new Error(`cannot read --cacert ${cacert}: ${(error as Error).message}`);
  }
  return Deno.createHttpClient({ caCerts: [pem] });
}

function _certificateHint(error: unknown): string {
  const text = String(error);
  return /certificate|UnknownIssuer|invalid peer/i.test(text)
    ? `${text}\n(the server's certificate is not trusted here: see asciirec watch --help for --cacert)`
    : text;
}

async function _watch(url: string, flags: _WatchFlags): Promise<void> {
  if (flags.quiet) setQuiet(true);
  if (!/^(https?|wss?):\/\//i.test(url)) {
    throw new UsageError(`${url} is not a URL: give a stream's http(s):// page or ws(s):// socket`);
  }
  const client = await _client(flags.cacert);
  let target: LiveTarget;
  try {
    target = await resolveLiveUrl(url, { client });
  } catch (error) {
    throw new Error(`cannot reach ${url}: ${_certificateHint(error)}`);
  }
  if (!target.live) {
    throw new UsageError(`${target.reason}; to play a recording: asciirec play ${url}`);
  }

  const term = HostTerminal.open({ exitOnSignal: false });
  const modes = new TerminalModes();
  const aborter = new AbortController();
  let raw = false;
  const write = (bytes: Uint8Array) => {
    modes.feed(bytes);
    if (term) term.write(bytes);
    else {for (let done = 0; done < bytes.length;) {
        done += Deno.stdout.writeSync(bytes.subarray(done));
      }}
  };
  const restore = () => {
    if (!raw) return;
    raw = false;
    try {
      term?.write(modes.resetSequence());
      term?.write(new TextEncoder().encode("\r\n"));
    } finally {
      term?.restore();
    }
  };
  const signals: [Deno.Signal, () => void][] = [
    ["SIGTERM", () => aborter.abort()],
    ["SIGHUP", () => aborter.abort()],
    ["SIGINT", () => aborter.abort()],
  ];
  for (const [signal, listener] of signals) Deno.addSignalListener(signal, listener);
  info(`Watching ${target.wsUrl}${term ? " (press q to leave)" : ""}`);
  let result: WatchResult;
  try {
    result = await watchLive(target.wsUrl, {
      write,
      input: term?.input,
      resize: flags.resize,
      client,
      signal: aborter.signal,
      onInit: (size) => {
        if (term && !raw) {
          const own = term.size();
          if (!flags.resize && (own.cols !== size.cols || own.rows !== size.rows)) {
            warn(
              `The stream is ${formatSize(size)} but this terminal is ${formatSize(own)}; ` +
                `it may look wrong (use -r to resize the terminal)`,
            );
          }
          term.setRaw(true);
          raw = true;
        }
      },
      onReconnect: (delay) => {
        if (!raw || !term) return;
        // On the last row, in reverse video; the next Init redraws the whole screen.
        const { rows } = term.size();
        const note = ` connection lost: reconnecting in ${(delay / 1000).toFixed(1)} s (q leaves) `;
        term.write(new TextEncoder().encode(`\x1b7\x1b[${rows};1H\x1b[0;7m${note}\x1b[0m\x1b8`));
      },
    });
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    result = { status: "quit" };
  } finally {
    restore();
    for (const [signal, listener] of signals) Deno.removeSignalListener(signal, listener);
    term?.[Symbol.dispose]();
    client?.close();
  }
  if (result.status === "refused") throw new Error(`the stream refused: ${result.reason}`);
  info(result.status === "ended" ? "Stream ended" : "Left the stream");
}
