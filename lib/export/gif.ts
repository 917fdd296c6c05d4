/**
 * The `gif` format: an animated GIF rendered in-process (embedded font, glyphs from
 * geometry, no outside program). One frame per distinct screen, at most `--fps` a second;
 * each frame holds only the rectangle of cells that changed, with the pixels in it that did
 * not change left transparent (so they compress to almost nothing), and its own exact
 * colour table: text in a few colours anti-aliased against its background needs far fewer
 * than 256. A frame with more colours than that is quantised. Frames are written as they
 * come: memory stays flat however long the recording.
 *
 * @module
 */
import type { EncoderFactory } from "../asciicast/encoder.ts";
import type { Screen } from "../vt/screen.ts";
import { FrameTimeline } from "./frames.ts";
import { GIF_TRAILER, type GifFrame, gifFrame, gifHeader } from "./gif_codec.ts";
import { exportSettings } from "./options.ts";
import { quantize } from "./quantize.ts";
import { Palette, reportMissing, TerminalRaster, TRANSPARENT_RGB } from "./raster.ts";

/**
 * Encodes a recording as an animated GIF.
 *
 * @example
 * ```ts
 * import { gifEncoder } from "./gif.ts";
 * const chunks: (string | Uint8Array)[] = [];
 * const encoder = gifEncoder({ header: { version: 3, cols: 20, rows: 2 }, emit: (c) => chunks.push(c) });
 * encoder.event({ time: 0, code: "o", data: "hello" });
 * encoder.event({ time: 500_000, code: "o", data: " world" });
 * encoder.finish();
 * ```
 */
export const gifEncoder: EncoderFactory = ({ header, emit, options }) => {
  const settings = exportSettings(options, header);
  if (settings.at) throw new RangeError("a GIF is an animation: --at makes a still (png, svg)");
  const raster = new TerminalRaster(settings);
  const l = raster.layout;
  emit(gifHeader(l.width, l.height, settings.loop));
  let prev: Screen | undefined;
  let pending: Omit<GifFrame, "delay"> | undefined;
  let pendingStart = 0;
  let pendingEnd = 0;

  const flush = () => {
    if (!pending) return;
    // Delays from rounded absolute times, so that they add up to the duration exactly.
    const delay = Math.max(1, Math.round(pendingEnd / 1e4) - Math.round(pendingStart / 1e4));
    emit(gifFrame({ ...pending, delay }));
    pending = undefined;
  };

  const timeline = new FrameTimeline(settings, (frame) => {
    const diff = raster.diff(prev, frame.screen);
    if (!diff) {
      pendingEnd = frame.time + frame.duration;
      return;
    }
    flush();
    const first = prev === undefined;
    const { rect, changed } = diff;
    const palette = new Palette();
    // Index 0 is transparent: unchanged pixels in later frames, the window's corners.
    const transparent = first && l.radius === 0 ? undefined : palette.add(-1);
    let indices = raster.indexed(frame.screen, rect, palette, {
      chrome: first,
      changed: first ? undefined : changed,
      transparent,
    });
    let colors: number[];
    let t = transparent;
    if (indices) {
      colors = palette.colors.map((c) => c < 0 ? 0 : c);
    } else {
      const rgb = raster.rgb(frame.screen, rect, {
        chrome: first,
        changed: first ? undefined : changed,
      });
      const q = quantize(rgb, 255, { skip: TRANSPARENT_RGB });
      indices = q.indices;
      colors = [...q.palette, 0];
      t = q.palette.length;
    }
    pending = { ...rect, indices, palette: colors, transparent: t };
    pendingStart = frame.time;
    pendingEnd = frame.time + frame.duration;
    prev = frame.screen;
  });
  return {
    event(event) {
      timeline.event(event);
    },
    finish() {
      timeline.finish();
      flush();
      emit(GIF_TRAILER);
      reportMissing(options, raster);
    },
  };
};
