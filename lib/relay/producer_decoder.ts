/**
 * What a producer sends to the relay, in any of the four protocols asciinema servers accept
 * (`v1.alis`, `v2.asciicast`, `v3.asciicast`, `raw`), decoded into one form: an Init (reset),
 * events with absolute times, or the end of the session. Violations become a
 * {@linkcode ProducerProtocolError} carrying the WebSocket close code the reference gives.
 *
 * @module
 */
import { type Event, MAX_COLS, MAX_ROWS, MAX_TIME, parseSize } from "../asciicast/event.ts";
import { eventFromJson } from "../asciicast/event_line.ts";
import { parseV2Header } from "../asciicast/v2.ts";
import { parseV3Header } from "../asciicast/v3.ts";
import { AlisError } from "../alis/alis_error.ts";
import { checkAlisMagic, decodeAlisMessage } from "../alis/decoder.ts";
import { type AlisInit, alisMagic } from "../alis/message.ts";

/** The producer sub-protocols, in the server's order of preference. */
export const PRODUCER_PROTOCOLS = ["v1.alis", "v2.asciicast", "v3.asciicast", "raw"] as const;

/** One producer sub-protocol. */
export type ProducerProtocol = typeof PRODUCER_PROTOCOLS[number];

export { MAX_COLS, MAX_ROWS };

/** Close code: terminal size outside 1..720 × 1..200. */
export const CLOSE_INVALID_SIZE = 4003;
/** Close code: any parse error. */
export const CLOSE_PARSE_ERROR = 4005;

/** A (re)start of the stream's state: an ALiS Init, whatever the producer's protocol. */
export interface ProducerInit extends Omit<AlisInit, "type"> {
  /** Discriminant. */
  kind: "init";
}

/** One event, with its absolute stream time. */
export interface ProducerEvent {
  /** Discriminant. */
  kind: "event";
  /** The producer's id (ALiS) or the relay's own count (other protocols). */
  id: number;
  /** The event; `time` is absolute stream time in microseconds. */
  event: Event;
}

/** The session ended (ALiS EOT). */
export interface ProducerEnd {
  /** Discriminant. */
  kind: "eot";
}

/** Anything a producer message can mean. */
export type ProducerUpdate = ProducerInit | ProducerEvent | ProducerEnd;

/** A producer broke the protocol; `code` is the close code to send, `reason` its reason. */
export class ProducerProtocolError extends Error {
  override name = "ProducerProtocolError";
  /** 4003 (size) or 4005 (parse error). */
  readonly code: number;
  /** The close reason (`invalid terminal size (CxR)`, `message parsing error`). */
  readonly reason: string;

  /** An error for `code` with a detailed `message` (logged) and the short close `reason`. */
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

function _parseError(message: string): ProducerProtocolError {
  return new ProducerProtocolError(CLOSE_PARSE_ERROR, "message parsing error", message);
}

/**
 * Throws a {@linkcode ProducerProtocolError} 4003 unless `0 < cols ≤ 720` and
 * `0 < rows ≤ 200`.
 */
export function checkTerminalSize(cols: number, rows: number): void {
  if (!(cols > 0 && cols <= MAX_COLS && rows > 0 && rows <= MAX_ROWS)) {
    const size = `${cols}x${rows}`;
    throw new ProducerProtocolError(
      CLOSE_INVALID_SIZE,
      `invalid terminal size (${size})`,
      `terminal size ${size} is outside 1..${MAX_COLS} x 1..${MAX_ROWS}`,
    );
  }
}

/**
 * Guesses the protocol of a producer that offered none, from its first message: binary
 * exactly `ALiS\x01` → ALiS; other binary → raw; JSON text with `"version": 2` or `3` →
 * asciicast v2/v3; other text → raw.
 *
 * @example
 * ```ts
 * import { detectProducerProtocol } from "./producer_decoder.ts";
 * detectProducerProtocol('{"version": 3, "term": {"cols": 80, "rows": 24}}'); // "v3.asciicast"
 * ```
 */
export function detectProducerProtocol(first: string | Uint8Array): ProducerProtocol {
  if (typeof first !== "string") {
    const magic = alisMagic();
    return first.length === magic.length && magic.every((b, i) => first[i] === b)
      ? "v1.alis"
      : "raw";
  }
  const line = first.split("\n").find((l) => l.trim() !== "") ?? "";
  try {
    const value = JSON.parse(line);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      if (value.version === 2) return "v2.asciicast";
      if (value.version === 3) return "v3.asciicast";
    }
  } catch {
    // Not JSON: raw text.
  }
  return "raw";
}

