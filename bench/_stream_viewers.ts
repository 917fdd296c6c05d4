/**
 * Worker for `bench/stream.ts`: opens N ALiS viewers on its own thread (so the viewers do not
 * share the server's event loop) and reports, for every output event, the delay between the
 * timestamp the sender put in the data and the moment each viewer got it.
 *
 * Messages in: `{ url, viewers, events }`. Out: `{ ready: true }` once every viewer has its
 * Init, then `{ latencies: number[] }` (ms, one per event per viewer).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { decodeAlisMessage } from "../lib/alis/decoder.ts";

interface Start {
  url: string;
  viewers: number;
  events: number;
  protocols: string[];
}

self.onmessage = async (e: MessageEvent<Start>) => {
  const { url, viewers, events, protocols } = e.data;
  const latencies: number[] = [];
  let ready = 0;
  let done = 0;
  const sockets: WebSocket[] = [];
  const finished = new Promise<void>((resolve) => {
    for (let i = 0; i < viewers; i++) {
      const socket = new WebSocket(url, protocols);
      socket.binaryType = "arraybuffer";
      let count = 0;
      socket.onmessage = (m) => {
        const now = performance.timeOrigin + performance.now();
        const bytes = new Uint8Array(m.data as ArrayBuffer);
        count++;
        // Message 1 is the magic (or the bare reference's hello), 2 the Init.
        if (count === 2 && ++ready === viewers) self.postMessage({ ready: true });
        if (count <= 2) return;
        const text = bytes[0] === 0x6f
          ? (decodeAlisMessage(bytes) as { data: string }).data
          : new TextDecoder().decode(bytes);
        latencies.push(now - Number(text.slice(0, text.indexOf(" "))));
        if (count === events + 2 && ++done === viewers) resolve();
      };
      sockets.push(socket);
    }
  });
  await finished;
  self.postMessage({ latencies });
  for (const socket of sockets) socket.close();
};
