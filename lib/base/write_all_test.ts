import { assertEquals } from "../../tests/_assert.ts";
import { writeAll } from "./write_all.ts";

Deno.test("writeAll writes every byte, in order, through writes that take a few at a time", async () => {
  const got: number[] = [];
  const calls: number[] = [];
  const stingy = {
    write(bytes: Uint8Array): Promise<number> {
      const n = Math.min(3, bytes.length);
      calls.push(bytes.length);
      got.push(...bytes.subarray(0, n));
      return Promise.resolve(n);
    },
  };
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);
  await writeAll(stingy, bytes);
  assertEquals(got, [...bytes]);
  assertEquals(calls, [10, 7, 4, 1]);
  await writeAll(stingy, new Uint8Array(0));
  assertEquals(calls.length, 4, "nothing to write: no call");
});

Deno.test("writeAll over a real socket delivers a buffer larger than the kernel takes at once", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  const bytes = Uint8Array.from({ length: 8 * 1024 * 1024 }, (_, i) => i * 7 & 0xff);
  const reading = (async () => {
    const got = new Uint8Array(bytes.length);
    for (let at = 0; at < got.length;) {
      const n = await server.read(got.subarray(at));
      if (n === null) break;
      at += n;
    }
    return got;
  })();
  await writeAll(client, bytes);
  const got = await reading;
  client.close();
  server.close();
  listener.close();
  assertEquals(got.length, bytes.length);
  assertEquals(got.every((b, i) => b === bytes[i]), true);
});
