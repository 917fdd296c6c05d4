import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { DEFAULT_SETTINGS, imageOptions, parseJsonTheme, terminalSize } from "./settings.ts";

Deno.test("terminalSize maps VHS's pixels to columns and rows", async (t) => {
  const cases: [string, Partial<typeof DEFAULT_SETTINGS>, [number, number]][] = [
    ["VHS's defaults", {}, [76, 16]],
    ["FontSize 32 (VHS's demo.tape)", { fontSize: 32 }, [53, 11]],
    ["1600x1040 at padding 72, no letter spacing (glow.ascii: 30 rows)", {
      width: 1600,
      height: 1040,
      padding: 72,
      letterSpacing: 0,
    }, [111, 30]],
    ["1000x1050 at padding 72 (glow-simple.ascii: 30 rows)", {
      width: 1000,
      height: 1050,
      padding: 72,
      letterSpacing: 0,
    }, [65, 30]],
    ["2200x500, FontSize 32 at padding 72 (text-prompt.ascii: 8 rows)", {
      width: 2200,
      height: 500,
      fontSize: 32,
      padding: 72,
      letterSpacing: 0,
    }, [107, 8]],
    ["LineHeight 1.5 and a window bar", { lineHeight: 1.5, windowBar: "Colorful" }, [76, 10]],
    ["Cols and Rows win", { cols: 132, rows: 43 }, [132, 43]],
  ];
  for (const [name, settings, [cols, rows]] of cases) {
    await t.step(name, () => {
      assertEquals(terminalSize({ ...DEFAULT_SETTINGS, ...settings }), { cols, rows });
    });
  }
});

Deno.test("terminalSize refuses sizes with no room or beyond 720x200", () => {
  assertThrows(() => terminalSize({ ...DEFAULT_SETTINGS, height: 100 }), RangeError, "no room");
  assertThrows(
    () => terminalSize({ ...DEFAULT_SETTINGS, width: 100_000, fontSize: 8 }),
    RangeError,
    "larger than 720x200",
  );
});

Deno.test("imageOptions passes the pixel settings and the theme to image outputs", () => {
  const options = imageOptions({
    ...DEFAULT_SETTINGS,
    theme: parseJsonTheme('{"name": "Mine", "background": "#000"}'),
    windowBar: "Rings",
    marginFill: "#123456",
  });
  assertEquals(options.themeName, "Mine");
  assertEquals((options.theme as { bg: string }).bg, "#000000");
  assertEquals(options.window, true, "a window bar is the export's window frame");
  assertEquals(options.marginFill, "#123456");
  assertEquals(options.fontSize, 22);
  assertEquals(options.lineHeight, 29 / 22, "VHS's cell height: ⌈1.3·22⌉ = 29 px");
  assertEquals(options.padding, 60);
  assertEquals(options.fps, 50);
  assertEquals(options.idleLimit, 1e9, "the tape's pauses are kept whole");
  assertEquals(options.lastFrame, 0);
});
