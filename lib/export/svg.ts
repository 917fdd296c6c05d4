/**
 * The `svg` format: an animated SVG that stays text (selectable, searchable), animated with
 * CSS keyframes, one frame per distinct screen.
 *
 * How it stays small: each screen row is a slot, and every distinct content a slot ever
 * shows is drawn once, stacked one screen-height apart ("pages") inside the slot's group; a
 * keyframes rule per slot moves the group to the page it shows, changing only when that row
 * changes. Contents that appear in several slots (lines that scroll) are defined once and
 * reused with `<use>`. A slot's final content sits on page 0, so a viewer without animation
 * (or with `prefers-reduced-motion`) shows the last frame.
 *
 * The SVG must see the whole recording before it can be written: not a streaming format.
 *
 * @module
 */
import type { EncoderFactory } from "../asciicast/encoder.ts";
import type { Header } from "../asciicast/event.ts";
import { CellFlag, type ScreenLine } from "../vt/screen.ts";
import { cellColors } from "./cell_colors.ts";
import { drawGeometry } from "./cell_geometry.ts";
import { type Frame, FrameTimeline } from "./frames.ts";
import { layout, WINDOW_BUTTONS, windowButtons } from "./layout.ts";
import { type ExportSettings, exportSettings } from "./options.ts";
import { colorHex, type ThemeColors, themeColors } from "./theme.ts";
import { escapeXml } from "./xml_escape.ts";

/** Font size in SVG units: cells are 6 × (10 × line height) units, scaled to pixels. */
const FONT = 10;
const CELL_W = 6;
const FONTS = `Menlo,"DejaVu Sans Mono",Consolas,"Liberation Mono",monospace`;
// Sentinels in row markup, replaced by the row's top and baseline where it is placed.
const TOP = "\u0001";
// Shapes are drawn on a grid this many times finer than the SVG unit.
const SHAPE_SCALE = 2;
const BASE = "\u0002";

/**
 * Encodes a recording as an animated SVG (or, with `at`, a still one).
 *
 * @example
 * ```ts
 * import { svgEncoder } from "./svg.ts";
 * let out = "";
 * const encoder = svgEncoder({ header: { version: 3, cols: 20, rows: 2 }, emit: (s) => out += s });
 * encoder.event({ time: 0, code: "o", data: "hello" });
 * encoder.finish();
 * // out starts with '<svg xmlns="http://www.w3.org/2000/svg"'
 * ```
 */
export const svgEncoder: EncoderFactory = ({ header, emit, options }) => {
  const settings = exportSettings(options, header);
  const builder = new SvgBuilder(settings, header);
  const timeline = new FrameTimeline(settings, (frame) => builder.add(frame));
  return {
    event(event) {
      timeline.event(event);
    },
    finish() {
      timeline.finish();
      emit(builder.finish());
    },
  };
};

/** Collects frames as row ids and writes the SVG. */
class SvgBuilder {
  #s: ExportSettings;
  #header: Header;
  #colors: ThemeColors;
  #cellH: number;
  #styles = new Map<string, string>();
  #css: string[] = [];
  #ids = new Map<string, number>();
  #markups: string[] = [];
  #times: number[] = [];
  #total = 0;
  /** Per frame, the content id of each slot. */
  #rows: Int32Array[] = [];
  #prevLines: ScreenLine[] = [];
  #prevCursor = -1;
  #prevIds: Int32Array | undefined;
  #shapes = new Map<number, [number, number, number, number][]>();

  constructor(settings: ExportSettings, header: Header) {
    this.#s = settings;
    this.#header = header;
    this.#colors = themeColors(settings.theme);
    this.#cellH = _round(FONT * settings.lineHeight);
    this.#id(""); // id 0: an empty row
  }

  add(frame: Frame): void {
    const { screen } = frame;
    const rows = this.#s.rows;
    const ids = new Int32Array(rows);
    const cursorRow = screen.cursor.visible ? screen.cursor.y : -1;
    const cursorCol = Math.min(screen.cursor.x, screen.cols - 1);
    for (let y = 0; y < rows; y++) {
      const line = screen.lines[y];
      if (!line) continue;
      const cursor = y === cursorRow ? cursorCol : -1;
      const prev = this.#prevLines[y];
      const prevCursor = y === this.#prevCursor >> 16 ? this.#prevCursor & 0xffff : -1;
      if (this.#prevIds && prev && cursor === prevCursor && _sameLine(prev, line)) {
        ids[y] = this.#prevIds[y]!;
      } else {
        ids[y] = this.#id(this.#row(line, cursor));
      }
    }
    this.#prevLines = screen.lines;
    this.#prevCursor = cursorRow >= 0 ? (cursorRow << 16) | cursorCol : -1;
    this.#prevIds = ids;
    this.#rows.push(ids);
    this.#times.push(frame.time);
    this.#total = frame.time + frame.duration;
  }

