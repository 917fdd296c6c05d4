import { assertEquals } from "../../tests/_assert.ts";
import { Rasterizer } from "./rasterizer.ts";

const round = (a: Float32Array) => [...a].map((v) => Math.round(v * 100) / 100);

Deno.test("rasterizer gives exact area coverage for pixel-aligned and half-pixel edges", () => {
  const r = new Rasterizer(4, 2);
  r.polygon([[1, 0], [3.5, 0], [3.5, 2], [1, 2]]);
  assertEquals(round(r.coverage()), [0, 1, 1, 0.5, 0, 1, 1, 0.5]);
});

Deno.test("rasterizer fills a diagonal half of a square to half its area", () => {
  const r = new Rasterizer(8, 8);
  r.polygon([[0, 0], [8, 8], [0, 8]]);
  const total = r.coverage().reduce((a, b) => a + b, 0);
  assertEquals(Math.round(total * 100) / 100, 32);
});

Deno.test("rasterizer clips shapes that reach outside the grid", () => {
  const r = new Rasterizer(2, 2);
  r.polygon([[-5, -5], [10, -5], [10, 1], [-5, 1]]);
  assertEquals(round(r.coverage()), [1, 1, 0, 0]);
});
