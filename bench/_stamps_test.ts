import { assert, assertEquals } from "../tests/_assert.ts";
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { alisMagic } from "../lib/alis/message.ts";
import { now, stampedData, stampsOf } from "./_stamps.ts";

Deno.test("a stamped event has the size asked and its stamp, which stampsOf reads back", () => {
  const before = now();
  const { data, stamp } = stampedData(1000);
  assertEquals(data.length, 1000);
  assert(data.startsWith(`T${stamp.toFixed(3)};`) && data.endsWith("xx\r\n"));
  assert(stamp >= before - 0.001 && stamp <= now());
  const message = encodeAlisMessage({ type: "output", id: 7, relTime: 10_000, data });
  assertEquals(stampsOf(message), [stamp]);
});

Deno.test("stampsOf reads every stamp of merged events, and none from other messages", () => {
  const data = "T1796180306065.125;xx\r\nT1796180306075.5;yy\r\nT1796180306085;\r\n";
  const message = encodeAlisMessage({ type: "output", id: 300, relTime: 20_000, data });
  assertEquals(stampsOf(message), [1796180306065.125, 1796180306075.5, 1796180306085]);
  assertEquals(stampsOf(alisMagic()), []);
  const init = encodeAlisMessage({
    type: "init",
    lastId: 0,
    time: 0,
    cols: 80,
    rows: 24,
    initData: "T1;",
  });
  assertEquals(stampsOf(init), []);
});
