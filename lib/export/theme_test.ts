import { assert, assertEquals } from "../../tests/_assert.ts";
import { loadTheme, parseThemeFile, pickTheme, themeColors, THEMES } from "./theme.ts";

Deno.test("theme files take asciicast v3's palette string or an array", () => {
  const colors = "#000000 #111111 #222222 #333333 #444444 #555555 #666666 #777777".split(" ");
  const a = parseThemeFile(JSON.stringify({ fg: "#FFFFFF", bg: "#000000", palette: colors }), "a");
  const b = parseThemeFile(
    JSON.stringify({ fg: "#ffffff", bg: "#000000", palette: colors.join(":") }),
    "b",
  );
  assertEquals(a, b);
  assertEquals(a.fg, "#ffffff");
});

Deno.test("a bad theme file is a SyntaxError naming the file and the problem", () => {
  for (
    const [text, why] of [
      ["{", "not JSON"],
      ['{"fg":"red","bg":"#000000","palette":[]}', "fg is not a colour"],
      ['{"fg":"#ffffff","bg":"#000000","palette":["#000000"]}', "8 or 16"],
    ]
  ) {
    let error: unknown;
    try {
      parseThemeFile(text!, "mine.json");
    } catch (e) {
      error = e;
    }
    assert(error instanceof SyntaxError && error.message.startsWith("mine.json: "), String(error));
    assert((error as Error).message.includes(why!), (error as Error).message);
  }
});

Deno.test("themes: built-in names, the recording's own, else asciinema", async () => {
  assertEquals((await loadTheme("dracula")).bg, "#282a36");
  const own = { fg: "#010101", bg: "#020202", palette: THEMES.nord!.palette };
  assertEquals(pickTheme(undefined, { version: 3, cols: 1, rows: 1, theme: own }), own);
  assertEquals(pickTheme(undefined, { version: 3, cols: 1, rows: 1 }), THEMES.asciinema);
});

Deno.test("the 256-colour palette: theme colours, the 6x6x6 cube and the grey ramp", () => {
  const c = themeColors(THEMES.nord!);
  assertEquals(
    c.palette[9],
    c.palette[1],
    "an 8-colour theme's bright colours are its normal ones",
  );
  assertEquals(c.palette[16], 0x000000);
  assertEquals(c.palette[231], 0xffffff);
  assertEquals(c.palette[232], 0x080808);
  assertEquals(c.palette[255], 0xeeeeee);
});
