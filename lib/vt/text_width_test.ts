import { assertEquals } from "../../tests/_assert.ts";
import { addonWidth, WIDTH_TABLE, widthTableSource } from "../../scripts/build_width_table.ts";
import { codePointWidth, textWidth } from "./text_width.ts";

Deno.test("textWidth counts cells as the emulator does", () => {
  assertEquals(textWidth("hello"), 5);
  assertEquals(textWidth("界"), 2);
  assertEquals(textWidth("🎉"), 2);
  assertEquals(textWidth("e\u0301"), 1);
  assertEquals(textWidth(""), 0);
});

Deno.test("every code point has the width the emulator's Unicode 11 addon gives it", () => {
  const addon = addonWidth();
  const wrong: string[] = [];
  for (let c = 0; c <= 0x10ffff && wrong.length < 10; c++) {
    if (codePointWidth(c) !== addon(c)) wrong.push(`U+${c.toString(16)}: ${codePointWidth(c)}`);
  }
  assertEquals(wrong, []);
});

Deno.test("the committed width table is what scripts/build_width_table.ts makes", async () => {
  assertEquals(
    await Deno.readTextFile(WIDTH_TABLE),
    widthTableSource(),
    "rerun: deno run -A scripts/build_width_table.ts",
  );
});
