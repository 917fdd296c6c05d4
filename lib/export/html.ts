/**
 * The `html` format: one self-contained page that plays the recording with the asciinema
 * player. The player's JavaScript and stylesheet, the recording (asciicast v3) and the theme
 * are all inside the file, so it plays from `file://` with no network. `--from` starts from
 * the screen as it was at that point (a snapshot of the one terminal emulator), `--to` cuts
 * the rest; speed, idle limit, loop, font size, line height, padding and the window frame
 * become player options and page style.
 *
 * The page needs the whole recording: not a streaming format.
 *
 * @module
 */
import playerJs from "asciinema-player/dist/bundle/asciinema-player.min.js" with { type: "text" };
import playerCss from "asciinema-player/dist/bundle/asciinema-player.css" with { type: "text" };
import { type EncoderFactory, v3Encoder } from "../asciicast/encoder.ts";
import { type Event, type Header, parseSize } from "../asciicast/event.ts";
import { formatClock } from "../asciicast/time_spec.ts";
import { Vt } from "../vt/vt.ts";
import { WINDOW_BUTTONS } from "./layout.ts";
import { exportSettings } from "./options.ts";
import { RangePoints } from "./range_points.ts";
import { colorHex } from "./theme.ts";
import { escapeXml } from "./xml_escape.ts";

/**
 * Encodes a recording as a self-contained HTML page with the asciinema player.
 *
 * @example
 * ```ts
 * import { htmlEncoder } from "./html.ts";
 * let page = "";
 * const encoder = htmlEncoder({ header: { version: 3, cols: 20, rows: 2 }, emit: (s) => page += s });
 * encoder.event({ time: 0, code: "o", data: "hello" });
 * encoder.finish();
 * // page starts with "<!doctype html>"
 * ```
 */
export const htmlEncoder: EncoderFactory = ({ header, emit, options }) => {
  const s = exportSettings(options, header);
  if (s.at) throw new RangeError("a page plays the recording: --at makes a still (png, svg)");
  const castHeader: Header = { ...header, version: 3, cols: s.cols, rows: s.rows };
  delete castHeader.theme;
  delete castHeader.idleTimeLimit;
  const parts: string[] = [];
  const cast = v3Encoder({ header: castHeader, emit: (c) => parts.push(c as string) });
  const points = new RangePoints(s);
  // Events before --from only build the screen the page starts with.
  const vt = s.from
    ? new Vt(s.cols, s.rows, { sync: true, scrollback: 0, skipScrolledOff: true })
    : undefined;
  let started = s.from === undefined;
  let ended = false;
  let last = 0;
  const start = () => {
    started = true;
    if (vt) {
      const resize = vt.cols !== s.cols || vt.rows !== s.rows
        ? [`[0.000, "r", "${vt.cols}x${vt.rows}"]\n`]
        : [];
      // A sync Vt's snapshot is taken at the call, whatever is fed after.
      void vt.snapshot().then((init) => parts.splice(1, 0, ...resize, _initEvent(init)));
      vt.dispose();
    }
  };
  return {
    event(event: Event) {
      if (ended) return;
      last = Math.max(last, event.time);
      if (event.code === "m") points.marker({ time: event.time, label: event.data });
      if (points.to !== undefined && event.time > points.to) {
        ended = true;
        return;
      }
      if (!started) {
        if (points.from === undefined || event.time < points.from) {
          if (event.code === "o") vt!.feed(event.data);
          else if (event.code === "r" && !s.fixedSize) {
            const size = parseSize(event.data);
            if (size) vt!.resize(size.cols, size.rows);
          }
          return;
        }
        start();
      }
      if (event.code === "r" && s.fixedSize) return;
      cast.event({ ...event, time: event.time - (points.from ?? 0) });
    },
    async finish() {
      points.check();
      if (!started) {
        if (points.from! > last) {
          throw new RangeError(
            `--from ${formatClock(points.from!)} is after the end of the recording (${
              formatClock(last)
            })`,
          );
        }
        start();
      }
      await Promise.resolve();
      emit(_page(parts.join(""), header.title, s));
    },
  };
};

function _initEvent(init: string): string {
  return `[0.000, "o", ${JSON.stringify(init)}]\n`;
}

/** Makes text safe inside a `<script>` element: no `</script`, no `<!--`. */
function _scriptSafe(js: string): string {
  return js.replace(/<(\/?script|!--)/gi, "\\u003c$1");
}

function _page(
  cast: string,
  title: string | undefined,
  s: ReturnType<typeof exportSettings>,
): string {
  const t = s.theme;
  const themeCss = `.asciinema-player-theme-asciirec{--term-color-foreground:${t.fg};` +
    `--term-color-background:${t.bg};` +
    t.palette.map((c, i) => `--term-color-${i}:${c};`).join("") +
    (t.palette.length === 8
      ? t.palette.map((c, i) => `--term-color-${i + 8}:${c};`).join("")
      : "") +
    "}";
  const opts = {
    autoPlay: true,
    loop: s.loop,
    speed: s.speed,
    idleTimeLimit: s.idleLimit / 1e6,
    theme: "asciirec",
    cols: s.cols,
    rows: s.rows,
    fit: false,
    terminalFontSize: `${s.fontSize}px`,
    terminalLineHeight: s.lineHeight,
  };
  const buttons = WINDOW_BUTTONS.map((c) => `<span style="background:${colorHex(c)}"></span>`)
    .join("");
  const pad = `${s.padding}px`;
  const pageCss = `body{margin:0;padding:16px;background:#fff}` +
    `.asciirec{display:inline-block;background:${t.bg};padding:${pad};` +
    `border-radius:${s.window ? "8px" : "0"}}` +
    `.asciirec-bar{height:28px;display:flex;gap:8px;align-items:center}` +
    `.asciirec-bar span{width:12px;height:12px;border-radius:50%}` +
    `.asciirec .ap-wrapper,.asciirec .ap-player{border-radius:0}`;
  const script = `const cast = ${JSON.stringify(cast).replace(/</g, "\\u003c")};\n` +
    `AsciinemaPlayer.create({ data: cast }, document.getElementById("player"), ${
      JSON.stringify(opts)
    });\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title ?? "asciirec recording")}</title>
<style>${playerCss.replace(/<\/style/gi, "<\\/style")}</style>
<style>${themeCss}${pageCss}</style>
</head>
<body>
<div class="asciirec">${s.window ? `<div class="asciirec-bar">${buttons}</div>` : ""}` +
    `<div id="player"></div></div>
<script>${_scriptSafe(playerJs)}</script>
<script>${_scriptSafe(script)}</script>
</body>
</html>
`;
}
