import { assertEquals } from "../../tests/_assert.ts";
import { textWidth } from "./text_width.ts";

Deno.test("textWidth counts cells as the emulator does", () => {
  assertEquals(textWidth("hello"), 5);
  assertEquals(textWidth("界"), 2);
  assertEquals(textWidth("🎉"), 2);
  assertEquals(textWidth("e\u0301"), 1);
  assertEquals(textWidth(""), 0);
});
