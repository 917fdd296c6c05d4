import { assert, assertEquals } from "../../tests/_assert.ts";
import { drawGeometry, isGeometric } from "./cell_geometry.ts";

const W = 8;
const H = 17;
const draw = (ch: string) => drawGeometry(ch.codePointAt(0)!, W, H)!;
const lit = (m: Float32Array, x: number, y: number) => m[y * W + x]! > 0.5;
const rowsLit = (m: Float32Array, x: number) => [...Array(H).keys()].filter((y) => lit(m, x, y));
const colsLit = (m: Float32Array, y: number) => [...Array(W).keys()].filter((x) => lit(m, x, y));

Deno.test("box drawing lines reach the cell edges at the same place, so neighbours join", () => {
  const h = draw("─");
  const v = draw("│");
  // The horizontal line is lit at both edges on the same rows; the vertical one likewise.
  const hRows = rowsLit(h, 0);
  assert(hRows.length > 0);
  assertEquals(rowsLit(h, W - 1), hRows);
  const vCols = colsLit(v, 0);
  assertEquals(colsLit(v, H - 1), vCols);
  // Corners and crosses use exactly those rows and columns at their edges.
  for (const ch of ["┌", "┼", "├", "┬"]) {
    const m = draw(ch);
    assertEquals(rowsLit(m, W - 1), hRows, `${ch} right edge`);
    assertEquals(colsLit(m, H - 1), vCols, `${ch} bottom edge`);
  }
  assertEquals(rowsLit(draw("┐"), 0), hRows);
  assertEquals(colsLit(draw("└"), 0), vCols);
});

Deno.test("heavy lines are thicker than light ones and double lines are two strokes", () => {
  assert(rowsLit(draw("━"), 0).length > rowsLit(draw("─"), 0).length);
  const double = rowsLit(draw("═"), 0);
  assertEquals(double.length, 2);
  assert(double[1]! - double[0]! > 1, "a gap between the strokes");
  // ╬: the centre of the cross stays open between the strokes.
  const cross = draw("╬");
  const [top, bottom] = double;
  assert(lit(cross, 0, top!) && lit(cross, W - 1, bottom!));
  assert(!lit(cross, Math.floor(W / 2), Math.floor((top! + bottom!) / 2)));
});

Deno.test("block elements fill exact parts of the cell", () => {
  assert(draw("█").every((a) => a === 1));
  const upper = draw("▀");
  assertEquals(rowsLit(upper, 0), [...Array(Math.round(H / 2)).keys()]);
  const left = draw("▌");
  assertEquals(colsLit(left, 0), [0, 1, 2, 3]);
  const shade = draw("▒");
  assert(shade.every((a) => a === 0.5));
});

Deno.test("Braille patterns draw their dots: ⣿ has eight, ⠁ one", () => {
  const count = (m: Float32Array) => {
    let blobs = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (lit(m, x, y) && !(x > 0 && lit(m, x - 1, y)) && !(y > 0 && lit(m, x, y - 1))) blobs++;
      }
    }
    return blobs;
  };
  assertEquals(count(draw("⣿")), 8);
  assertEquals(count(draw("⠁")), 1);
});

Deno.test("powerline arrows fill their cell's left edge (but for the anti-aliased tips)", () => {
  const arrow = draw("\ue0b0");
  const edge = [...Array(H).keys()].map((y) => arrow[y * W]!);
  assert(edge.slice(1, -1).every((a) => a > 0.99), edge.join(" "));
  assert(!lit(arrow, W - 1, 0) && !lit(arrow, W - 1, H - 1));
});

Deno.test("only box drawing, blocks, Braille and powerline are geometric", () => {
  assert(isGeometric(0x2500) && isGeometric(0x259f) && isGeometric(0x28ff));
  assert(isGeometric(0xe0b0) && !isGeometric(0xe0a0) && !isGeometric(0x41));
  assertEquals(drawGeometry(0x41, W, H), undefined);
});