/** Throws a protocol error for a stream time past {@linkcode MAX_TIME}. */
function _checkStreamTime(time: number): void {
  if (!(time <= MAX_TIME)) {
    throw _parseError(`stream time ${time / 1e6} s is out of range (at most ${MAX_TIME / 1e6} s)`);
  }
}

/** Parses `[time, code, data]`; `time` in whole microseconds. */
function _eventLine(line: string, timeName: "time" | "interval"): Event {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw _parseError(`event is not JSON: ${(error as Error).message}`);
  }
  try {
    return eventFromJson(value, timeName);
  } catch (error) {
    throw _parseError((error as Error).message);
  }
}

// deno-lint-ignore no-control-regex -- the size hint is an escape sequence
const SIZE_HINT_RE = /\x1b\[8;(\d+);(\d+)t/;
const SCRIPT_RE = /COLUMNS="(\d+)"[^\n]*?LINES="(\d+)"/;

/**
 * Decodes the messages of one producer connection, in order, and enforces the state rules:
 * nothing before Init, no second Init while online (after EOT a new Init is fine), sizes
 * within limits, text frames only for asciicast, binary only for ALiS.
 *
 * @example
 * ```ts
 * import { ProducerDecoder } from "./producer_decoder.ts";
 * const decoder = new ProducerDecoder("v3.asciicast");
 * decoder.decode('{"version": 3, "term": {"cols": 80, "rows": 24}}');
 * // [{ kind: "init", lastId: 0, time: 0, cols: 80, rows: 24, initData: "" }]
 * decoder.decode('[0.5, "o", "hi"]');
 * // [{ kind: "event", id: 1, event: { time: 500000, code: "o", data: "hi" } }]
 * ```
 */
export class ProducerDecoder {
  /** The protocol being decoded. */
  readonly protocol: ProducerProtocol;
  readonly #now: () => number;
  #magicSeen = false;
  #online = false;
  #time = 0;
  #nextId = 1;
  #rawStart = 0;
  readonly #rawText = new TextDecoder();

  /** A decoder for `protocol`; `now` (milliseconds) stamps raw output on arrival. */
  constructor(protocol: ProducerProtocol, now: () => number = () => performance.now()) {
    this.protocol = protocol;
    this.#now = now;
  }

  /** Whether an Init was received and no EOT since. */
  get online(): boolean {
    return this.#online;
  }

  /**
   * Decodes one WebSocket message (a string for a text frame, bytes for a binary frame).
   *
   * @throws {ProducerProtocolError} for anything the protocol does not allow.
   */
  decode(message: string | Uint8Array): ProducerUpdate[] {
    switch (this.protocol) {
      case "v1.alis":
        return this.#alis(message);
      case "v2.asciicast":
      case "v3.asciicast":
        return this.#asciicast(message);
      case "raw":
        return this.#raw(message);
    }
  }

  #alis(message: string | Uint8Array): ProducerUpdate[] {
    if (typeof message === "string") throw _parseError("text frame on an ALiS connection");
    try {
      if (!this.#magicSeen) {
        checkAlisMagic(message);
        this.#magicSeen = true;
        return [];
      }
      const m = decodeAlisMessage(message);
      if (m.type === "init") {
        if (this.#online) throw _parseError("second Init while the stream is online");
        checkTerminalSize(m.cols, m.rows);
        _checkStreamTime(m.time);
        this.#online = true;
        this.#time = m.time;
        const init: ProducerInit = {
          kind: "init",
          lastId: m.lastId,
          time: m.time,
          cols: m.cols,
          rows: m.rows,
          initData: m.initData,
        };
        if (m.theme) init.theme = m.theme;
        return [init];
      }
      if (m.type === "eot") {
        if (!this.#online) throw _parseError("EOT before Init");
        this.#online = false;
        return [{ kind: "eot" }];
      }
      if (!this.#online) throw _parseError(`${m.type} before Init`);
      this.#time += m.relTime;
      const time = this.#time;
      _checkStreamTime(time);
      switch (m.type) {
        case "output":
        case "input":
          return [{
            kind: "event",
            id: m.id,
            event: { time, code: m.type === "output" ? "o" : "i", data: m.data },
          }];
        case "resize":
          checkTerminalSize(m.cols, m.rows);
          return [{
            kind: "event",
            id: m.id,
            event: { time, code: "r", data: `${m.cols}x${m.rows}` },
          }];
        case "marker":
          return [{ kind: "event", id: m.id, event: { time, code: "m", data: m.label } }];
        case "exit":
          return [{ kind: "event", id: m.id, event: { time, code: "x", data: String(m.status) } }];
      }
    } catch (error) {
      if (error instanceof AlisError) throw _parseError(error.message);
      throw error;
    }
  }

  #asciicast(message: string | Uint8Array): ProducerUpdate[] {
    if (typeof message !== "string") {
      throw _parseError(`binary frame on a ${this.protocol} connection`);
    }
    const out: ProducerUpdate[] = [];
    for (const line of message.split("\n")) {
      if (line.trim() === "") continue;
      if (this.protocol === "v3.asciicast" && line.trimStart().startsWith("#")) continue;
      if (!this.#online) {
        out.push(this.#asciicastHeader(line));
        continue;
      }
      const v2 = this.protocol === "v2.asciicast";
      const event = _eventLine(line, v2 ? "time" : "interval");
      event.time = v2 ? Math.max(event.time, this.#time) : this.#time + event.time;
      _checkStreamTime(event.time);
      this.#time = event.time;
      if (event.code === "r") {
        const size = parseSize(event.data);
        if (!size) throw _parseError(`bad resize data ${JSON.stringify(event.data)}`);
        checkTerminalSize(size.cols, size.rows);
      }
      // Other codes than o/i/r/m/x would reach viewers in no protocol; they count as events.
      out.push({ kind: "event", id: this.#nextId++, event });
    }
    return out;
  }

  #asciicastHeader(line: string): ProducerInit {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw _parseError(`header is not JSON: ${(error as Error).message}`);
    }
    const v2 = this.protocol === "v2.asciicast";
    const record = value !== null && typeof value === "object" && !Array.isArray(value)
      ? value as Record<string, unknown>
      : {};
    const term = record.term !== null && typeof record.term === "object"
      ? record.term as Record<string, unknown>
      : {};
    const cols = v2 ? record.width : term.cols;
    const rows = v2 ? record.height : term.rows;
    if (typeof cols === "number" && typeof rows === "number") checkTerminalSize(cols, rows);
    let header;
    try {
      header = v2 ? parseV2Header(value) : parseV3Header(value);
    } catch (error) {
      throw _parseError(`bad header: ${(error as Error).message}`);
    }
    this.#online = true;
    this.#time = 0;
    const init: ProducerInit = {
      kind: "init",
      lastId: 0,
      time: 0,
      cols: header.cols,
      rows: header.rows,
      initData: "",
    };
    if (header.theme) init.theme = header.theme;
    return init;
  }

  #raw(message: string | Uint8Array): ProducerUpdate[] {
    const text = typeof message === "string"
      ? message
      : this.#rawText.decode(message, { stream: true });
    if (!this.#online) {
      this.#online = true;
      this.#rawStart = this.#now();
      let cols = 80;
      let rows = 24;
      const hint = SIZE_HINT_RE.exec(text);
      const script = hint ? null : SCRIPT_RE.exec(text);
      if (hint) {
        rows = Number(hint[1]);
        cols = Number(hint[2]);
      } else if (script) {
        cols = Number(script[1]);
        rows = Number(script[2]);
      }
      checkTerminalSize(cols, rows);
      return [{ kind: "init", lastId: 0, time: 0, cols, rows, initData: text }];
    }
    if (text === "") return [];
    const time = Math.max(this.#time, Math.round((this.#now() - this.#rawStart) * 1000));
    this.#time = time;
    return [{ kind: "event", id: this.#nextId++, event: { time, code: "o", data: text } }];
  }
}
