/**
 * Local live streaming as one part a command can plug into a session: a {@linkcode LiveHub}
 * and the local server in front of it, started before the session (so the URL can be
 * printed first) and fed by the session through {@linkcode LocalStream.sink}.
 *
 * @module
 */
import type { EventSink } from "../session/sink.ts";
import { type HubStart, LiveHub, type LiveHubOptions } from "./live_hub.ts";
import { isLoopback, type LocalServer, startLocalServer } from "./local_server.ts";

/** Options for {@linkcode startLocalStream}. */
export interface LocalStreamOptions {
  /** Address to bind. Default `127.0.0.1`. */
  hostname?: string;
  /** Port to bind. Default 0 (any free port). */
  port?: number;
  /** Page title (the session title). */
  title?: string;
  /** Whether routes need a URL token. Default: when `hostname` is not loopback. */
  requireToken?: boolean;
  /** Hub tuning (queue bounds, close timeout…) and its notices. */
  hub?: LiveHubOptions;
}

/** A running local stream. */
export interface LocalStream {
  /** Page URLs to give viewers. */
  urls: string[];
  /** Whether the server listens on a non-loopback address (anyone who can reach it and has the URL may watch). */
  exposed: boolean;
  /** The hub, for callers that want its counters. */
  hub: LiveHub;
  /** The session sink: starts the hub with the session's size and theme. Call once. */
  sink(start: HubStart): EventSink;
  /**
   * Ends the stream (viewers get EOT and a normal close, if the session has not closed the
   * sink already) and stops the server. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts the hub and the local server.
 *
 * @example
 * ```ts
 * import { startLocalStream } from "./local_stream.ts";
 * const stream = await startLocalStream({ title: "demo" });
 * console.log(`Live streaming at ${stream.urls[0]}`);
 * const sink = stream.sink({ cols: 80, rows: 24 });
 * sink.write({ time: 0, code: "o", data: "hello\r\n" });
 * await sink.close();
 * await stream.close();
 * ```
 */
export async function startLocalStream(options: LocalStreamOptions = {}): Promise<LocalStream> {
  const hostname = options.hostname ?? "127.0.0.1";
  const hub = new LiveHub(options.hub);
  const server: LocalServer = await startLocalServer({
    hub,
    hostname,
    port: options.port,
    title: options.title,
    requireToken: options.requireToken,
  });
  let closing: Promise<void> | undefined;
  return {
    urls: server.urls,
    exposed: !isLoopback(hostname),
    hub,
    sink(start: HubStart): EventSink {
      hub.begin(start);
      return hub;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await hub.close();
        await server.shutdown();
      })();
      return closing;
    },
  };
}
