/**
 * The relay's producer WebSocket (`/ws/S/<producer token>`): takes a stream's producer in
 * any of its protocols (ALiS, asciicast v2/v3 text, raw), checks each message against the
 * bandwidth limit before decoding it, feeds the stream's live state, and closes a producer
 * that breaks the protocol with the reference's codes, leaving every other stream alone.
 *
 * @module
 */
import { upgradeWebSocket, type WebSocketConnection } from "../http/websocket.ts";
import { RedactTransform } from "../redact/redact_transform.ts";
import { redactText } from "../redact/redact_text.ts";
import type { CompiledRules } from "../redact/rules.ts";
import type { RelayStore } from "./store.ts";
import type { StreamRuntime, StreamRuntimes } from "./streams.ts";
import { isUpgrade, offeredProtocols, utf8Length } from "./http.ts";
import {
  detectProducerProtocol,
  PRODUCER_PROTOCOLS,
  ProducerDecoder,
  type ProducerProtocol,
  ProducerProtocolError,
} from "./producer_decoder.ts";
import { TokenBucket, type TokenBucketOptions } from "./token_bucket.ts";

/** Producer close code: another producer connection took the stream over. */
export const CLOSE_OWNERSHIP_LOST = 4002;
/** Producer close code: over the bandwidth limit. */
export const CLOSE_BANDWIDTH = 4004;
/** Producer/viewer close code: unknown or not-live stream. */
export const CLOSE_NOT_FOUND = 4040;
/** Producer close code: no protocol offered and no first message in time. */
export const CLOSE_HEADER_TIMEOUT = 4101;

/**
 * The relay's default producer bandwidth: 100 KB/s sustained, as asciinema servers, but a
 * 16 MB burst instead of their 60 MB, which is what one relay's emulator parses in a
 * fraction of a second, so one producer cannot keep it busy for long.
 */
export const DEFAULT_BANDWIDTH: TokenBucketOptions = {
  capacity: 16_000_000,
  refillAmount: 10_000,
  refillIntervalMs: 100,
};

/** A stream's terminal this far behind its producer means the producer floods: 4004. */
const MAX_TERMINAL_BACKLOG = 32 * 1024 * 1024;
const ACTIVITY_EVERY_MS = 15_000;
/** Deno pings idle sockets after this many seconds and closes them without a pong. */
export const IDLE_TIMEOUT_S = 15;

/** What the producer sockets need of the relay. */
export interface ProducerSocketsOptions {
  store: RelayStore;
  runtimes: StreamRuntimes;
  /** Producer bandwidth limit. */
  bandwidth: TokenBucketOptions;
  /** A producer that offered no protocol must send a first message within this (ms). */
  headerTimeoutMs: number;
  /** Answers an unknown or offline stream's socket with 4040 (after the reference's delay). */
  notFound(request: Request, protocol: string | undefined): Response;
  /** Whether the relay is shutting down. */
  closing(): boolean;
  /** Redact every producer's stream (its Init screen included) with these rules. */
  redaction?: { rules: CompiledRules; holdMs: number };
  /** Where log lines go. */
  log: (message: string) => void;
}

