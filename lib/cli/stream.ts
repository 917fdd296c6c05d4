/**
 * `asciirec stream`: stream a terminal session live — `--local` serves the asciinema player
 * and an ALiS WebSocket from this machine; `--remote` publishes through an asciinema server
 * (or `asciirec serve`). Viewers only watch: nothing they send reaches the session.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { createRemoteProducer, prepareRemoteStream } from "../remote/producer.ts";
import { runSession, type SinkFactory } from "../session/session.ts";
import { type ListenAddress, parseListenAddress } from "../stream/local_server.ts";
import { type LocalStream, startLocalStream } from "../stream/local_stream.ts";
import { info, setQuiet, warn } from "./_output.ts";
import { addSessionOptions, type SessionFlags, sessionOptionsFrom } from "./_session_options.ts";
import { UsageError } from "./usage_error.ts";

/** The default `--local` address: loopback, any free port. */
export const DEFAULT_LOCAL: ListenAddress = { hostname: "127.0.0.1", port: 0 };

/** commander parser for `--local IP:PORT`. */
export function parseLocalFlag(text: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Starts remote streaming (`--remote [ID|URL]`): creates the stream on the asciinema server
 * (or re-opens the one whose id starts with ID; a `ws://`/`wss://` URL is used as is),
 * prints where to watch (`::: Live streaming at URL`) and returns the session's sink.
 * Connection changes go to `onNotice` (notifications, never the terminal).
 */
export async function startRemoteStreaming(
  target: string | true,
  options: {
    serverUrl?: string;
    title?: string;
    env?: Record<string, string>;
    onNotice?: (message: string) => void;
  } = {},
): Promise<SinkFactory> {
  const endpoint = await prepareRemoteStream({
    target,
    serverUrl: options.serverUrl,
    title: options.title,
    env: options.env,
  });
  info(`Live streaming at ${endpoint.viewerUrl ?? endpoint.wsUrl}`);
  return createRemoteProducer(endpoint, { onNotice: options.onNotice });
}

/**
 * Starts local streaming and prints where to watch (`::: Live streaming at URL`); on a
 * non-loopback address, also a warning that anyone with the URL can watch.
 */
export async function startLocalStreaming(
  address: ListenAddress,
  options: { title?: string; captureInput?: boolean; onNotice?: (message: string) => void } = {},
): Promise<LocalStream> {
  const stream = await startLocalStream({
    hostname: address.hostname,
    port: address.port,
    title: options.title,
    hub: { onNotice: options.onNotice },
  }).catch((error) => {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(`cannot listen on ${address.hostname}:${address.port}: address in use`);
    }
    throw error;
  });
  if (stream.exposed) {
    warn(
      `Listening on ${address.hostname}, which is not a loopback address: anyone who can reach ` +
        "this machine and knows the URL (with its secret token) can watch" +
        (options.captureInput ? ", including the keys you type" : ""),
    );
  }
  for (const url of stream.urls) info(`Live streaming at ${url}`);
  return stream;
}

interface StreamFlags extends SessionFlags {
  local?: ListenAddress | true;
  remote?: string | true;
  serverUrl?: string;
}

/** Builds the `stream` command. */
export function streamCommand(): Command {
  const cmd = new Command("stream")
    .description("stream a terminal session live")
    .addOption(
      new Option(
        "-l, --local [IP:PORT]",
        "serve the stream from this machine (default 127.0.0.1:0, a free port); a " +
          "non-loopback address gets a secret URL token",
      ).argParser(parseLocalFlag),
    )
    .option(
      "-r, --remote [ID|URL]",
      "stream through an asciinema server: a new stream, the one whose id starts with ID, " +
        "or a ws:// producer URL",
    )
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)");
  return addSessionOptions(cmd)
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
    .action(async (flags: StreamFlags) => {
      setQuiet(Boolean(flags.quiet));
      if (flags.local === undefined && flags.remote === undefined) {
        throw new UsageError("nowhere to stream: give --local [IP:PORT] and/or --remote [ID|URL]");
      }
      await stream(flags);
    });
}

async function stream(flags: StreamFlags): Promise<void> {
  const parts = sessionOptionsFrom(flags);
  const sinks: SinkFactory[] = [];
  let live: LocalStream | undefined;
  try {
    if (flags.local !== undefined) {
      const local = live = await startLocalStreaming(
        flags.local === true ? DEFAULT_LOCAL : flags.local,
        {
          title: parts.title,
          captureInput: parts.session.captureInput,
          onNotice: parts.session.onNotice,
        },
      );
      sinks.push((start) => local.sink(start));
    }
    if (flags.remote !== undefined) {
      sinks.push(
        await startRemoteStreaming(flags.remote, {
          serverUrl: flags.serverUrl,
          title: parts.title,
          env: parts.env,
          onNotice: parts.session.onNotice,
        }),
      );
    }
    if (parts.autoHeadless) info("TTY not available, streaming in headless mode");
    if (flags.command === undefined) info("Press <ctrl+d> or type 'exit' to end");
    const { status } = await runSession({ ...parts.session, sinks });
    info("Stream ended");
    if (parts.returnStatus) Deno.exitCode = status;
  } finally {
    await live?.close();
  }
}
