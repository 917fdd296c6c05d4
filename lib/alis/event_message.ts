/**
 * The one mapping from session Events to ALiS messages, shared by everything that speaks
 * ALiS to a peer (live viewers, the remote forwarder).
 *
 * @module
 */
import { parseSize } from "../asciicast/event.ts";
import type { AlisMessage } from "./message.ts";

/** The Event codes that exist in ALiS (others are not streamed). */
export type StreamCode = "o" | "i" | "m" | "r" | "x";

/**
 * Checks an Event's code and data for streaming: the code when ALiS has it and the data as it
 * will be sent (a resize re-formatted, an exit status as a non-negative integer, since ALiS
 * statuses are unsigned and asciinema sends a negative one as 0); `undefined` for an event
 * that is not streamed (an unknown code, a resize that is not a size).
 *
 * @example
 * ```ts
 * import { streamable } from "./event_message.ts";
 * streamable("x", "-1"); // { code: "x", data: "0" }
 * streamable("r", "junk"); // undefined
 * ```
 */
export function streamable(
  code: string,
  data: string,
): { code: StreamCode; data: string } | undefined {
  switch (code) {
    case "o":
    case "i":
    case "m":
      return { code, data };
    case "r": {
      const size = parseSize(data);
      if (!size || size.cols < 1 || size.rows < 1) return undefined;
      return { code, data: `${size.cols}x${size.rows}` };
    }
    case "x": {
      const n = Number(data);
      return { code, data: String(Number.isSafeInteger(n) && n >= 0 ? n : 0) };
    }
    default:
      return undefined;
  }
}

/**
 * The ALiS message of a streamable event (see {@linkcode streamable}) with id `id` and time
 * `relTime` µs after the previous message of its connection.
 *
 * @example
 * ```ts
 * import { eventMessage } from "./event_message.ts";
 * eventMessage("o", "hi", 1, 500); // { type: "output", id: 1, relTime: 500, data: "hi" }
 * eventMessage("r", "100x30", 2, 0); // { type: "resize", id: 2, relTime: 0, cols: 100, rows: 30 }
 * ```
 */
export function eventMessage(
  code: StreamCode,
  data: string,
  id: number,
  relTime: number,
): AlisMessage {
  switch (code) {
    case "o":
      return { type: "output", id, relTime, data };
    case "i":
      return { type: "input", id, relTime, data };
    case "m":
      return { type: "marker", id, relTime, label: data };
    case "r": {
      const { cols, rows } = parseSize(data)!;
      return { type: "resize", id, relTime, cols, rows };
    }
    case "x":
      return { type: "exit", id, relTime, status: Number(data) };
  }
}
