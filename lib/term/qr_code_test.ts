import { assertEquals } from "../../tests/_assert.ts";
import { skipWithoutPeer } from "../../tests/_peers.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import { encodeQr, type QrLevel, qrToTerminal } from "./qr_code.ts";

const ZBARIMG = "/usr/bin/zbarimg";

/** The modules drawn by `qrToTerminal`, read back from its half blocks. */
function modulesOfTerminal(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.trimEnd().split("\n")) {
    const chars = [...line.replaceAll("\x1b[30;107m", "").replaceAll("\x1b[0m", "")];
    rows.push(chars.map((c) => c === "█" || c === "▀"));
    rows.push(chars.map((c) => c === "█" || c === "▄"));
  }
  return rows;
}

/** Decodes a module grid with zbarimg (a real decoder), through a PNG made by ImageMagick. */
async function zbarDecode(modules: boolean[][], dir: string): Promise<string> {
  const pbm = `P1\n${modules[0]!.length} ${modules.length}\n` +
    modules.map((row) => row.map((d) => (d ? "1" : "0")).join(" ")).join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/qr.pbm`, pbm);
  const convert = await new Deno.Command("convert", {
    args: [`${dir}/qr.pbm`, "-scale", "800%", `${dir}/qr.png`],
  }).output();
  assertEquals(convert.code, 0, new TextDecoder().decode(convert.stderr));
  const out = await new Deno.Command(ZBARIMG, {
    args: ["--raw", "-q", "-Sbinary", `${dir}/qr.png`],
  }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("QR codes pick the smallest version and have its size", () => {
  assertEquals(encodeQr("hello").version, 1);
  assertEquals(encodeQr("x".repeat(14), { level: "M" }).version, 1);
  assertEquals(encodeQr("x".repeat(15), { level: "M" }).version, 2);
  const qr = encodeQr("http://192.168.100.200:65535/AbCdEfGhIjKlMnOpQrStUv/");
  assertEquals(qr.size, qr.version * 4 + 17);
  assertEquals(qr.modules.length, qr.size);
});

Deno.test({
  name: "QR codes of many sizes and levels decode with zbarimg to the text they encode",
  ignore: skipWithoutPeer(ZBARIMG),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const random = mulberry32(15);
      const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:/.";
      const cases: [number, QrLevel][] = [
        [5, "L"],
        [40, "M"],
        [80, "Q"],
        [120, "H"],
        [200, "M"],
        [400, "L"],
        [700, "M"],
        [1000, "Q"],
      ];
      const versions = new Set<number>();
      for (const [length, level] of cases) {
        let text = "";
        for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
        const qr = encodeQr(text, { level });
        versions.add(qr.version);
        // The terminal rendering, read back, is what zbar decodes.
        const modules = modulesOfTerminal(qrToTerminal(qr, 4));
        assertEquals(await zbarDecode(modules, dir), text, `${length} bytes at ${level}`);
      }
      // Versions with and without alignment patterns and version information.
      assertEquals([...versions].some((v) => v === 1), true);
      assertEquals([...versions].some((v) => v >= 7), true);
      assertEquals([...versions].some((v) => v >= 20), true);
      // A URL as a streamer prints it.
      const url = "https://192.168.1.23:8443/0123456789abcdefABCDEF/";
      assertEquals(await zbarDecode(modulesOfTerminal(qrToTerminal(encodeQr(url), 2)), dir), url);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
