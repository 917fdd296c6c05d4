import { assert, assertEquals } from "../../tests/_assert.ts";
import { FONT_BOLD, FONT_REGULAR } from "./font_data.ts";
import { TrueTypeFont } from "./truetype.ts";

Deno.test("TrueTypeFont reads the character map, metrics and outlines of DejaVu Sans Mono", () => {
  const font = new TrueTypeFont(FONT_REGULAR);
  assertEquals(font.unitsPerEm, 2048);
  const a = font.glyphIndex(0x41);
  assert(a > 0);
  assertEquals(font.advance(a), 1233);
  const outline = font.outline(a);
  assert(outline.length >= 2, "A has an outer and an inner contour");
  assertEquals(font.outline(font.glyphIndex(0x20)), []);
  // Beyond the Basic Multilingual Plane and absent characters map to the missing glyph.
  assertEquals(font.glyphIndex(0x4e2d), 0);
  assertEquals(font.glyphIndex(0x1f600), 0);
});

Deno.test("TrueTypeFont assembles composite glyphs from their parts", () => {
  const font = new TrueTypeFont(FONT_BOLD);
  const e = font.outline(font.glyphIndex(0x65)); // e
  const eAcute = font.outline(font.glyphIndex(0xe9)); // é: e and an accent
  assert(eAcute.length > e.length, `${eAcute.length} contours, e has ${e.length}`);
  const top = (o: typeof e) => Math.max(...o.flat().map((p) => p.y));
  assert(top(eAcute) > top(e));
});

Deno.test("TrueTypeFont rejects bytes that are not a TrueType font", () => {
  let error: unknown;
  try {
    new TrueTypeFont(new TextEncoder().encode("wOF2 not a ttf at all"));
  } catch (e) {
    error = e;
  }
  assert(error instanceof SyntaxError);
});
