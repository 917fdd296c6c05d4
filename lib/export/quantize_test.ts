import { assert, assertEquals } from "../../tests/_assert.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import { quantize } from "./quantize.ts";

Deno.test("quantize keeps the exact colours when they fit", () => {
  const pixels = new Uint32Array([1, 2, 3, 2, 1, 0xff000000]);
  const { palette, indices } = quantize(pixels, 4, { skip: 0xff000000 });
  assertEquals(palette.length, 3);
  assertEquals([...indices].map((i) => palette[i] ?? "skip"), [1, 2, 3, 2, 1, "skip"]);
});

Deno.test("quantize reduces many colours to a palette close to each of them", () => {
  const random = mulberry32(5);
  const pixels = new Uint32Array(20000).map(() => Math.floor(random() * 0x1000000));
  const { palette, indices } = quantize(pixels, 255);
  assertEquals(palette.length, 255);
  let worst = 0;
  for (let i = 0; i < pixels.length; i++) {
    const a = pixels[i]!;
    const b = palette[indices[i]!]!;
    const d = Math.max(
      Math.abs((a >> 16) - (b >> 16)),
      Math.abs(((a >> 8) & 255) - ((b >> 8) & 255)),
      Math.abs((a & 255) - (b & 255)),
    );
    worst = Math.max(worst, d);
  }
  assert(worst < 80, `worst channel error ${worst}`);
});
