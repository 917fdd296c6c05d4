/**
 * One encoding of a live event for everyone who sends it the same way. The local viewers,
 * the relay's viewers and the remote forwarder each send every event they get, and those in
 * step (the same wire format, the same time relative to the event before) send the same
 * bytes: the first one encodes them, the others reuse them.
 *
 * @module
 */
import { encodeAlisMessage } from "../alis/encoder.ts";
import { eventMessage } from "../alis/event_message.ts";
import type { LiveEvent } from "./live_state.ts";

/** The last encoding made of each event, with what it was made for. */
const _encoded = new WeakMap<LiveEvent, { key: string; message: Uint8Array | string }>();

/**
 * The encoding of `event` for `key` (a wire format and a relative time, e.g. `alis12000`):
 * the one made last if it was made for the same key, else `encode()`'s, kept for the next.
 *
 * @example
 * ```ts
 * import { encodedEvent } from "./encoded_event.ts";
 * const event = { id: 1, time: 0, code: "o" as const, data: "hi" };
 * const a = encodedEvent(event, "v30", () => JSON.stringify([0, "o", "hi"]));
 * const b = encodedEvent(event, "v30", () => "never called");
 * a === b; // true
 * ```
 */
export function encodedEvent<T extends Uint8Array | string>(
  event: LiveEvent,
  key: string,
  encode: () => T,
): T {
  const cached = _encoded.get(event);
  if (cached?.key === key) return cached.message as T;
  const message = encode();
  _encoded.set(event, { key, message });
  return message;
}

/** The ALiS message of `event` at `relTime` µs after the one before, shared (see above). */
export function alisEvent(event: LiveEvent, relTime: number): Uint8Array {
  return encodedEvent(
    event,
    `alis${relTime}`,
    () => encodeAlisMessage(eventMessage(event.code, event.data, event.id, relTime)),
  );
}
