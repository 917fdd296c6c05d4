/**
 * A light WebSocket client for load generation: the handshake, then unmasked server frames
 * parsed straight from TCP reads, each binary message handed over as a view (no event, no
 * copy). A thousand of them in one process cost a fraction of a thousand `WebSocket`s, so a
 * benchmark on the same machine measures the server rather than its own clients.
 *
 * @module
 */
import { readServerFrames } from "./_server_frames.ts";

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
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(
    new TextEncoder().encode(
      `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    ),
  );
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
          const text = new TextDecoder().decode(buf.subarray(0, used));
          const end = text.indexOf("\r\n\r\n");
          if (end === -1) continue;
          if (!text.startsWith("HTTP/1.1 101")) throw new Error(text.split("\r\n")[0]);
          open = true;
          at = end + 4;
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
