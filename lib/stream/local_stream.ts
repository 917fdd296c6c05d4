/**
 * Local live streaming as one part a command can plug into a session: the local server in
 * front of the session's {@linkcode LiveHub}, started before the session (so the URL can be
 * printed first).
 *
 * @module
 */
import type { TlsFiles } from "../http/server.ts";
import type { LiveHub } from "./live_hub.ts";
import { isLoopback, type LocalServer, startLocalServer, type ViewerHub } from "./local_server.ts";

/** Options for {@linkcode startLocalStream}. */
export interface LocalStreamOptions {
  /** The session's live state, whose viewers the server serves. */
  live: LiveHub;
  /** Address to bind. Default `127.0.0.1`. */
  hostname?: string;
  /** Port to bind. Default 0 (any free port). */
  port?: number;
  /** Page title (the session title). */
  title?: string;
  /** Whether routes need a URL token. Default: when `hostname` is not loopback, or a token is given. */
  requireToken?: boolean;
  /** The URL token (one the user chose). Default: a fresh random one when required. */
  token?: string;
  /** Serve HTTPS and WSS with this certificate. */
  tls?: TlsFiles;
}

/**
 * The hub as the local server sees it: viewers join the live state; the page learns their
 * count, the stream's state and (when kept) the rewind log.
 *
 * @example
 * ```ts
 * import { LiveHub } from "./live_hub.ts";
 * import { hubView } from "./local_stream.ts";
 * const view = hubView(new LiveHub({ maxViewers: 10 }));
 * view.audience?.(); // { count: 0, max: 10 }
 * ```
 */
export function hubView(live: LiveHub): ViewerHub {
  const view: ViewerHub = {
    join: (socket, format) => live.join(socket, format),
    audience: () => ({ count: live.viewers.count, max: live.viewers.max }),
    state: () => live.ended ? "ended" : live.started ? "live" : "waiting",
  };
  const rewind = live.rewindLog;
  if (rewind) view.rewind = () => rewind;
  return view;
}

/** A running local stream. */
export interface LocalStream {
  /** Page URLs to give viewers. */
  urls: string[];
  /** The bound port. */
  port: number;
  /** Whether the server listens on a non-loopback address (anyone who can reach it and has the URL may watch). */
  exposed: boolean;
  /**
   * Ends the stream (viewers get EOT and a normal close, if the session has not closed the
   * live state already) and stops the server. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts the local server for a live hub.
 *
 * @example
 * ```ts
 * import { LiveHub } from "./live_hub.ts";
 * import { startLocalStream } from "./local_stream.ts";
 * const live = new LiveHub();
 * const stream = await startLocalStream({ live, title: "demo" });
 * console.log(`Live streaming at ${stream.urls[0]}`);
 * live.begin({ cols: 80, rows: 24 });
 * live.write({ time: 0, code: "o", data: "hello\r\n" });
 * await stream.close();
 * ```
 */
export async function startLocalStream(options: LocalStreamOptions): Promise<LocalStream> {
  const hostname = options.hostname ?? "127.0.0.1";
  const live = options.live;
  const server: LocalServer = await startLocalServer({
    hub: hubView(live),
    hostname,
    port: options.port,
    title: options.title,
    requireToken: options.requireToken ?? (options.token !== undefined || undefined),
    token: options.token,
    tls: options.tls,
  });
  let closing: Promise<void> | undefined;
  return {
    urls: server.urls,
    port: server.addr.port,
    exposed: !isLoopback(hostname),
    close(): Promise<void> {
      closing ??= (async () => {
        await live.close();
        await server.shutdown();
      })();
      return closing;
    },
  };
}
