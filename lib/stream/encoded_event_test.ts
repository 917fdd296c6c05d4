import assert from "node:assert/strict";
import { decodeAlisMessage } from "../alis/decoder.ts";
import { alisEvent, encodedEvent } from "./encoded_event.ts";
import type { LiveEvent } from "./live_state.ts";

Deno.test("an event is encoded once for every sender in step, again for one out of step", () => {
  const event: LiveEvent = { id: 7, time: 1_500_000, code: "o", data: "héllo\r\n" };
  const first = alisEvent(event, 12_000);
  assert.deepEqual(decodeAlisMessage(first), {
    type: "output",
    id: 7,
    relTime: 12_000,
    data: "héllo\r\n",
  });
  // A second sender at the same relative time (a forwarder beside a viewer) gets the same bytes.
  assert.equal(alisEvent(event, 12_000), first);
  // One that joined later has another relative time: its own message.
  const other = alisEvent(event, 0);
  assert.notEqual(other, first);
  assert.deepEqual(decodeAlisMessage(other), {
    type: "output",
    id: 7,
    relTime: 0,
    data: "héllo\r\n",
  });
  let calls = 0;
  const text = () => (calls++, JSON.stringify([1.5, "o", event.data]));
  assert.deepEqual(encodedEvent(event, "v21500000", text), encodedEvent(event, "v21500000", text));
  assert.deepEqual(calls, 1);
});
