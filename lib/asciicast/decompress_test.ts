import { constants, gzipSync, zstdCompressSync } from "node:zlib";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/_assert.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import type { ByteSource } from "./_line_blocks.ts";
import {
  _ZstdFrames,
  type Compression,
  decompressSource,
  openDecompressed,
  sniffCompression,
} from "./decompress.ts";

const encoder = new TextEncoder();

/** A source that hands out `data` in pieces of at most `step` bytes. */
function memorySource(data: Uint8Array, step = 65536): ByteSource & { closed: boolean } {
  let pos = 0;
  return {
    closed: false,
    read(into) {
      if (pos >= data.length) return Promise.resolve(null);
      const n = Math.min(into.length, step, data.length - pos);
      into.set(data.subarray(pos, pos + n));
      pos += n;
      return Promise.resolve(n);
    },
    close() {
      this.closed = true;
    },
  };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function readAll(source: ByteSource, size = 4096): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buffer = new Uint8Array(size);
  for (;;) {
    const n = await source.read(buffer);
    if (n === null) break;
    parts.push(buffer.slice(0, n));
  }
  source.close();
  return concat(...parts);
}

async function unpack(data: Uint8Array, step?: number) {
  const warnings: string[] = [];
  const { source, compressions } = await openDecompressed(memorySource(data, step), {
    name: "demo.cast.x",
    onWarning: (w) => warnings.push(w),
  });
  return { bytes: await readAll(source), compressions, warnings };
}

function compress(compression: Compression, data: Uint8Array): Uint8Array {
  return compression === "gzip" ? gzipSync(data) : zstdCompressSync(data);
}

/** Text that compresses but not to nothing: seeded random words. */
function sampleText(bytes: number, seed = 7): Uint8Array {
  const random = mulberry32(seed);
  const words = ["ls", "make", "\x1b[1;32mok\x1b[0m", "error:", "λ", "🎉", "src/main.rs"];
  let text = "";
  while (text.length < bytes) {
    text += words[Math.floor(random() * words.length)] + (random() < 0.2 ? "\r\n" : " ");
  }
  return encoder.encode(text);
}

Deno.test("sniffCompression knows gzip and zstd by their magic bytes only", () => {
  assertEquals(sniffCompression(new Uint8Array([0x1f, 0x8b])), "gzip");
  assertEquals(sniffCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0])), "zstd");
  assertEquals(sniffCompression(new Uint8Array([0x28, 0xb5, 0x2f])), undefined);
  assertEquals(sniffCompression(encoder.encode('{"version": 2}')), undefined);
  assertEquals(sniffCompression(new Uint8Array()), undefined);
});

Deno.test("openDecompressed passes plain data through byte for byte, in any read sizes", async () => {
  const data = sampleText(100_000);
  for (const step of [1, 3, 4096]) {
    const { bytes, compressions } = await unpack(data, step);
    assertEquals(compressions, []);
    assertEquals(bytes, data);
  }
  assertEquals((await unpack(new Uint8Array([0x1f]))).bytes, new Uint8Array([0x1f]));
  assertEquals((await unpack(new Uint8Array())).bytes, new Uint8Array());
});

for (const compression of ["gzip", "zstd"] as const) {
  Deno.test(`${compression}: one member/frame, read through pieces of 1 byte to 64 KiB`, async () => {
    const data = sampleText(300_000);
    for (const step of [1, 7, 65536]) {
      const { bytes, compressions, warnings } = await unpack(compress(compression, data), step);
      assertEquals(compressions, [compression]);
      assertEquals(bytes.length, data.length);
      assertEquals(bytes, data);
      assertEquals(warnings, []);
    }
  });

  Deno.test(`${compression}: every one of many concatenated members/frames is read`, async () => {
    const parts = Array.from({ length: 50 }, (_, i) => sampleText(100 + i * 97, i));
    const packed = concat(...parts.map((p) => compress(compression, p)));
    const { bytes, warnings } = await unpack(packed, 1000);
    assertEquals(bytes, concat(...parts));
    assertEquals(warnings, []);
  });

  Deno.test(`${compression}: data cut off inside the last member/frame is read up to there, with a warning`, async () => {
    const first = sampleText(50_000, 1);
    const second = sampleText(50_000, 2);
    const packed = concat(compress(compression, first), compress(compression, second));
    const cut = packed.subarray(0, packed.length - 20);
    const { bytes, warnings } = await unpack(cut);
    // Everything of the complete first part, and nothing that is not in the data.
    assert(bytes.length >= first.length, `only ${bytes.length} bytes read`);
    assertEquals(bytes, concat(first, second).subarray(0, bytes.length));
    assertEquals(warnings.length, 1);
    assertStringIncludes(warnings[0]!, `demo.cast.x: the ${compression} data is cut off`);
  });

  Deno.test(`${compression}: bytes after the last member/frame that start none are an error`, async () => {
    const packed = concat(compress(compression, sampleText(1000)), encoder.encode("garbage!"));
    await assertRejects(() => unpack(packed), SyntaxError, `the ${compression} data is corrupt`);
  });

  Deno.test(`${compression}: a thousandfold expansion is decoded a read at a time`, async () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const { source } = await openDecompressed(memorySource(compress(compression, zeros)));
    const buffer = new Uint8Array(1 << 20);
    let total = 0;
    for (;;) {
      const n = await source.read(buffer);
      if (n === null) break;
      // Never more than the buffer: nothing piles up behind the reader.
      assert(n <= buffer.length);
      total += n;
    }
    source.close();
    assertEquals(total, zeros.length);
  });
}

Deno.test("openDecompressed unwraps nested layers (zstd around gzip) and closes the source", async () => {
  const data = sampleText(20_000);
  const inner = memorySource(zstdCompressSync(gzipSync(data)));
  const { source, compressions } = await openDecompressed(inner);
  assertEquals(compressions, ["zstd", "gzip"]);
  assertEquals(await readAll(source), data);
  assert(inner.closed);
});

Deno.test("zstd frames with checksums and skippable frames are followed to their end", async () => {
  const data = sampleText(10_000);
  const withChecksum = zstdCompressSync(data, {
    params: { [constants.ZSTD_c_checksumFlag]: 1 },
  });
  const skippable = concat(
    new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]),
    encoder.encode("abc"),
  );
  const { bytes, warnings } = await unpack(concat(withChecksum, skippable, withChecksum), 5);
  assertEquals(bytes, concat(data, data));
  assertEquals(warnings, []);
});

Deno.test("_ZstdFrames knows whether the data ends between frames", () => {
  const frame = zstdCompressSync(sampleText(5000));
  for (let cut = 1; cut < frame.length; cut += 13) {
    const frames = new _ZstdFrames();
    frames.push(frame.subarray(0, cut));
    assertEquals(frames.atBoundary(), false, `cut at ${cut}`);
  }
  const frames = new _ZstdFrames();
  for (const byte of frame) frames.push(new Uint8Array([byte]));
  assert(frames.atBoundary());
});

Deno.test("a decompressing source closes its inner source", async () => {
  const inner = memorySource(gzipSync(sampleText(100)));
  const source = decompressSource(inner, "gzip");
  await source.read(new Uint8Array(10));
  source.close();
  source.close();
  assert(inner.closed);
  assertEquals(await source.read(new Uint8Array(10)), null);
});
