import { assertEquals } from "../../tests/_assert.ts";
import { ViewerCountDisplay } from "./_viewer_count.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("the viewer count goes into the window title between escape sequences, and the title comes back", async () => {
  const written: string[] = [];
  const display = new ViewerCountDisplay({
    terminal: true,
    write: (bytes) => written.push(new TextDecoder().decode(bytes)),
  });
  // The session's output stops inside a CSI sequence: nothing may be written into it.
  display.event({ id: 1, time: 0, code: "o", data: "text \x1b[3" });
  display.count(1);
  await sleep(150);
  assertEquals(written, []);
  display.event({ id: 2, time: 1, code: "o", data: "1m bold" });
  await sleep(150);
  assertEquals(written, ["\x1b[22;2t\x1b]2;asciirec: 1 watching\x07"]);
  display.count(0);
  await sleep(150);
  assertEquals(written.at(-1), "\x1b]2;asciirec: no one watching\x07");
  display.close();
  assertEquals(written.at(-1), "\x1b[23;2t");
  assertEquals(written.length, 3);
});
