/**
 * ALiS v1 encoder: {@linkcode AlisMessage} → the bytes of one WebSocket message.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";
import { leb128Length, writeLeb128 } from "./leb128.ts";
import { ALIS_TYPE, type AlisMessage } from "./message.ts";

const encoder = new TextEncoder();
const COLOR_RE = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

function _themeBytes(theme: Theme | undefined): Uint8Array {
  if (theme === undefined) return new Uint8Array([0x00]);
  const n = theme.palette.length;
  if (n !== 8 && n !== 16) {
    throw new RangeError(`Cannot encode a theme with ${n} palette colours: expected 8 or 16`);
  }
  const colors = [theme.fg, theme.bg, ...theme.palette];
  const out = new Uint8Array(1 + colors.length * 3);
  out[0] = n;
  colors.forEach((color, i) => {
    const m = COLOR_RE.exec(color);
    if (!m) throw new TypeError(`Cannot encode theme colour "${color}": expected #rrggbb`);
    out[1 + i * 3] = parseInt(m[1]!, 16);
    out[2 + i * 3] = parseInt(m[2]!, 16);
    out[3 + i * 3] = parseInt(m[3]!, 16);
  });
  return out;
}

/** Integers, then one trailing block of raw bytes (a string's or a theme's). */
function _pack(type: number, ints: number[], tail?: Uint8Array): Uint8Array {
  let size = 1;
  for (const v of ints) size += leb128Length(v);
  if (tail) size += tail.length;
  const out = new Uint8Array(size);
  out[0] = type;
  let at = 1;
  for (const v of ints) at = writeLeb128(out, at, v);
  if (tail) out.set(tail, at);
  return out;
}

function _string(type: number, ints: number[], text: string): Uint8Array {
  const bytes = encoder.encode(text);
  return _pack(type, [...ints, bytes.length], bytes);
}

/**
 * Encodes one ALiS message (everything after the magic). Strings are written as UTF-8 (lone
 * surrogates become U+FFFD). Throws `RangeError` for an integer that is not in 0..2^53−1 or a
 * palette that is not 8 or 16 colours, `TypeError` for a colour that is not `#rrggbb` or an EOT
 * with an id but no relTime.
 *
 * @example
 * ```ts
 * import { encodeAlisMessage } from "./encoder.ts";
 * encodeAlisMessage({ type: "output", id: 1, relTime: 12_000, data: "$ " });
 * // Uint8Array [0x6f, 0x01, 0xe0, 0x5d, 0x02, 0x24, 0x20]
 * ```
 */
export function encodeAlisMessage(message: AlisMessage): Uint8Array {
  switch (message.type) {
    case "init": {
      const { lastId, time, cols, rows } = message;
      const head = _pack(ALIS_TYPE.init, [lastId, time, cols, rows], _themeBytes(message.theme));
      const data = encoder.encode(message.initData);
      const out = new Uint8Array(head.length + leb128Length(data.length) + data.length);
      out.set(head, 0);
      out.set(data, writeLeb128(out, head.length, data.length));
      return out;
    }
    case "output":
    case "input":
      return _string(ALIS_TYPE[message.type], [message.id, message.relTime], message.data);
    case "marker":
      return _string(ALIS_TYPE.marker, [message.id, message.relTime], message.label);
    case "resize":
      return _pack(ALIS_TYPE.resize, [message.id, message.relTime, message.cols, message.rows]);
    case "exit":
      return _pack(ALIS_TYPE.exit, [message.id, message.relTime, message.status]);
    case "eot": {
      if (message.id !== undefined && message.relTime === undefined) {
        throw new TypeError("Cannot encode an EOT with an id but no relTime");
      }
      const ints = message.id === undefined ? [] : [message.id];
      if (message.relTime !== undefined) ints.push(message.relTime);
      return _pack(ALIS_TYPE.eot, ints);
    }
  }
}
