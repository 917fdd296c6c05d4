import { assert, assertEquals } from "../../tests/_assert.ts";
import { COVERAGE_LINES } from "../../tests/_export_casts.ts";
import { FONT_REGULAR } from "./font_data.ts";
import { GlyphCache, GlyphStyle } from "./glyphs.ts";
import { TrueTypeFont } from "./truetype.ts";

Deno.test("every character of the coverage lines renders; boxes only for what the font lacks", () => {
  const glyphs = new GlyphCache(14, 8, 20);
  const font = new TrueTypeFont(FONT_REGULAR);
  const expected = new Set<string>();
  for (const line of COVERAGE_LINES) {
    for (const ch of new Intl.Segmenter().segment(line)) {
      const chars = ch.segment;
      for (const style of [0, GlyphStyle.BOLD, GlyphStyle.ITALIC]) {
        const wide = /[\u4e00-\u9fff\uac00-\ud7af\u3040-\u30ff]|\p{Extended_Pictographic}/u.test(
          chars,
        );
        glyphs.glyph(chars, style, wide);
      }
      const cp = chars.normalize("NFC").codePointAt(0)!;
      const geometric = (cp >= 0x2500 && cp <= 0x259f) || (cp >= 0x2800 && cp <= 0x28ff) ||
        (cp >= 0xe0b0 && cp <= 0xe0bf);
      if (!geometric && cp !== 0x20 && font.glyphIndex(cp) === 0) expected.add(chars);
    }
  }
  assertEquals([...glyphs.missing].sort(), [...expected].sort());
  assertEquals(
    [...expected].sort(),
    [..."中文字日本語한국어"].concat(["\u{1f600}", "\u{1f680}", "\u{1f44d}"]).sort(),
  );
});

Deno.test("glyphs have ink, bold has more, and a missing one is a visible box", () => {
  const glyphs = new GlyphCache(14, 8, 20);
  const ink = (chars: string, style = 0) => {
    const g = glyphs.glyph(chars, style, false);
    return g.mask ? g.mask.reduce((a, b) => a + b, 0) : 0;
  };
  assert(ink("a") > 0);
  assert(ink("a", GlyphStyle.BOLD) > ink("a"));
  assertEquals(ink(" "), 0);
  assert(ink(" ", GlyphStyle.UNDERLINE) > 0);
  const box = glyphs.glyph("\u{1f600}", 0, true);
  assert(box.fallback && box.mask !== undefined && box.width === 16);
});