  finish(): string {
    const s = this.#s;
    const unit = s.fontSize / FONT;
    const l = layout({ ...s, padding: s.padding / unit, fontSize: FONT }, CELL_W, this.#cellH);
    const pageH = _round(s.rows * this.#cellH);
    const frames = this.#rows.length;
    const animated = frames > 1 && this.#total > 0;

    // Slots: the sequence of contents of each row, their pages and keyframes.
    const uses = new Int32Array(this.#markups.length);
    const slots: { pages: Map<number, number>; changes: [number, number][] }[] = [];
    for (let y = 0; y < s.rows; y++) {
      const changes: [number, number][] = [];
      for (let f = 0; f < frames; f++) {
        const id = this.#rows[f]![y]!;
        if (changes.length === 0 || changes.at(-1)![1] !== id) changes.push([f, id]);
      }
      const pages = new Map<number, number>();
      if (changes.length > 0) pages.set(changes.at(-1)![1], 0);
      for (const [, id] of changes) if (!pages.has(id)) pages.set(id, pages.size);
      for (const id of pages.keys()) uses[id]!++;
      slots.push({ pages, changes });
    }

    const defs: string[] = [];
    const body: string[] = [];
    const keyframes = new Map<string, string>();
    const place = (id: number, top: number): string => {
      const markup = this.#markups[id]!;
      if (markup === "") return "";
      if (uses[id]! > 1) return `<use href="#r${id}" y="${_num(top)}"/>`;
      return this.#at(markup, top);
    };
    for (const [id, n] of uses.entries()) {
      if (n > 1 && this.#markups[id] !== "") defs.push(this.#define(id));
    }
    const still: string[] = [];
    for (let y = 0; y < s.rows; y++) {
      const { pages, changes } = slots[y]!;
      const top = y * this.#cellH;
      if (pages.size <= 1 || !animated) {
        const final = changes.at(-1)?.[1];
        if (final !== undefined) still.push(place(final, top));
        continue;
      }
      let content = "";
      for (const [id, page] of pages) content += place(id, top + page * pageH);
      let frames = "";
      for (const [f, id] of changes) {
        const page = pages.get(id)!;
        frames += `${_pct(this.#times[f]! / this.#total)}{translate:0${
          page ? ` -${_num(page * pageH)}px` : ""
        }}`;
      }
      let name = keyframes.get(frames);
      if (name === undefined) {
        name = `k${keyframes.size}`;
        keyframes.set(frames, name);
      }
      body.push(`<g class="${name}">${content}</g>`);
    }

    const css = [
      `text{font-family:${FONTS};font-size:${FONT}px;fill:${
        colorHex(this.#colors.fg)
      };white-space:pre}`,
      ...this.#css,
    ];
    if (animated && keyframes.size > 0) {
      const duration = _round(this.#total / 1e6, 3);
      css.push(
        `g{animation:${duration}s steps(1,end) ${s.loop ? "infinite" : "1 forwards"}}`,
      );
      for (const [frames, name] of keyframes) {
        css.push(`.${name}{animation-name:${name}}@keyframes ${name}{${frames}}`);
      }
      css.push(`@media(prefers-reduced-motion:reduce){g[class]{animation:none}}`);
    }

    const w = _num(l.width);
    const h = _num(l.height);
    const out: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${_num(l.width * unit)}" height="${
        _num(l.height * unit)
      }" viewBox="0 0 ${w} ${h}" xml:space="preserve">`,
    ];
    if (this.#header.title) out.push(`<title>${escapeXml(this.#header.title)}</title>`);
    out.push(`<style>${css.join("")}</style>`);
    const bg = colorHex(this.#colors.bg);
    out.push(
      `<rect width="${w}" height="${h}"${l.radius ? ` rx="${l.radius}"` : ""} fill="${bg}"/>`,
    );
    if (s.window) {
      for (const [i, b] of windowButtons(l, FONT).entries()) {
        out.push(
          `<circle cx="${_num(b.x)}" cy="${_num(b.y)}" r="${_num(b.r)}" fill="${
            colorHex(WINDOW_BUTTONS[i]!)
          }"/>`,
        );
      }
    }
    out.push(
      `<svg x="${_num(l.left)}" y="${_num(l.top)}" width="${_num(s.cols * CELL_W)}" height="${
        _num(pageH)
      }">`,
    );
    if (defs.length > 0) out.push(`<defs>${defs.join("")}</defs>`);
    out.push(...still, ...body, "</svg></svg>\n");
    return out.join("");
  }

  /** The id of a row's markup, interned. */
  #id(markup: string): number {
    let id = this.#ids.get(markup);
    if (id === undefined) {
      id = this.#markups.length;
      this.#ids.set(markup, id);
      this.#markups.push(markup);
    }
    return id;
  }

  /** A row's markup placed with its top at `top`. */
  #at(markup: string, top: number): string {
    const base = _num(top + this.#cellH / 2 + FONT * 0.35);
    return markup.replaceAll(TOP, _num(top)).replaceAll(BASE, base);
  }

  /** A reused row in `<defs>`: the single element itself, or a group. */
  #define(id: number): string {
    const markup = this.#at(this.#markups[id]!, 0);
    const single = markup.indexOf("<", 1) === -1 ||
      (markup.startsWith("<text") && markup.indexOf("<text", 1) === -1 &&
        !markup.includes("<rect"));
    if (single) return markup.replace(/^<(\w+)/, `<$1 id="r${id}"`);
    return `<g id="r${id}">${markup}</g>`;
  }

  /** The class for a style (created on first use). */
  #class(css: string): string {
    let name = this.#styles.get(css);
    if (name === undefined) {
      name = `c${this.#styles.size.toString(36)}`;
      this.#styles.set(css, name);
      this.#css.push(`.${name}{${css}}`);
    }
    return name;
  }

  /** A row's markup: background rectangles, then text runs, positioned per run. */
  #row(line: ScreenLine, cursor: number): string {
    const cols = Math.min(this.#s.cols, line.cells.length);
    const colors = this.#colors;
    const h = _num(this.#cellH);
    let rects = "";
    let runBg = -1;
    let runStart = 0;
    const closeRect = (x: number) => {
      if (runBg >= 0) {
        rects += `<rect x="${runStart * CELL_W}" y="${TOP}" width="${
          (x - runStart) * CELL_W
        }" height="${h}" class="${this.#class(`fill:${colorHex(runBg)}`)}"/>`;
      }
    };
    const runs: { x: number; style: string; text: string }[] = [];
    let run: { x: number; style: string; text: string } | undefined;
    let spaces = 0;
    // Lines and blocks drawn as shapes, by colour: [x, y, w, h] in units from the row's top.
    const shapes = new Map<number, [number, number, number, number][]>();
    for (let x = 0; x < cols; x++) {
      const cell = line.cells[x]!;
      const { fg, bg } = cellColors(cell, colors, x === cursor);
      const bgKey = bg === colors.bg ? -1 : bg;
      if (bgKey !== runBg) {
        closeRect(x);
        runBg = bgKey;
        runStart = x;
      }
      if (cell.width === 0) continue;
      const flags = cell.flags;
      const decorated = (flags & (CellFlag.UNDERLINE | CellFlag.STRIKETHROUGH)) !== 0;
      const invisible = (flags & CellFlag.INVISIBLE) !== 0;
      const chars = invisible || cell.chars === "" ? " " : cell.chars;
      if (chars === " " && !decorated) {
        if (run) spaces++;
        continue;
      }
      const boxes = this.#shape(chars);
      if (boxes) {
        let list = shapes.get(fg);
        if (!list) shapes.set(fg, list = []);
        for (const [bx, by, bw, bh] of boxes) list.push([x * CELL_W + bx, by, bw, bh]);
      }
      // A shape's character stays as text (selectable, searchable), unpainted.
      const style = boxes ? this.#class("fill:none") : this.#textStyle(fg, flags);
      if (run && run.style === style && cell.width === 1 && spaces >= 0) {
        run.text += " ".repeat(spaces) + chars;
      } else {
        run = { x, style, text: chars };
        runs.push(run);
      }
      spaces = 0;
      if (cell.width === 2) {
        // Whatever font draws a wide character, the next one starts at its own column.
        run = undefined;
      }
    }
    closeRect(cols);
    for (const [fg, boxes] of shapes) {
      let d = `M0 ${TOP}`;
      let cx = 0;
      let cy = 0;
      for (const [x, y, w, h] of boxes) {
        d += `m${_num(x - cx)} ${_num(y - cy)}h${_num(w)}v${_num(h)}h${_num(-w)}z`;
        cx = x;
        cy = y;
      }
      rects += `<path d="${d}" class="${this.#class(`fill:${colorHex(fg)}`)}"/>`;
    }
    if (runs.length === 0) return rects;
    const attrs = (r: { x: number; style: string }) =>
      `x="${r.x * CELL_W}"${r.style ? ` class="${r.style}"` : ""}`;
    if (runs.length === 1) {
      const r = runs[0]!;
      return `${rects}<text ${attrs(r)} y="${BASE}">${escapeXml(r.text)}</text>`;
    }
    let text = `<text y="${BASE}">`;
    for (const r of runs) text += `<tspan ${attrs(r)}>${escapeXml(r.text)}</tspan>`;
    return `${rects}${text}</text>`;
  }

  /**
   * Straight box-drawing lines and solid blocks as rectangles (from the same geometry as the
   * GIF), so that they join across rows whatever the viewer's font; undefined for others.
   */
  #shape(chars: string): [number, number, number, number][] | undefined {
    if (chars.length !== 1) return undefined;
    const cp = chars.charCodeAt(0);
    const straight = (cp >= 0x2500 && cp <= 0x256c) || (cp >= 0x2574 && cp <= 0x2590) ||
      (cp >= 0x2594 && cp <= 0x259f);
    if (!straight) return undefined;
    let boxes = this.#shapes.get(cp);
    if (!boxes) {
      const w = CELL_W * SHAPE_SCALE;
      const h = Math.round(this.#cellH * SHAPE_SCALE);
      const mask = drawGeometry(cp, w, h)!;
      boxes = [];
      // Runs per pixel row, merged with identical runs in the rows below.
      const open = new Map<string, [number, number, number, number]>();
      for (let y = 0; y <= h; y++) {
        const seen = new Set<string>();
        for (let x = 0; y < h && x < w;) {
          if (mask[y * w + x]! < 0.5) {
            x++;
            continue;
          }
          const x0 = x;
          while (x < w && mask[y * w + x]! >= 0.5) x++;
          const key = `${x0},${x}`;
          seen.add(key);
          const box = open.get(key);
          if (box) box[3]++;
          else open.set(key, [x0, y, x - x0, 1]);
        }
        for (const [key, box] of open) {
          if (seen.has(key)) continue;
          open.delete(key);
          boxes.push(box.map((v) => v / SHAPE_SCALE) as [number, number, number, number]);
        }
      }
      this.#shapes.set(cp, boxes);
    }
    return boxes;
  }

  /** The class of a text style, "" for the default. */
  #textStyle(fg: number, flags: number): string {
    let css = fg === this.#colors.fg ? "" : `fill:${colorHex(fg)};`;
    if (flags & CellFlag.BOLD) css += "font-weight:bold;";
    if (flags & CellFlag.ITALIC) css += "font-style:italic;";
    const lines = [
      flags & CellFlag.UNDERLINE ? "underline" : "",
      flags & CellFlag.STRIKETHROUGH ? "line-through" : "",
    ].filter(Boolean);
    if (lines.length > 0) css += `text-decoration:${lines.join(" ")};`;
    return css === "" ? "" : this.#class(css.slice(0, -1));
  }
}

function _sameLine(a: ScreenLine, b: ScreenLine): boolean {
  if (a.cells.length !== b.cells.length) return false;
  for (let x = 0; x < a.cells.length; x++) {
    const p = a.cells[x]!;
    const q = b.cells[x]!;
    if (p.chars !== q.chars || p.fg !== q.fg || p.bg !== q.bg || p.flags !== q.flags) return false;
    if (p.width !== q.width) return false;
  }
  return true;
}

function _round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function _num(n: number): string {
  return String(_round(n));
}

function _pct(fraction: number): string {
  return `${_round(fraction * 100, 3)}%`;
}
