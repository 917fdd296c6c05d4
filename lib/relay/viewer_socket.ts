/**
 * The relay's viewer WebSocket (`/ws/s/<public token>`, as asciinema-server's): an ALiS
 * viewer of a stream joins the stream's viewers and gets the magic at once, then an Init as
 * soon as a producer session runs, then every event; after the end, EOT and a normal close.
 *
 * @module
 */
import { ALIS_PROTOCOL } from "../alis/message.ts";
import { upgradeWebSocket } from "../http/websocket.ts";
import type { ViewerHub } from "../stream/local_server.ts";
import type { RelayStore, StreamRecord } from "./store.ts";
import type { StreamRuntimes } from "./streams.ts";
import { isUpgrade, offeredProtocols } from "./http.ts";
import { IDLE_TIMEOUT_S } from "./producer_socket.ts";

/** Viewers have nothing to say: a message larger than this closes their socket. */
export const VIEWER_MAX_MESSAGE = 64 * 1024;

/** What the viewer sockets need of the relay. */
export interface ViewerSocketsOptions {
  store: RelayStore;
  runtimes: StreamRuntimes;
  /** Answers an unknown or hidden stream's socket with 4040 (after the reference's delay). */
  notFound(request: Request, protocol: string | undefined): Response;
  /** Whether the relay is shutting down. */
  closing(): boolean;
}

/**
 * The viewers of a stream as a `ViewerHub` (what the local server's handler joins sockets
 * to): the runtime is made on the first join and released when its last viewer leaves.
 *
 * @example
 * ```ts
 * import { streamHub } from "./viewer_socket.ts";
 * // pages.stream(request, token, title, streamHub(runtimes, stream.id));
 * ```
 */
export function streamHub(runtimes: StreamRuntimes, streamId: number): ViewerHub {
  const hub: ViewerHub = {
    join(socket, format) {
      const runtime = runtimes.get(streamId);
      const leave = runtime.viewers.join(socket, format);
      return () => {
        leave();
        queueMicrotask(() => runtimes.release(runtime));
      };
    },
    audience() {
      const runtime = runtimes.find(streamId);
      return { count: runtime?.viewers.count ?? 0, max: runtimes.maxViewers };
    },
    state() {
      const live = runtimes.find(streamId)?.live;
      if (live?.started) return "live";
      return live?.ended ? "ended" : "waiting";
    },
  };
  if (runtimes.rewinds) hub.rewind = () => runtimes.find(streamId)?.rewindLog;
  return hub;
}

/**
 * Makes the viewer socket handler.
 *
 * @example
 * ```ts
 * import { viewerSocketHandler } from "./viewer_socket.ts";
 * // const handle = viewerSocketHandler({ store, runtimes, notFound, closing });
 * // route: /ws/s/<token> → handle(request, token)
 * ```
 */
export function viewerSocketHandler(
  options: ViewerSocketsOptions,
): (request: Request, token: string) => Response {
  const { store, runtimes } = options;
  return (request, token) => {
    if (!isUpgrade(request)) return new Response(null, { status: 400 });
    if (!offeredProtocols(request).includes(ALIS_PROTOCOL)) {
      const { socket, response } = upgradeWebSocket(request);
      socket.onopen = () => socket.close(1002, "protocol negotiation failed");
      return response;
    }
    const stream: StreamRecord | undefined = /^\d+$/.test(token)
      ? store.streamById(Number(token))
      : store.streamByPublicToken(token);
    const visible = stream && (stream.publicToken === token || stream.visibility === "public");
    if (!visible || options.closing()) return options.notFound(request, ALIS_PROTOCOL);
    const { socket, response } = upgradeWebSocket(request, {
      protocol: ALIS_PROTOCOL,
      idleTimeout: IDLE_TIMEOUT_S,
      maxMessageBytes: VIEWER_MAX_MESSAGE,
    });
    socket.binaryType = "arraybuffer";
    const hub = streamHub(runtimes, stream.id);
    let leave: (() => void) | undefined;
    socket.onopen = () => (leave = hub.join(socket));
    socket.onclose = () => leave?.();
    return response;
  };
}
