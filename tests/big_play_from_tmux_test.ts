/**
 * `asciirec play --from` in a real terminal (tmux): the screen at the starting point is drawn
 * over whatever the terminal showed before, exactly, and playback goes on from there.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import { shellQuote } from "./_shell_quote.ts";
import { Tmux } from "./_tmux.ts";

Deno.test({
  name: "play --from draws the screen at that point over a used terminal, then plays on",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const path = await Deno.makeTempFile({ prefix: "asciirec-from-", suffix: ".cast.gz" });
    const lines = [
      { version: 3, term: { cols: 60, rows: 12 } },
      [0.1, "o", "first screen, soon cleared\r\n"],
      [1, "o", "\x1b[H\x1b[2J\x1b[3;5Htop left\x1b[8;30H\x1b[1;31mred in the middle\x1b[0m"],
      [1, "m", "drawn"],
      [0.5, "o", "\x1b[11;1Hbottom line"],
      // Long enough to look at the screen before it goes on.
      [2, "o", "\x1b[12;1Hafter the start"],
    ];
    const text = lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
    const gzip = new Deno.Command("gzip", { args: ["-c"], stdin: "piped", stdout: "piped" })
      .spawn();
    const writer = gzip.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    await Deno.writeFile(path, (await gzip.output()).stdout);
    try {
      await using tmux = await Tmux.start({ cols: 60, rows: 12 });
      // A terminal full of other text first.
      await tmux.type("seq 100 140", true);
      await tmux.waitFor((s) => s.includes("140"), "the numbers");
      await tmux.type(
        [...cliArgv(), "play", "-q", "--from", "marker:drawn", path].map(shellQuote).join(" "),
        true,
      );
      const screen = await tmux.waitFor(
        (s) => s.includes("bottom line"),
        "the screen at the marker, then the next event",
        { colours: true },
      );
      const rows = screen.split("\n");
      const SGR = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
      const plain = (row: string | undefined) => (row ?? "").replace(SGR, "");
      assertEquals(plain(rows[2]), "    top left");
      assertEquals(plain(rows[7]), " ".repeat(29) + "red in the middle");
      assertStringIncludes(rows[7]!, "\x1b[1m\x1b[31mred in the middle");
      assertEquals(plain(rows[10]), "bottom line");
      assert(!screen.includes("first screen"), "the earlier screen showed");
      assert(!/1[0-4][0-9]/.test(screen), "the terminal's old text showed through");
      assert(!screen.includes("after the start"), "played too far, too soon");
      await tmux.waitFor((s) => s.includes("after the start"), "the rest of the recording");
    } finally {
      await Deno.remove(path);
    }
  },
});
