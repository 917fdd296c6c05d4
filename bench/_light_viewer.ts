/**
 * A light WebSocket client for load generation: the handshake, then unmasked server frames
 * parsed straight from TCP reads, each binary message handed over as a view (no event, no
 * copy). A thousand of them in one process cost a fraction of a thousand `WebSocket`s, so a
 * benchmark on the same machine measures the server rather than its own clients.
 *
 * @module
 */
import { handshakeEnd, readServerFrames, upgradeRequest } from "./_ws_client.ts";

/** One connected light viewer. */
export interface LightViewer {
  /** Closes the connection (no closing handshake). */
  close(): void;
  /** Settles when the connection has ended. */
  readonly closed: Promise<void>;
}

/**
 * Connects to `url` (`ws://host:port/path`) offering `protocol`, and calls `onMessage` with
 * each binary or text message's payload (valid only during the call).
 */
export async function lightViewer(
  url: string,
  protocol: string,
  onMessage: (payload: Uint8Array) => void,
): Promise<LightViewer> {
  const target = new URL(url);
  const conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  await conn.write(upgradeRequest(target.host, target.pathname, protocol));
  let buf = new Uint8Array(64 * 1024);
  let used = 0;
  let open = false;
  const closed = (async () => {
    try {
      for (;;) {
        if (used === buf.length) {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
        const n = await conn.read(buf.subarray(used));
        if (n === null) return;
        used += n;
        let at = 0;
        if (!open) {
          at = handshakeEnd(buf, used);
          if (at === -1) continue;
          open = true;
        }
        const read = readServerFrames(buf, at, used, onMessage);
        if (read.closed) return;
        at = read.at;
        buf.copyWithin(0, at, used);
        used -= at;
      }
    } catch {
      // closed under the reader
    } finally {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  })();
  return {
    close() {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
    closed,
  };
}
