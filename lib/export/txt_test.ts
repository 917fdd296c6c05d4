import { assertEquals } from "../../tests/_assert.ts";
import { createCastWriter } from "../asciicast/writer.ts";
import { txtEncoder } from "./txt.ts";

async function writeText(events: { time: number; code: string; data: string }[]) {
  const chunks: Uint8Array[] = [];
  const dest = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(chunk) });
  const writer = createCastWriter(dest, { version: 3, cols: 80, rows: 24 }, {
    encoder: txtEncoder,
  });
  for (const event of events) writer.write(event);
  await writer.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("writer writes the final terminal text for txt", async () => {
  assertEquals(
    await writeText([
      { time: 0, code: "o", data: "$ ls\r\nfile1  file2\r\n$ " },
      { time: 1, code: "o", data: "exit\r\n" },
    ]),
    "$ ls\nfile1  file2\n$ exit\n",
  );
});

Deno.test("txt follows resizes and ignores other events", async () => {
  assertEquals(
    await writeText([
      { time: 0, code: "o", data: "abcdefghij" },
      { time: 1, code: "r", data: "5x3" },
      { time: 2, code: "i", data: "typed" },
      { time: 3, code: "m", data: "marker" },
      { time: 4, code: "o", data: "\r\nxy" },
    ]),
    "abcde\nxy\n",
  );
});
