/**
 * Publishing to an asciinema server (or `asciirec serve`): getting the producer endpoint
 * through the server's API before the session starts, as `asciinema stream --remote` does,
 * and a stand-alone producer sink (a live state of its own with a
 * {@linkcode RemoteForwarder}) for callers that only publish.
 *
 * @module
 */
import type { Event, EventSink } from "../asciicast/event.ts";
import { type LiveStart, LiveState } from "../stream/live_state.ts";
import { type ForwarderOptions, type ProducerEndpoint, RemoteForwarder } from "./forwarder.ts";
import { ApiClient, type StreamChanges } from "./api_client.ts";
import { resolveServerUrl } from "./config.ts";
import { readOrCreateInstallId } from "./install_id.ts";

export type { ProducerEndpoint };

/** Options for {@linkcode prepareRemoteStream}. */
export interface PrepareRemoteOptions {
  /**
   * `undefined`/`true`: create a new stream; a `ws://`/`wss://` URL: connect there directly
   * (no API call); other text: the id prefix of an existing stream, made live again.
   */
  target?: string | true;
  /** The `--server-url` flag. */
  serverUrl?: string;
  /** Stream title. */
  title?: string;
  /** Captured environment variables (sent as `env`). */
  env?: Record<string, string>;
  /** The install id; default: read or created at asciinema's location. */
  installId?: string;
}

/**
 * Gets the producer endpoint before the session starts, as the asciinema CLI does: resolves
 * the server and install id, then creates the stream (`POST`) or finds it by id prefix and
 * marks it live (`PATCH`), with `{live: true, title, term_type, shell, env}`. A `ws://` or
 * `wss://` target skips the API. Any other URL scheme is a `TypeError`.
 *
 * @throws {ApiError} with a message for the user (401 → run `asciirec auth`, 422 live limit…).
 * @example
 * ```ts
 * import { prepareRemoteStream } from "./producer.ts";
 * const endpoint = await prepareRemoteStream({ serverUrl: "http://127.0.0.1:4949" });
 * console.log(`Live streaming at ${endpoint.viewerUrl}`);
 * ```
 */
export async function prepareRemoteStream(
  options: PrepareRemoteOptions = {},
): Promise<ProducerEndpoint> {
  const target = options.target === true ? undefined : options.target;
  if (target !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    if (!/^wss?:\/\//i.test(target)) {
      throw new TypeError(`${target}: must be a WebSocket URL (ws:// or wss://)`);
    }
    return { wsUrl: target };
  }
  const { url } = await resolveServerUrl({ flag: options.serverUrl });
  const id = options.installId ?? (await readOrCreateInstallId()).id;
  const client = new ApiClient(url, id);
  const changes: StreamChanges = { live: true };
  if (options.title !== undefined) changes.title = options.title;
  const term = Deno.env.get("TERM");
  if (term) changes.term_type = term;
  const shell = Deno.env.get("SHELL");
  if (shell) changes.shell = shell;
  if (options.env && Object.keys(options.env).length > 0) changes.env = options.env;
  const stream = await client.obtainStream(target, changes);
  return {
    wsUrl: stream.ws_producer_url,
    viewerUrl: stream.url,
    relive: async () => {
      await client.updateStream(stream.id, { live: true });
    },
  };
}

/** Options for {@linkcode createRemoteProducer}: the forwarder's. */
export type RemoteProducerOptions = ForwarderOptions;

/** A session sink that publishes to a server. */
export interface RemoteProducer extends EventSink {
  /** Whether a connection is up and past its Init. */
  readonly connected: boolean;
  /** Id of the last event taken. */
  readonly lastId: number;
}

/**
 * Makes the session sink factory that publishes to `endpoint`: a live state of its own
 * (one terminal emulator) and a forwarder subscribed to it. A session that also streams
 * locally shares one live state instead (see `RemoteForwarder`).
 *
 * @example
 * ```ts
 * import { createRemoteProducer, prepareRemoteStream } from "./producer.ts";
 * const endpoint = await prepareRemoteStream({ target: true });
 * const sink = createRemoteProducer(endpoint, { onNotice: console.error });
 * // runSession({ sinks: [sink, …] })
 * ```
 */
export function createRemoteProducer(
  endpoint: ProducerEndpoint,
  options: RemoteProducerOptions = {},
): (start: LiveStart) => RemoteProducer {
  return (start) => {
    const live = new LiveState();
    const forwarder = new RemoteForwarder(endpoint, live, options);
    live.begin(start);
    return {
      get connected() {
        return forwarder.connected;
      },
      get lastId() {
        return live.lastId;
      },
      write: (event: Event) => live.write(event),
      backpressure: () => live.backpressure(),
      close: async () => {
        await live.close();
        await forwarder.finished;
      },
    };
  };
}
