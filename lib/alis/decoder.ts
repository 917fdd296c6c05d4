/**
 * ALiS v1 decoder: the bytes of one WebSocket message → {@linkcode AlisMessage}. Malformed
 * input raises {@linkcode AlisError} and nothing else.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";
import { AlisError } from "./alis_error.ts";
import { decodeLeb128 } from "./leb128.ts";
import { ALIS_TYPE, type AlisMessage } from "./message.ts";

// ignoreBOM keeps a leading U+FEFF in the data instead of silently dropping it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class _Reader {
  at = 1;
  constructor(readonly bytes: Uint8Array, readonly what: string) {}

  int(): number {
    const { value, next } = decodeLeb128(this.bytes, this.at);
    this.at = next;
    return value;
  }

  take(length: number, field: string): Uint8Array {
    const left = this.bytes.length - this.at;
    if (length > left) {
      throw new AlisError(
        `${this.what} ${field} at byte ${this.at} needs ${length} bytes but only ${left} remain`,
      );
    }
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  string(field: string): string {
    const start = this.at;
    const bytes = this.take(this.int(), field);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new AlisError(`invalid UTF-8 in ${this.what} ${field} at byte ${start}`);
    }
  }

  end(): void {
    const left = this.bytes.length - this.at;
    if (left > 0) {
      throw new AlisError(`${left} unexpected bytes after the ${this.what} message`);
    }
  }
}

function _hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}

function _theme(r: _Reader): Theme | undefined {
  const at = r.at;
  const format = r.take(1, "theme format")[0]!;
  if (format === 0) return undefined;
  if (format !== 8 && format !== 16) {
    throw new AlisError(`unknown theme format 0x${_hex(format)} at byte ${at}`);
  }
  const rgb = r.take((format + 2) * 3, "theme colours");
  const colors: string[] = [];
  for (let i = 0; i < rgb.length; i += 3) {
    colors.push(`#${_hex(rgb[i]!)}${_hex(rgb[i + 1]!)}${_hex(rgb[i + 2]!)}`);
  }
  const [fg, bg, ...palette] = colors;
  return { fg: fg!, bg: bg!, palette };
}

function _eot(r: _Reader): AlisMessage {
  // Consumers ignore whatever follows 0x04; decode the two known layouts when they fit exactly.
  const ints: number[] = [];
  try {
    while (r.at < r.bytes.length && ints.length < 3) ints.push(r.int());
  } catch {
    return { type: "eot" };
  }
  if (ints.length === 1) return { type: "eot", relTime: ints[0]! };
  if (ints.length === 2) return { type: "eot", id: ints[0]!, relTime: ints[1]! };
  return { type: "eot" };
}

/**
 * Checks the first message of a stream: exactly `ALiS\x01`. Throws {@linkcode AlisError}
 * (`bad magic …` or `unsupported ALiS version N`) otherwise.
 *
 * @example
 * ```ts
 * import { checkAlisMagic } from "./decoder.ts";
 * checkAlisMagic(new Uint8Array([0x41, 0x4c, 0x69, 0x53, 0x01])); // ok
 * ```
 */
export function checkAlisMagic(bytes: Uint8Array): void {
  const prefixOk = bytes[0] === 0x41 && bytes[1] === 0x4c && bytes[2] === 0x69 &&
    bytes[3] === 0x53;
  if (prefixOk && bytes.length === 5 && bytes[4] !== 1) {
    throw new AlisError(`unsupported ALiS version ${bytes[4]}`);
  }
  if (!prefixOk || bytes.length !== 5) {
    throw new AlisError(`bad magic: expected the 5 bytes "ALiS\\x01", got ${bytes.length} bytes`);
  }
}

/**
 * Decodes one ALiS message (any message after the magic). Throws {@linkcode AlisError} for
 * an empty message, an unknown type byte, a truncated or oversized LEB128, a string longer
 * than the rest of the message, invalid UTF-8, an unknown theme format or trailing bytes
 * (except after EOT, whose payload consumers ignore beyond the known layouts).
 *
 * @example
 * ```ts
 * import { decodeAlisMessage } from "./decoder.ts";
 * decodeAlisMessage(new Uint8Array([0x72, 0x05, 0x90, 0xaa, 0x89, 0x01, 0x64, 0x1e]));
 * // { type: "resize", id: 5, relTime: 2_250_000, cols: 100, rows: 30 }
 * ```
 */
export function decodeAlisMessage(bytes: Uint8Array): AlisMessage {
  const type = bytes[0];
  if (type === undefined) throw new AlisError("empty ALiS message");
  let message: AlisMessage;
  switch (type) {
    case ALIS_TYPE.init: {
      const r = new _Reader(bytes, "init");
      const lastId = r.int();
      const time = r.int();
      const cols = r.int();
      const rows = r.int();
      const theme = _theme(r);
      const initData = r.string("data");
      r.end();
      message = { type: "init", lastId, time, cols, rows, initData };
      if (theme) message.theme = theme;
      return message;
    }
    case ALIS_TYPE.output:
    case ALIS_TYPE.input: {
      const kind = type === ALIS_TYPE.output ? "output" : "input";
      const r = new _Reader(bytes, kind);
      message = { type: kind, id: r.int(), relTime: r.int(), data: r.string("data") };
      r.end();
      return message;
    }
    case ALIS_TYPE.resize: {
      const r = new _Reader(bytes, "resize");
      message = { type: "resize", id: r.int(), relTime: r.int(), cols: r.int(), rows: r.int() };
      r.end();
      return message;
    }
    case ALIS_TYPE.marker: {
      const r = new _Reader(bytes, "marker");
      message = { type: "marker", id: r.int(), relTime: r.int(), label: r.string("label") };
      r.end();
      return message;
    }
    case ALIS_TYPE.exit: {
      const r = new _Reader(bytes, "exit");
      message = { type: "exit", id: r.int(), relTime: r.int(), status: r.int() };
      r.end();
      return message;
    }
    case ALIS_TYPE.eot:
      return _eot(new _Reader(bytes, "eot"));
    default:
      throw new AlisError(`unknown ALiS message type 0x${_hex(type)}`);
  }
}
