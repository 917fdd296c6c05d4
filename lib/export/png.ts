/**
 * The `png` format: a still picture of one moment (`--at TIME`, default the end), rendered
 * in-process like the GIF. Written as a palette image when it has at most 256 colours (it
 * nearly always has), else as RGBA. Constant memory: only the screen at that moment is kept.
 *
 * @module
 */
import type { EncoderFactory } from "../asciicast/encoder.ts";
import type { Screen } from "../vt/screen.ts";
import { FrameTimeline } from "./frames.ts";
import { exportSettings } from "./options.ts";
import { encodePng } from "./png_codec.ts";
import {
  Palette,
  type PixelRect,
  reportMissing,
  TerminalRaster,
  TRANSPARENT_RGB,
} from "./raster.ts";

/**
 * Encodes the screen at `at` (default: the end of the recording) as a PNG.
 *
 * @example
 * ```ts
 * import { pngEncoder } from "./png.ts";
 * const chunks: (string | Uint8Array)[] = [];
 * const encoder = pngEncoder({ header: { version: 3, cols: 20, rows: 2 }, emit: (c) => chunks.push(c) });
 * encoder.event({ time: 0, code: "o", data: "hello" });
 * await encoder.finish();
 * ```
 */
export const pngEncoder: EncoderFactory = ({ header, emit, options }) => {
  const settings = exportSettings(options, header);
  let screen: Screen | undefined;
  const at = settings.at ?? { kind: "time" as const, time: Number.MAX_SAFE_INTEGER };
  const timeline = new FrameTimeline({ ...settings, at }, (frame) => screen = frame.screen);
  return {
    event(event) {
      timeline.event(event);
    },
    finish() {
      timeline.finish();
      const raster = new TerminalRaster(settings);
      emit(renderPng(raster, screen!));
      reportMissing(options, raster);
    },
  };
};

/**
 * One screen as PNG bytes.
 *
 * @example
 * ```ts
 * import { renderPng } from "./png.ts";
 * import { TerminalRaster } from "./raster.ts";
 * import { exportSettings } from "./options.ts";
 * import { Vt } from "../vt/vt.ts";
 * using vt = new Vt(10, 2, { sync: true });
 * vt.feed("hi");
 * const png = renderPng(new TerminalRaster(exportSettings({}, { version: 3, cols: 10, rows: 2 })), vt.screen());
 * ```
 */
export function renderPng(raster: TerminalRaster, screen: Screen): Uint8Array {
  const l = raster.layout;
  const rect: PixelRect = { x: 0, y: 0, w: l.width, h: l.height };
  const palette = new Palette();
  const transparent = l.radius > 0 ? palette.add(-1) : undefined;
  const indices = raster.indexed(screen, rect, palette, { chrome: true, transparent });
  if (indices) {
    const colors = palette.colors.map((c) => c < 0 ? 0 : c);
    return encodePng({ width: l.width, height: l.height, indices, palette: colors, transparent });
  }
  const rgb = raster.rgb(screen, rect, { chrome: true });
  const rgba = new Uint8Array(rgb.length * 4);
  for (let i = 0; i < rgb.length; i++) {
    const c = rgb[i]!;
    if (c === TRANSPARENT_RGB) continue;
    rgba[i * 4] = c >> 16;
    rgba[i * 4 + 1] = (c >> 8) & 255;
    rgba[i * 4 + 2] = c & 255;
    rgba[i * 4 + 3] = 255;
  }
  return encodePng({ width: l.width, height: l.height, rgba });
}
