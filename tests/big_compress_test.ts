/**
 * Compressed recordings through every command, as processes: files made by Debian's `gzip`
 * and `zstd` are read by every reading command exactly as the plain file is; every writing
 * command writes `.gz`/`.zst` that Debian's tools read back; and a recording into a `.gz`
 * file killed with SIGKILL is still a valid gzip file holding what was flushed.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli } from "./_cli.ts";
import { skipWithoutPeer } from "./_peers.ts";
import { homeEnv, spawnServe } from "./_relay.ts";
import type { Event } from "../lib/asciicast/event.ts";
import { openRecording } from "../lib/asciicast/reader.ts";

const GZIP = "/usr/bin/gzip";
const ZSTD = "/usr/bin/zstd";
const TOOLS = { gzip: { tool: GZIP, ext: ".gz" }, zstd: { tool: ZSTD, ext: ".zst" } } as const;
const ignore = skipWithoutPeer(GZIP) || skipWithoutPeer(ZSTD);

const decoder = new TextDecoder();

/** A recording with UTF-8, cursor addressing, a marker and a resize. */
const CAST = [
  JSON.stringify({ version: 3, term: { cols: 40, rows: 6 }, title: "squeezed" }),
  JSON.stringify([0.25, "o", "$ echo héllo 🎉\r\nhéllo 🎉\r\n"]),
  JSON.stringify([0.5, "m", "middle"]),
  JSON.stringify([0.25, "o", "\u001b[3;10Hplaced by the cursor"]),
  JSON.stringify([0.125, "r", "50x8"]),
  JSON.stringify([0.125, "o", "\r\n$ exit\r\n"]),
].join("\n") + "\n";

/** Runs a Debian tool on `input` (stdin), returning stdout; throws on failure. */
async function tool(argv: string[], input?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input) {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) throw new Error(`${argv.join(" ")}: ${decoder.decode(out.stderr)}`);
  return out.stdout;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-big-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs asciirec and returns stdout as bytes; fails the test on a non-zero exit. */
async function ok(
  args: string[],
  options: { stdin?: Uint8Array; env?: Record<string, string> } = {},
) {
  const result = await runCli(args, options);
  assertEquals(result.code, 0, `asciirec ${args.join(" ")}: ${result.stderr}`);
  return result.stdoutBytes;
}

async function readEvents(path: string): Promise<Event[]> {
  const recording = await openRecording(path);
  const events: Event[] = [];
  for await (const event of recording.events) events.push(event);
  return events;
}

Deno.test({
  name:
    "files compressed by Debian's gzip and zstd read like the plain file in every reading command",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withDir(async (dir) => {
      const plain = `${dir}/demo.cast`;
      await Deno.writeTextFile(plain, CAST);
      const bytes = new TextEncoder().encode(CAST);
      for (const [kind, { tool: bin, ext }] of Object.entries(TOOLS)) {
        const packed = `${dir}/demo.cast${ext}`;
        await Deno.writeFile(packed, await tool([bin, "-c"], bytes));
        // A compressed file under a plain name: magic bytes decide, never the name.
        const misnamed = `${dir}/${kind}-inside.cast`;
        await Deno.copyFile(packed, misnamed);

        await t.step(`${kind}: convert to every format, from a file and from stdin`, async () => {
          for (const format of ["asciicast-v3", "asciicast-v2", "raw", "txt"]) {
            const expected = await ok(["convert", "-f", format, plain, "-"]);
            for (const input of [packed, misnamed]) {
              assertEquals(await ok(["convert", "-f", format, input, "-"]), expected, format);
            }
            const stdin = await Deno.readFile(packed);
            assertEquals(await ok(["convert", "-f", format, "-", "-"], { stdin }), expected);
          }
        });
        await t.step(`${kind}: cat`, async () => {
          assertEquals(await ok(["cat", packed, misnamed]), await ok(["cat", plain, plain]));
        });
        await t.step(`${kind}: play (without a terminal: the output on stdout)`, async () => {
          assertEquals(
            await ok(["play", "-q", "-i", "0", packed]),
            await ok(["play", "-q", "-i", "0", plain]),
          );
        });
        await t.step(`${kind}: grep`, async () => {
          const found = decoder.decode(await ok(["grep", "placed by", packed]));
          assertEquals(found, "00:01.000 (m1 middle):          placed by the cursor\n");
        });
        await t.step(`${kind}: play --from a marker`, async () => {
          assertEquals(
            await ok(["play", "-q", "--from", "marker:middle", packed]),
            await ok(["play", "-q", "--from", "marker:middle", plain]),
          );
        });
        await t.step(
          `${kind}: edit reads it, and writes ${ext} that ${kind} reads back`,
          async () => {
            const args = ["--cut", "0.3..0.6", "--idle-limit", "0.2"];
            const expected = await ok(["edit", "-q", plain, "-", ...args]);
            assertEquals(await ok(["edit", "-q", packed, "-", ...args]), expected);
            const out = `${dir}/${kind}-edited.cast${ext}`;
            await ok(["edit", "-q", packed, out, ...args]);
            assertEquals(await tool([bin, "-dc", out]), expected);
          },
        );
      }
    });
  },
});

