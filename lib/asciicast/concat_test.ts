import { assertEquals } from "../../tests/_assert.ts";
import { concatRecordings } from "./concat.ts";
import type { Event, Header } from "./event.ts";
import type { Recording } from "./reader.ts";

function recording(header: Header, events: Event[]): Recording & { closed: boolean } {
  const r = {
    name: "x",
    header,
    closed: false,
    events: (async function* () {
      yield* events.map((e) => ({ ...e }));
    })(),
    close() {
      r.closed = true;
      return Promise.resolve();
    },
  };
  return r;
}

Deno.test("concatRecordings shifts each part by the last time so far, with a resize at a size change (asciicast.md §10)", async () => {
  const a = recording({ version: 3, cols: 80, rows: 24, title: "part 1" }, [
    { time: 100_000, code: "o", data: "one\r\n" },
    { time: 1_500_000, code: "o", data: "two\r\n" },
    { time: 2_000_000, code: "x", data: "0" },
  ]);
  const b = recording({ version: 3, cols: 100, rows: 30, title: "part 2" }, [
    { time: 250_000, code: "o", data: "three\r\n" },
    { time: 1_000_000, code: "m", data: "end" },
    { time: 1_100_000, code: "x", data: "0" },
  ]);
  const c = recording({ version: 2, cols: 100, rows: 30 }, [{ time: 0, code: "o", data: "four" }]);
  const joined = concatRecordings([a, b, c]);
  const events = [];
  for await (const event of joined.events) events.push([event.time, event.code, event.data]);
  assertEquals(joined.header.title, "part 1");
  assertEquals(events, [
    [100_000, "o", "one\r\n"],
    [1_500_000, "o", "two\r\n"],
    [2_000_000, "x", "0"],
    [2_000_000, "r", "100x30"],
    [2_250_000, "o", "three\r\n"],
    [3_000_000, "m", "end"],
    [3_100_000, "x", "0"],
    [3_100_000, "o", "four"],
  ]);
  assertEquals([a.closed, b.closed, c.closed], [true, true, true]);
});

Deno.test("concatRecordings tracks resizes inside a part", async () => {
  const a = recording({ version: 3, cols: 80, rows: 24 }, [{ time: 1, code: "r", data: "100x30" }]);
  const b = recording({ version: 3, cols: 100, rows: 30 }, [{ time: 5, code: "o", data: "x" }]);
  const c = recording({ version: 3, cols: 80, rows: 24 }, [{ time: 5, code: "o", data: "y" }]);
  const events = [];
  for await (const event of concatRecordings([a, b, c]).events) events.push(event.code);
  assertEquals(events, ["r", "o", "r", "o"]);
});
