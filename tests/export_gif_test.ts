/**
 * GIF and PNG exports judged by ImageMagick (Debian's `identify` and `convert`): every frame
 * decodes, the frame count is the number of distinct screens (up to the fps cap), the delays
 * add up to the duration, frames hold only what changed, and pixels have the theme's colours.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli, TEST_ENV } from "./_cli.ts";
import { shellQuote } from "./_shell_quote.ts";
import { coverageCast, typingDemo } from "./_export_casts.ts";
import { mulberry32 } from "./_mulberry32.ts";
import { skipWithoutPeer } from "./_peers.ts";
import { GIF_TRAILER, gifFrame, gifHeader } from "../lib/export/gif_codec.ts";

const IDENTIFY = "/usr/bin/identify";
const CONVERT = "/usr/bin/convert";
const ignore = skipWithoutPeer(IDENTIFY);

async function magick(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** Frames as ImageMagick reads them: delay (cs), rectangle, page offset. */
async function frames(gif: string) {
  const text = await magick(IDENTIFY, ["-format", "%T %w %h %X %Y\n", gif]);
  return text.trim().split("\n").map((line) => {
    const [delay, w, h, x, y] = line.split(" ");
    return { delay: Number(delay), w: Number(w), h: Number(h), x: Number(x), y: Number(y) };
  });
}

/** The colour of one pixel of frame `n`, drawn over the frames before it. */
async function pixel(gif: string, n: number, x: number, y: number): Promise<string> {
  const last = n > 0 ? ["-delete", "0--2"] : [];
  const text = await magick(CONVERT, [
    `${gif}[0-${n}]`,
    "-coalesce",
    ...last,
    "-crop",
    `1x1+${x}+${y}`,
    "txt:",
  ]);
  return /#[0-9A-F]{6}/i.exec(text)![0].toLowerCase();
}

async function tempCast(text: string): Promise<{ dir: string; cast: string }> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-gif-" });
  await Deno.writeTextFile(`${dir}/in.cast`, text);
  return { dir, cast: `${dir}/in.cast` };
}

function cast(events: [number, string][], cols = 40, rows = 6): string {
  return [
    JSON.stringify({ version: 2, width: cols, height: rows }),
    ...events.map(([t, d]) => JSON.stringify([t, "o", d])),
  ].join("\n") + "\n";
}