Deno.test({
  name: "upload sends a compressed recording decompressed, under its name without .gz/.zst",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir();
    const env = homeEnv(home);
    const serve = await spawnServe(["--listen", "127.0.0.1:0"], env);
    try {
      const bytes = new TextEncoder().encode(CAST);
      for (const { tool: bin, ext } of Object.values(TOOLS)) {
        const path = `${home}/upload.cast${ext}`;
        await Deno.writeFile(path, await tool([bin, "-c"], bytes));
        const out = decoder.decode(await ok(["upload", "--server-url", serve.url, path], { env }));
        const url = /(http:\/\/\S+\/a\/\w+)/.exec(out)?.[1];
        assert(url, out);
        const stored = await fetch(`${url}.cast`);
        assertEquals(new Uint8Array(await stored.arrayBuffer()), bytes);
      }
    } finally {
      assertEquals(await serve.stop(), 0);
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "every writing command writes .gz and .zst that Debian's gzip and zstd read back",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withDir(async (dir) => {
      const plain = `${dir}/in.cast`;
      await Deno.writeTextFile(plain, CAST);
      for (const [kind, { tool: bin, ext }] of Object.entries(TOOLS)) {
        const unpack = async (path: string) => {
          await tool([bin, "-t", path]); // a valid file, checksums and all
          return decoder.decode(await tool([bin, "-dc", path]));
        };
        await t.step(
          `${kind}: convert (the format seen through the compression ending)`,
          async () => {
            for (const [name, format] of [["out.cast", "asciicast-v3"], ["out.txt", "txt"]]) {
              const out = `${dir}/${kind}-${name}${ext}`;
              await ok(["convert", plain, out]);
              assertEquals(
                await unpack(out),
                decoder.decode(await ok(["convert", "-f", format!, plain, "-"])),
              );
            }
          },
        );
        await t.step(`${kind}: cat -o`, async () => {
          const out = `${dir}/${kind}-cat.cast${ext}`;
          await ok(["cat", "-o", out, plain, plain]);
          assertEquals(await unpack(out), decoder.decode(await ok(["cat", plain, plain])));
        });
        await t.step(`${kind}: rec, then rec --append continuing the compressed file`, async () => {
          const out = `${dir}/${kind}-rec.cast${ext}`;
          await ok(["rec", "-q", "--headless", "-c", "printf 'first take\\n'", out]);
          await ok(["rec", "-q", "--headless", "--append", "-c", "printf 'second take\\n'", out]);
          const text = await unpack(out);
          assertEquals(text.split("\n")[0]!.startsWith('{"version":3'), true);
          const outputs = (await readEvents(out)).filter((e) => e.code === "o").map((e) => e.data);
          assertEquals(outputs.join(""), "first take\r\nsecond take\r\n");
        });
        await t.step(`${kind}: redact`, async () => {
          const out = `${dir}/${kind}-redacted.cast${ext}`;
          await ok(["redact", "-q", plain, out]);
          assertEquals(await unpack(out), decoder.decode(await ok(["redact", "-q", plain, "-"])));
        });
        await t.step(`${kind}: session -o`, async () => {
          const out = `${dir}/${kind}-session.cast${ext}`;
          await ok(["session", "-q", "--headless", "-o", out, "-c", "printf 'in a session\\n'"]);
          assertStringIncludes(await unpack(out), "in a session");
        });
        await t.step(`${kind}: a failed convert leaves no file behind`, async () => {
          const bad = `${dir}/bad.cast`;
          await Deno.writeTextFile(bad, CAST + "not json\n" + CAST);
          const out = `${dir}/${kind}-bad.cast${ext}`;
          const result = await runCli(["convert", bad, out]);
          assertEquals(result.code, 1);
          assertEquals(
            (await Array.fromAsync(Deno.readDir(dir))).filter((e) => e.name.includes("-bad")),
            [],
          );
        });
      }
    });
  },
});

Deno.test({
  name: "rec into a .gz file killed with SIGKILL leaves a valid gzip file with what was flushed",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    for (const [kind, { tool: bin, ext }] of Object.entries(TOOLS)) {
      await t.step(kind, async () => {
        await withDir(async (dir) => {
          const path = `${dir}/killed.cast${ext}`;
          const [cmd, ...args] = cliArgv();
          const child = new Deno.Command(cmd!, {
            args: [
              ...args,
              "rec",
              "-q",
              "--headless",
              "-c",
              'i=0; while :; do i=$((i+1)); echo "line-$i"; sleep 0.01; done',
              path,
            ],
            stdin: "null",
            stdout: "null",
            stderr: "null",
          }).spawn();
          // Whole lines of the output in the file's events: joined first, since a line and its
          // "\r\n" (or the line itself) may come split over two events.
          const numbers = (s: string) => {
            // After the header, up to the last newline (whole lines only).
            const output = s.split("\n").slice(1, -1)
              .map((line) => JSON.parse(line) as [number, string, string])
              .filter(([, code]) => code === "o").map(([, , data]) => data).join("");
            return [...output.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
          };
          // Wait until flushed members show steady output, then kill without warning.
          let before = 0;
          const deadline = performance.now() + 30_000;
          while (before < 100) {
            if (performance.now() > deadline) throw new Error("nothing was flushed");
            await new Promise((r) => setTimeout(r, 200));
            const packed = await Deno.readFile(path).catch(() => new Uint8Array());
            if (packed.length === 0) continue;
            const text = decoder.decode(
              await tool([bin, "-dc"], packed).catch(() => new Uint8Array()),
            );
            before = numbers(text).length;
          }
          child.kill("SIGKILL");
          await child.status;

          // Debian's tool finds a valid file (the kill fell between two members)…
          await tool([bin, "-t", path]);
          const text = decoder.decode(await tool([bin, "-dc", path]));
          // …and both it and asciirec read every line up to the last flush, in order.
          const lines = numbers(text);
          assert(lines.length >= before, `${lines.length} lines after the kill, ${before} before`);
          assertEquals(lines, Array.from({ length: lines.length }, (_, i) => i + 1));
          const events = await readEvents(path);
          const ours = events.filter((e) => e.code === "o").map((e) => e.data).join("");
          assertEquals(
            [...ours.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1])),
            lines,
          );
        });
      });
    }
  },
});