class _Producer {
  decoder: ProducerDecoder | undefined;
  bucket: TokenBucket;
  /** An Init came on this connection. */
  started = false;
  exited = false;
  /** Set when this connection no longer speaks for the stream (taken over, shut down). */
  detached = false;
  /** A close code the relay sent, if it closed the connection. */
  closedWith: number | undefined;
  lastId = 0;
  touchedAt = 0;
  /** The redaction of the current producer session, when the relay redacts. */
  redact: RedactTransform | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly socket: WebSocketConnection,
    readonly streamId: number,
    protocol: ProducerProtocol | undefined,
    bandwidth: TokenBucketOptions,
  ) {
    if (protocol) this.decoder = new ProducerDecoder(protocol);
    this.bucket = new TokenBucket(bandwidth);
  }

  close(code: number, reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    clearTimeout(this.timer);
    try {
      this.socket.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  detach(code: number, reason: string): void {
    this.detached = true;
    this.close(code, reason);
  }
}

/**
 * Makes the producer socket handler.
 *
 * @example
 * ```ts
 * import { producerSocketHandler } from "./producer_socket.ts";
 * // const handle = producerSocketHandler({ store, runtimes, bandwidth, … });
 * // route: /ws/S/<token> → handle(request, token)
 * ```
 */
export function producerSocketHandler(
  options: ProducerSocketsOptions,
): (request: Request, token: string) => Response {
  const { store, runtimes, log } = options;

  const opened = (producer: _Producer) => {
    if (options.closing()) {
      producer.close(1001, "server shutting down");
      return;
    }
    const runtime = runtimes.get(producer.streamId);
    runtimes.attachProducer(runtime, producer, CLOSE_OWNERSHIP_LOST);
    log(`stream ${producer.streamId}: producer connected`);
    if (!producer.decoder) {
      producer.timer = setTimeout(() => {
        if (!producer.decoder) producer.close(CLOSE_HEADER_TIMEOUT, "header timeout");
      }, options.headerTimeoutMs);
    }
  };

  const message = (producer: _Producer, data: unknown) => {
    if (producer.detached || producer.closedWith !== undefined) return;
    const runtime = runtimes.find(producer.streamId);
    if (!runtime || runtime.producer !== producer) return;
    const payload = typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer);
    // The limit is checked before the message is decoded or fed: what is over it costs
    // nothing more than its reception.
    const size = typeof payload === "string" ? utf8Length(payload) : payload.length;
    if (!producer.bucket.take(size)) {
      log(`stream ${producer.streamId}: producer over the bandwidth limit`);
      producer.close(CLOSE_BANDWIDTH, "bandwidth exceeded");
      return;
    }
    if (!producer.decoder) {
      clearTimeout(producer.timer);
      producer.decoder = new ProducerDecoder(detectProducerProtocol(payload));
    }
    let updates;
    try {
      updates = producer.decoder.decode(payload);
    } catch (error) {
      if (!(error instanceof ProducerProtocolError)) throw error;
      log(`stream ${producer.streamId}: closing producer (${error.code}): ${error.message}`);
      producer.close(error.code, error.reason);
      return;
    }
    for (const update of updates) {
      if (update.kind === "init") {
        producer.redact?.flush();
        const redaction = options.redaction;
        if (redaction) {
          // The policy holds whatever client publishes: the Init's screen and every event.
          update.initData = redactText(redaction.rules, update.initData, "terminal");
          producer.redact = new RedactTransform(redaction.rules, (event) => {
            if (runtime.producer === producer) runtime.live.write(event);
          }, { holdMs: redaction.holdMs });
        }
        runtimes.startSession(runtime, update);
        producer.started = true;
        producer.lastId = update.lastId;
        producer.exited = false;
        if (!store.streamById(producer.streamId)?.live) {
          store.updateStream(producer.streamId, { live: true });
        }
        store.touchStream(producer.streamId, producer.lastId);
        producer.touchedAt = Date.now();
      } else if (update.kind === "event") {
        if (producer.redact) producer.redact.push(update.event);
        else runtime.live.write(update.event);
        producer.lastId = update.id;
        if (update.event.code === "x") producer.exited = true;
      } else {
        producer.redact?.flush();
        void runtimes.end(runtime);
      }
    }
    if (runtime.live.backlog > MAX_TERMINAL_BACKLOG) {
      log(`stream ${producer.streamId}: producer floods faster than its terminal parses`);
      producer.close(CLOSE_BANDWIDTH, "bandwidth exceeded");
      return;
    }
    // A subscriber behind on its own work (the rewind log writing to its file) pushes back:
    // the producer's next messages wait in its connection, as a session would stop reading.
    const wait = runtime.live.backpressure();
    if (wait) producer.socket.holdReads(wait);
    if (Date.now() - producer.touchedAt > ACTIVITY_EVERY_MS) {
      producer.touchedAt = Date.now();
      store.touchStream(producer.streamId, producer.lastId);
    }
  };

  const closed = async (producer: _Producer, code: number) => {
    clearTimeout(producer.timer);
    const runtime = runtimes.find(producer.streamId);
    // What redaction still holds goes out before the stream changes hands or ends.
    producer.redact?.flush();
    producer.redact?.dispose();
    if (producer.detached || options.closing() || !runtime || runtime.producer !== producer) {
      return;
    }
    runtime.producer = undefined;
    log(`stream ${producer.streamId}: producer disconnected (${producer.closedWith ?? code})`);
    store.touchStream(producer.streamId, producer.lastId);
    if (_ends(producer, code)) await runtimes.end(runtime);
    else runtimes.armGrace(runtime);
  };

  return (request, token) => {
    if (!isUpgrade(request)) return new Response(null, { status: 400 });
    const offered = offeredProtocols(request);
    let protocol: ProducerProtocol | undefined;
    if (offered.length > 0) {
      protocol = offered.find((p): p is ProducerProtocol =>
        (PRODUCER_PROTOCOLS as readonly string[]).includes(p)
      );
      if (!protocol) return new Response(null, { status: 400 });
    }
    const stream = store.streamByProducerToken(token);
    if (!stream || !stream.live || options.closing()) return options.notFound(request, protocol);
    let upgraded;
    try {
      upgraded = upgradeWebSocket(request, {
        ...(protocol ? { protocol } : {}),
        idleTimeout: IDLE_TIMEOUT_S,
        // A frame over the burst could never pass the bandwidth limit: refused at its header.
        maxMessageBytes: options.bandwidth.capacity ?? DEFAULT_BANDWIDTH.capacity!,
        tooBig: { code: CLOSE_BANDWIDTH, reason: "bandwidth exceeded" },
      });
    } catch {
      return new Response(null, { status: 400 });
    }
    const { socket, response } = upgraded;
    socket.binaryType = "arraybuffer";
    const producer = new _Producer(socket, stream.id, protocol, options.bandwidth);
    socket.onopen = () => opened(producer);
    socket.onmessage = (event) => message(producer, event.data);
    socket.onclose = (event) => {
      // A 40xx close (the socket's own for an oversized frame included) is final.
      if (producer.closedWith === undefined && event.code >= 4000 && event.code < 4100) {
        producer.closedWith = event.code;
      }
      void closed(producer, event.code);
    };
    return response;
  };
}

/** Whether a producer's close ends its stream (else the grace period waits for it). */
function _ends(producer: _Producer, code: number): boolean {
  if (producer.closedWith !== undefined) {
    // Closed by the relay for a violation: the producer will not be back (4101 is retried).
    return producer.closedWith >= 4000 && producer.closedWith !== CLOSE_HEADER_TIMEOUT;
  }
  if (code === 1006 || !producer.started) return false; // lost: it may reconnect
  if (producer.decoder?.protocol === "v1.alis") {
    // ALiS: only Exit or EOT end the stream; a bare close keeps it for a reconnect.
    return producer.exited || !producer.decoder.online;
  }
  return true;
}

export type { StreamRuntime };