Deno.test({
  name: "gif: one frame per distinct screen, delays adding up to the duration, theme colours",
  ignore,
  async fn() {
    // 12 distinct screens 0.25 s apart, one event that changes nothing, a red background.
    const events: [number, string][] = [[0, "$ "]];
    for (let i = 1; i <= 10; i++) events.push([i * 0.25, "x"]);
    events.push([2.75, "\x1b[0m"]);
    events.push([3, "\r\n\x1b[41m  \x1b[0m"]);
    const { dir, cast: input } = await tempCast(cast(events));
    const gif = `${dir}/out.gif`;
    const r = await runCli([
      "convert",
      input,
      gif,
      "--theme",
      "dracula",
      "--last-frame",
      "1",
      "--padding",
      "6",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const f = await frames(gif);
    assertEquals(f.length, 12);
    const total = f.reduce((a, b) => a + b.delay, 0);
    // 3 s of recording plus the 1 s hold, within one frame (1/30 s).
    assert(Math.abs(total - 400) <= 4, `delays add up to ${total} cs`);
    // Frame 0 is the whole picture; the later ones cover only the cell that changed.
    assertEquals([f[0]!.x, f[0]!.y], [0, 0]);
    for (const frame of f.slice(1, 11)) {
      assert(frame.w <= 2 * 8 && frame.h === 20, JSON.stringify(frame));
    }
    // Padding and empty cells are dracula's background; the red cells dracula's red.
    assertEquals(await pixel(gif, 0, 1, 1), "#282a36");
    assertEquals(await pixel(gif, 11, 6 + 30 * 8 + 4, 6 + 3 * 20 + 10), "#282a36");
    assertEquals(await pixel(gif, 11, 6 + 4, 6 + 20 + 10), "#ff5555");
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "gif: --fps caps the frame rate, merging changes within one frame interval",
  ignore,
  async fn() {
    const events: [number, string][] = [];
    for (let i = 0; i < 100; i++) events.push([i * 0.01, String(i % 10)]);
    const { dir, cast: input } = await tempCast(cast(events, 120));
    const gif = `${dir}/out.gif`;
    const r = await runCli(["convert", input, gif, "--fps", "10", "--last-frame", "0"]);
    assertEquals(r.code, 0, r.stderr);
    const f = await frames(gif);
    // 0.99 s at 10 frames a second.
    assertEquals(f.length, 10);
    for (const frame of f.slice(0, -1)) assertEquals(frame.delay, 10);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "gif: a typing demo decodes frame by frame and loops unless --no-loop",
  ignore,
  async fn() {
    const { dir, cast: input } = await tempCast(typingDemo({ seconds: 10 }));
    const r = await runCli(["convert", input, `${dir}/demo.gif`, "-q"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stderr, "");
    const f = await frames(`${dir}/demo.gif`);
    assert(f.length > 20);
    const total = f.reduce((a, b) => a + b.delay, 0);
    const duration = 100 *
      Number(/\[([\d.]+), "o"[^\n]*\n$/.exec(await Deno.readTextFile(input))![1]);
    assert(Math.abs(total - (duration + 300)) <= 4, `${total} cs for ${duration} cs + 3 s`);
    const bytes = await Deno.readFile(`${dir}/demo.gif`);
    assertStringIncludes(new TextDecoder("latin1").decode(bytes.subarray(0, 64)), "NETSCAPE2.0");
    const once = await runCli(["convert", input, `${dir}/once.gif`, "--no-loop"]);
    assertEquals(once.code, 0, once.stderr);
    const head = new TextDecoder("latin1").decode(
      (await Deno.readFile(`${dir}/once.gif`)).subarray(0, 64),
    );
    assert(!head.includes("NETSCAPE2.0"));
    assertEquals((await frames(`${dir}/once.gif`)).length, f.length);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "gif: LZW data with all 256 colours and table resets decodes pixel for pixel",
  ignore,
  async fn() {
    const random = mulberry32(11);
    const w = 97;
    const h = 61;
    const indices = new Uint8Array(w * h);
    for (let i = 0; i < indices.length; i++) {
      // Runs and noise, so that codes grow to 12 bits and the table fills and resets.
      indices[i] = random() < 0.3 ? indices[Math.max(0, i - 1)]! : Math.floor(random() * 256);
    }
    const palette = [...Array(256).keys()].map((i) => (i << 16) | ((255 - i) << 8) | (i * 7 & 255));
    const dir = await Deno.makeTempDir({ prefix: "asciirec-lzw-" });
    const parts = [
      gifHeader(w, h, false),
      gifFrame({ x: 0, y: 0, w, h, indices, palette, delay: 10 }),
      GIF_TRAILER,
    ];
    await Deno.writeFile(`${dir}/noise.gif`, new Uint8Array(parts.flatMap((p) => [...p])));
    const out = await new Deno.Command(CONVERT, {
      args: [`${dir}/noise.gif`, "-depth", "8", "rgb:-"],
      stdout: "piped",
    }).output();
    assert(out.success);
    const rgb = out.stdout;
    assertEquals(rgb.length, w * h * 3);
    for (let i = 0; i < indices.length; i++) {
      const c = palette[indices[i]!]!;
      const got = (rgb[i * 3]! << 16) | (rgb[i * 3 + 1]! << 8) | rgb[i * 3 + 2]!;
      if (got !== c) throw new Error(`pixel ${i}: ${got.toString(16)} != ${c.toString(16)}`);
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "gif and png of a glyph-coverage recording: boxes only for what the font lacks",
  ignore,
  async fn() {
    const { dir, cast: input } = await tempCast(coverageCast());
    for (const ext of ["gif", "png"]) {
      const r = await runCli(["convert", input, `${dir}/coverage.${ext}`, "--window"]);
      assertEquals(r.code, 0, r.stderr);
      // Only CJK and emoji are missing from DejaVu Sans Mono.
      assertEquals(
        r.stderr.trim(),
        "!!! the font has no glyph for 中 文 字 日 本 語 한 국 어 \u{1f600} \u{1f680} \u{1f44d}: drawn as boxes",
      );
      const info = await magick(IDENTIFY, ["-format", "%m %w %h\n", `${dir}/coverage.${ext}`]);
      assertStringIncludes(info, ext.toUpperCase());
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "png: a still picture at --at, the end by default, in the theme's colours",
  ignore,
  async fn() {
    const events: [number, string][] = [[0, "$ "], [1, "\x1b[44m    \x1b[0m"], [2, "\r\x1b[2K"]];
    const { dir, cast: input } = await tempCast(cast(events));
    const mid = await runCli(["convert", input, `${dir}/mid.png`, "--at", "1.5"]);
    assertEquals(mid.code, 0, mid.stderr);
    const end = await runCli(["convert", input, `${dir}/end.png`, "--padding", "0"]);
    assertEquals(end.code, 0, end.stderr);
    const px = async (file: string, x: number, y: number) =>
      /#[0-9A-F]{6}/i.exec(await magick(CONVERT, [file, "-crop", `1x1+${x}+${y}`, "txt:"]))![0]
        .toLowerCase();
    // asciinema's theme: blue background cells at 1.5 s, gone at the end.
    assertEquals(await px(`${dir}/mid.png`, 10 + 3 * 8 + 4, 10 + 10), "#26b0d7");
    assertEquals(await px(`${dir}/end.png`, 3 * 8 + 4, 10), "#121314");
    const size = await magick(IDENTIFY, ["-format", "%w %h", `${dir}/end.png`]);
    assertEquals(size, `${40 * 8} ${6 * 20}`);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("picture options are usage errors for other formats, and --at for a gif", async () => {
  const { dir, cast: input } = await tempCast(cast([[0, "a"]]));
  const other = await runCli(["convert", input, `${dir}/out.cast`, "--theme", "nord"]);
  assertEquals(other.code, 2);
  assertStringIncludes(other.stderr, "--theme only apply to pictures");
  const at = await runCli(["convert", input, `${dir}/out.gif`, "--at", "1"]);
  assertEquals(at.code, 2);
  assertStringIncludes(at.stderr, "--at makes a still picture");
  const fps = await runCli(["convert", input, `${dir}/out.gif`, "--fps", "200"]);
  assertEquals(fps.code, 2);
  const theme = await runCli(["convert", input, `${dir}/out.svg`, "--theme", "nope"]);
  assertEquals(theme.code, 1);
  assertStringIncludes(theme.stderr, "is neither a theme");
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "a progress bar shows on stderr only when it is a terminal, and -q hides it",
  ignore: skipWithoutPeer("/usr/bin/script"),
  async fn() {
    const { dir, cast: input } = await tempCast(typingDemo({ seconds: 120 }));
    const [deno, ...args] = cliArgv();
    const line = (extra: string) =>
      [deno!, ...args, "convert", input, `${dir}/out.gif`, "--overwrite", extra]
        .filter(Boolean).map(shellQuote).join(" ");
    // script(1) gives the program a terminal on stdin, stdout and stderr.
    const inTerminal = async (extra: string) => {
      const out = await new Deno.Command("/usr/bin/script", {
        args: ["-qec", line(extra), "/dev/null"],
        env: TEST_ENV,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(out.success);
      return new TextDecoder().decode(out.stdout);
    };
    assertStringIncludes(await inTerminal(""), "rendering gif [");
    assert(!(await inTerminal("-q")).includes("rendering"));
    const piped = await runCli(["convert", input, `${dir}/out.gif`, "--overwrite"]);
    assertEquals(piped.code, 0, piped.stderr);
    assert(!piped.stderr.includes("rendering"), piped.stderr);
    await Deno.remove(dir, { recursive: true });
  },
});
