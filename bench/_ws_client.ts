/**
 * The WebSocket client side the benchmarks' light clients share: the upgrade request, the end
 * of the server's response head, and the server's unmasked frames (FIN+opcode, a 7, 16 or
 * 64-bit length, the payload), read straight from their socket's bytes.
 *
 * @module
 */

/** The upgrade request for `path` at `host` (`name:port`), offering `protocol`. */
export function upgradeRequest(host: string, path: string, protocol: string): Uint8Array {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  return new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
}

/**
 * Where the frames start in `buf[0, used)`: just after the response head, or -1 while the head
 * is incomplete.
 *
 * @throws {Error} with the status line, when the server did not switch protocols.
 */
export function handshakeEnd(buf: Uint8Array, used: number): number {
  const text = new TextDecoder().decode(buf.subarray(0, used));
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return -1;
  if (!text.startsWith("HTTP/1.1 101")) throw new Error(text.split("\r\n")[0]);
  return end + 4;
}

/** What {@linkcode readServerFrames} found. */
export interface FramesRead {
  /** Where the bytes not parsed yet start (an incomplete frame, or `used`). */
  at: number;
  /** A close frame came (what follows it is not read). */
  closed: boolean;
  /** The incomplete frame's whole size, once its header is in (0 otherwise). */
  pending: number;
}

/**
 * Hands each complete text or binary message in `buf[from, used)` to `onMessage` (a view into
 * `buf`, valid during the call); control frames other than close are skipped.
 *
 * @example
 * ```ts
 * import { readServerFrames } from "./_ws_client.ts";
 * const bytes = new Uint8Array([0x82, 2, 7, 8, 0x88, 0]);
 * readServerFrames(bytes, 0, bytes.length, (m) => console.log(m)); // Uint8Array [7, 8]
 * ```
 */
export function readServerFrames(
  buf: Uint8Array,
  from: number,
  used: number,
  onMessage: (payload: Uint8Array) => void,
): FramesRead {
  let at = from;
  while (used - at >= 2) {
    const opcode = buf[at]! & 0x0f;
    let length = buf[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (used - at < 4) break;
      length = (buf[at + 2]! << 8) | buf[at + 3]!;
      header = 4;
    } else if (length === 127) {
      if (used - at < 10) break;
      length = Number(new DataView(buf.buffer, buf.byteOffset + at + 2, 8).getBigUint64(0));
      header = 10;
    }
    if (used - at < header + length) return { at, closed: false, pending: header + length };
    if (opcode === 8) return { at: at + header + length, closed: true, pending: 0 };
    if (opcode === 1 || opcode === 2) onMessage(buf.subarray(at + header, at + header + length));
    at += header + length;
  }
  return { at, closed: false, pending: 0 };
}
