import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { KeyDecoder, type PlayerAction } from "./key_decoder.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("key decoder maps keys to player actions", async (t) => {
  const cases: { name: string; reads: string[]; expected: PlayerAction[] }[] = [
    { name: "space pauses", reads: [" "], expected: ["pause"] },
    { name: "dot steps", reads: ["."], expected: ["step"] },
    { name: "] jumps to the next marker", reads: ["]"], expected: ["next-marker"] },
    { name: "+ and - change the speed", reads: ["+-"], expected: ["faster", "slower"] },
    { name: "q and ctrl+c quit", reads: ["q", "\x03"], expected: ["quit", "quit"] },
    { name: "other keys are ignored", reads: ["abcQ\r\n"], expected: [] },
    {
      name: "several keys in one read are all found",
      reads: [" . ]q"],
      expected: ["pause", "step", "pause", "next-marker", "quit"],
    },
    { name: "arrow keys are not keys of ours", reads: ["\x1b[A\x1bOB"], expected: [] },
    {
      name: "a CSI sequence split across reads is still skipped",
      reads: ["\x1b[1;", "5C", " "],
      expected: ["pause"],
    },
    { name: "alt+key is ignored", reads: ["\x1bq"], expected: [] },
    {
      name: "a lone Escape at the end of a read does not eat the next key",
      reads: ["\x1b", "q"],
      expected: ["quit"],
    },
    {
      name: "an X10 mouse report (whose button byte may be a space) is skipped",
      reads: ["\x1b[M !!", "."],
      expected: ["step"],
    },
    { name: "SGR mouse reports are skipped", reads: ["\x1b[<0;10;5M\x1b[<0;10;5m"], expected: [] },
    {
      name: "bracketed paste content is not keys",
      reads: ["\x1b[200~q . ]", "\x1b[20", "1~ "],
      expected: ["pause"],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const decoder = new KeyDecoder();
      assertEquals(c.reads.flatMap((read) => decoder.decode(bytes(read))), c.expected);
    });
  }
});

Deno.test("key decoder rebinds pause, step and next-marker; an empty key disables one", () => {
  const decoder = new KeyDecoder({
    pause: bytes("p"),
    step: new Uint8Array(),
    nextMarker: bytes("\x0e"),
  });
  assertEquals(decoder.decode(bytes("p .]\x0eq")), ["pause", "next-marker", "quit"]);
});

Deno.test("key decoder refuses a player key of more than one byte", () => {
  assertThrows(() => new KeyDecoder({ pause: bytes("ab") }), RangeError, "single byte");
});
