import { assertEquals } from "../../tests/_assert.ts";
import { Vt } from "../vt/vt.ts";
import { compareGolden, GOLDEN_SEPARATOR, goldenFrame, screenDiff, splitGolden } from "./golden.ts";

Deno.test("golden frames list every row trimmed, then 80 box-drawing dashes", () => {
  using vt = new Vt(12, 4, { sync: true });
  vt.feed("\x1b[1;31m> ls   \x1b[0m\r\n界 x\t\r\n");
  assertEquals(GOLDEN_SEPARATOR, "\u2500".repeat(80));
  assertEquals(goldenFrame(vt.screen()), `> ls\n界 x\n\n\n${GOLDEN_SEPARATOR}\n`);
});

Deno.test("golden frames show the visible screen after output scrolled", () => {
  using vt = new Vt(10, 2, { sync: true });
  vt.feed("1\r\n2\r\n3\r\n4");
  assertEquals(goldenFrame(vt.screen()), `3\n4\n${GOLDEN_SEPARATOR}\n`);
});

Deno.test("splitGolden and compareGolden find the first screen that differs", () => {
  const a = splitGolden(`x\n\n${GOLDEN_SEPARATOR}\n> ls\na\n${GOLDEN_SEPARATOR}\n`);
  assertEquals(a, [["x", ""], ["> ls", "a"]]);
  assertEquals(compareGolden(a, a), undefined);
  assertEquals(compareGolden(a, [["x", ""], ["> ls", "b"]]), {
    index: 1,
    expected: ["> ls", "a"],
    actual: ["> ls", "b"],
    expectedCount: 2,
    actualCount: 2,
  });
  assertEquals(compareGolden(a, [["x", ""]]), {
    index: 1,
    expected: ["> ls", "a"],
    expectedCount: 2,
    actualCount: 1,
  });
});

Deno.test("screenDiff marks changed rows and drops rows empty in both", () => {
  assertEquals(screenDiff(["> echo hi", "hi", "", ""], ["> echo hi", "ho", "", ""]), [
    "  > echo hi",
    "- hi",
    "+ ho",
  ]);
});
