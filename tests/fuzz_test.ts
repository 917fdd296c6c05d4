/**
 * Seeded, time-bounded fuzzing that runs in CI: the asciicast reader, the relay's producer
 * decoder and the emulator path (escape-sequence bombs in the generator). Each fails on any
 * exception other than the documented error type, on a hang (a time bound), and on memory
 * growth (a heap bound). (The ALiS decoder's fuzz test lives beside it, in
 * `lib/alis/decoder_test.ts`.) A failure names the seed and case, so it reproduces.
 */
import { assert } from "./_assert.ts";
import { mulberry32 } from "./_mulberry32.ts";
import { openRecordingSource } from "../lib/asciicast/reader.ts";
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { alisMagic } from "../lib/alis/message.ts";
import {
  PRODUCER_PROTOCOLS,
  ProducerDecoder,
  ProducerProtocolError,
} from "../lib/relay/producer_decoder.ts";
import { Vt } from "../lib/vt/vt.ts";

const SEED = Number(Deno.env.get("ASCIIREC_FUZZ_SEED") ?? 20261201);
const encoder = new TextEncoder();

/** Runs `round(i)` until `ms` have passed (at least `min` rounds); returns the count. */
function forAbout(ms: number, min: number, round: (i: number) => void): number {
  const until = performance.now() + ms;
  let i = 0;
  while (i < min || performance.now() < until) round(i++);
  return i;
}

function heapMb(): number {
  return Deno.memoryUsage().heapUsed / (1 << 20);
}

const PIECES = [
  '{"version":2,"width":80,"height":24}',
  '{"version":3,"term":{"cols":80,"rows":24}}',
  '{"version":1,"width":80,"height":24,"stdout":[[0.1,"a"]]}',
  '[0.5, "o", "hi"]',
  '[1e21, "o", "x"]',
  '[1e309, "o", "x"]',
  '[-1, "o", "x"]',
  '[0.1, "r", "65535x65535"]',
  '[0.1, "r", "80x24"]',
  '[0.1, "x", "0"]',
  '["a", "o", "x"]',
  "# a comment",
  '[0.1, "o", "\\u001b[999999999S"]',
  "{",
  "]",
  '"',
  "\\u00",
  "null",
  "[]",
  "[0.1]",
];

const GOOD = ['[0.5, "o", "hi"]', '[0.1, "r", "80x24"]', '[0.1, "x", "0"]', "# a comment"];

Deno.test("the asciicast reader only ever throws SyntaxError, and ends, on random files", async () => {
  const random = mulberry32(SEED);
  const int = (n: number) => Math.floor(random() * n);
  const start = heapMb();
  let rejected = 0;
  let read = 0;
  const until = performance.now() + 3000;
  for (let i = 0; i < 300 || performance.now() < until; i++) {
    const lines: string[] = [];
    const valid = random() < 0.5; // half the files are well-formed but for cuts and noise
    for (let n = int(12); n >= 0; n--) {
      let piece = valid
        ? (lines.length === 0 ? PIECES[int(2)]! : GOOD[int(GOOD.length)]!)
        : PIECES[int(PIECES.length)]!;
      if (random() < (valid ? 0.02 : 0.3)) piece = piece.slice(0, int(piece.length + 1));
      if (random() < 0.1) piece = piece.replace('"hi"', `"${"x".repeat(int(100_000))}"`);
      lines.push(piece);
    }
    let bytes = encoder.encode(lines.join(random() < 0.9 ? "\n" : "\r\n"));
    if (random() < (valid ? 0.02 : 0.2)) {
      bytes = bytes.slice();
      for (let k = int(5); k > 0 && bytes.length > 0; k--) bytes[int(bytes.length)] = int(256);
    }
    let pos = 0;
    try {
      const recording = await openRecordingSource("fuzz", {
        read(into) {
          if (pos >= bytes.length) return Promise.resolve(null);
          const n = Math.min(into.length, 1 + int(5000), bytes.length - pos);
          into.set(bytes.subarray(pos, pos + n));
          pos += n;
          return Promise.resolve(n);
        },
        close() {},
      });
      for await (const event of recording.events) {
        assert(
          Number.isSafeInteger(event.time) && event.time >= 0,
          `case ${i}: time ${event.time}`,
        );
      }
      read++;
    } catch (error) {
      if (!(error instanceof SyntaxError)) {
        throw new Error(`seed ${SEED} case ${i} threw ${error}`, { cause: error });
      }
      rejected++;
    }
  }
  assert(read > 50 && rejected > 50, `read ${read}, rejected ${rejected}`);
  assert(heapMb() - start < 200, `heap grew by ${Math.round(heapMb() - start)} MB`);
});

