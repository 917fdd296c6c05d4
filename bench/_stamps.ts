/**
 * The relay benchmark's send stamps: the producer writes each event as `T<stamp>;…\r\n`, a
 * wall-clock time in ms, so that a viewer can tell how long each event took to reach it.
 *
 * @module
 */
import { decodeLeb128 } from "../lib/alis/leb128.ts";

/** Wall clock in ms with sub-ms precision, comparable between threads and processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** An event's data of `size` bytes (at least 24), stamped now: `T<stamp>;xxx…\r\n`. */
export function stampedData(size: number): { data: string; stamp: number } {
  const text = `T${now().toFixed(3)};`;
  return {
    data: text + "x".repeat(Math.max(0, size - text.length - 2)) + "\r\n",
    stamp: Number(text.slice(1, -1)),
  };
}

/**
 * The send stamps in an ALiS Output message: `o id rel len "T<stamp>;…\r\n"`, one per event the
 * producer sent (a relay may merge several into one message, each keeps its stamp). Other
 * messages have none.
 */
export function stampsOf(bytes: Uint8Array): number[] {
  if (bytes[0] !== 0x6f) return [];
  let at = decodeLeb128(bytes, 1).next;
  at = decodeLeb128(bytes, at).next;
  at = decodeLeb128(bytes, at).next;
  const stamps: number[] = [];
  while (at < bytes.length && bytes[at] === 0x54) {
    let end = at + 1;
    let stamp = 0;
    let scale = 0;
    // Digits and one point, up to the ';' (parsed here: no string per stamp).
    for (; end < bytes.length && bytes[end] !== 0x3b; end++) {
      const c = bytes[end]!;
      if (c === 0x2e) scale = 1;
      else {
        stamp = stamp * 10 + (c - 0x30);
        if (scale) scale *= 10;
      }
    }
    stamps.push(scale ? stamp / scale : stamp);
    while (end < bytes.length && bytes[end] !== 0x0a) end++;
    at = end + 1;
  }
  return stamps;
}