Deno.test("the producer decoder only ever throws ProducerProtocolError on random messages", () => {
  const random = mulberry32(SEED + 1);
  const int = (n: number) => Math.floor(random() * n);
  const texts = PIECES.concat(["\n", "x".repeat(1000)]);
  let rejected = 0;
  const rounds = forAbout(2000, 2000, (i) => {
    const protocol = PRODUCER_PROTOCOLS[int(PRODUCER_PROTOCOLS.length)]!;
    const decoder = new ProducerDecoder(protocol);
    try {
      if (protocol === "v1.alis" && random() < 0.8) {
        decoder.decode(alisMagic());
        if (random() < 0.8) {
          decoder.decode(encodeAlisMessage({
            type: "init",
            lastId: int(5),
            time: int(1e6),
            cols: 1 + int(800),
            rows: 1 + int(250),
            initData: "",
          }));
        }
      }
      for (let n = int(8); n >= 0; n--) {
        if (random() < 0.5) {
          const bytes = new Uint8Array(int(60));
          for (let k = 0; k < bytes.length; k++) bytes[k] = int(256);
          if (bytes.length > 0 && random() < 0.7) {
            bytes[0] = [0x6f, 0x69, 0x72, 0x6d, 0x78, 0x04][int(6)]!;
          }
          decoder.decode(bytes);
        } else {
          decoder.decode(texts[int(texts.length)]!);
        }
      }
    } catch (error) {
      if (!(error instanceof ProducerProtocolError)) {
        throw new Error(`seed ${SEED + 1} round ${i} (${protocol}) threw ${error}`, {
          cause: error,
        });
      }
      rejected++;
    }
  });
  assert(rejected > rounds / 10, `rejected ${rejected} of ${rounds}`);
});

const CONTROLS = [
  "\x1b[999999999S",
  "\x1b[2147483647T",
  "\x1b[99999999999999999999L",
  "\x1b[999999999M",
  "\x1b[999999999@",
  "\x1b[999999999P",
  "\x1b[999999999X",
  "\x1b[999999999Z",
  "\x1b[999999999I",
  "a\x1b[999999999b",
  "\x1b[999999999 @",
  "\x1b[999999999'}",
  "\x1b[?1049h",
  "\x1b[?1049l",
  "\x1b[3;20r",
  "\x1b[r",
  "\x1b[H\x1b[2J",
  "\x1b[31;1m",
  "\x1b[38;2;1;2;3m",
  "\x1b]0;title\x07",
  "\x1bP1;2|x\x1b\\",
  "\x1b(0",
  "\x1b(B",
  "\x1bc",
  "\r\n",
  "界",
  "🎉",
  "e\u0301",
  "\x1b[999999999;999999999H",
  "\x1b[8;999;999t",
];

Deno.test("the emulator stays fast and bounded on random control streams with bombs", () => {
  const random = mulberry32(SEED + 2);
  const int = (n: number) => Math.floor(random() * n);
  const start = heapMb();
  forAbout(3000, 200, (i) => {
    const cols = 2 + int(200);
    const rows = 1 + int(60);
    using vt = new Vt(cols, rows, { sync: true });
    const began = performance.now();
    for (let n = 20 + int(80); n > 0; n--) {
      let piece = random() < 0.6 ? CONTROLS[int(CONTROLS.length)]! : "text ".repeat(1 + int(20));
      if (random() < 0.2) piece = piece.slice(0, int(piece.length + 1)); // split sequences
      vt.feed(piece);
      if (random() < 0.05) vt.resize(2 + int(200), 1 + int(60));
    }
    vt.screen();
    const ms = performance.now() - began;
    assert(ms < 2000, `seed ${SEED + 2} case ${i}: ${Math.round(ms)} ms`);
  });
  assert(heapMb() - start < 200, `heap grew by ${Math.round(heapMb() - start)} MB`);
});
