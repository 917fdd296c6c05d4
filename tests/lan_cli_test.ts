/**
 * `stream --local` on a LAN, as processes: `--max-viewers` (N watch, N+1 gets the page and
 * the close reason), the viewer count on stderr when headless, `--token` rules and a stable
 * URL, `--qr`, and the rewind log's memory bound under a 200 MB burst (RSS, the spill file,
 * nothing left in the temporary directory after SIGTERM).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { LiveCli } from "./_live_cli.ts";
import { TestViewer } from "./_relay.ts";
import { waitUntil } from "./_wait_until.ts";

function socketUrl(page: string): string {
  return page.replace(/^http/, "ws") + "ws";
}

Deno.test({
  name: "--max-viewers lets N watch; the next gets a page and a close reason saying it is full",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cli = new LiveCli([
      "stream",
      "--local",
      "--max-viewers",
      "2",
      "--headless",
      "-c",
      "echo full-test; read a",
    ]);
    const viewers: TestViewer[] = [];
    try {
      const url = await cli.url();
      for (let i = 0; i < 2; i++) {
        const viewer = new TestViewer(socketUrl(url));
        viewers.push(viewer);
        await viewer.waitForText("full-test");
      }
      await waitUntil(() => cli.stderr.includes("2 viewers watching"), "the count on stderr");
      const status = await (await fetch(`${url}status`)).json();
      assertEquals([status.viewers, status.maxViewers, status.state], [2, 2, "live"]);

      const page = await fetch(url);
      assertEquals(page.status, 503);
      assertStringIncludes(await page.text(), "This stream is full: it allows 2 viewers");
      const third = new TestViewer(socketUrl(url));
      const closed = await third.closed;
      assertEquals(closed.code, 4029);
      assertEquals(closed.reason, "too many viewers: this stream allows 2");
      assertEquals(third.messages.length, 0);

      await viewers.pop()!.close();
      await waitUntil(async () =>
        (await fetch(url).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        })) === 200, "room for one more");
      await waitUntil(() => cli.stderr.includes("1 viewer watching"), "the new count");
      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
    } finally {
      for (const viewer of viewers) await viewer.close();
      try {
        cli.child.kill();
      } catch {
        // exited
      }
      await cli.exit();
    }
  },
});

Deno.test("--token keeps the URL across sessions and must hold 128 bits", async () => {
  const short = await runCli(["stream", "--local", "--token", "tooshort", "-c", "true"]);
  assertEquals(short.code, 2);
  assertStringIncludes(short.stderr, "at least 128 are needed");
  const hexShort = await runCli([
    "stream",
    "--local",
    "--token",
    "0123456789abcdef0123456789abcde", // 31 hex digits: 124 bits
    "-c",
    "true",
  ]);
  assertEquals(hexShort.code, 2);
  const slash = await runCli(["stream", "--local", "--token", "a/".repeat(20), "-c", "true"]);
  assertEquals(slash.code, 2);
  const remoteOnly = await runCli(["stream", "--remote", "--max-viewers", "3", "-c", "true"]);
  assertEquals(remoteOnly.code, 2);
  assertStringIncludes(remoteOnly.stderr, "--max-viewers needs --local");

  const token = "Stable_Token-0123456789ab";
  const urls: string[] = [];
  for (let i = 0; i < 2; i++) {
    const cli = new LiveCli(["stream", "--local", "--token", token, "--headless", "-c", "true"]);
    urls.push((await cli.url()).replace(/:\d+\//, ":PORT/"));
    assertEquals(await cli.exit(), 0);
  }
  assertEquals(urls, [`http://127.0.0.1:PORT/${token}/`, `http://127.0.0.1:PORT/${token}/`]);
});

Deno.test({
  name: "--qr prints a QR code of the URL under it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cli = new LiveCli(["stream", "--local", "--qr", "--headless", "-c", "true"]);
    await cli.url();
    assertEquals(await cli.exit(), 0);
    const after = cli.stderr.split("Live streaming at")[1]!;
    const lines = after.split("\n").filter((l) => l.includes("\x1b[30;107m"));
    assert(lines.length >= 12, `a QR code of ${lines.length} lines:\n${cli.stderr}`);
    assertMatch(lines[0]!, /[█▀▄ ]{25,}/);
  },
});

/** Resident memory of a process, in bytes. */
async function rss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** The process's open files that were deleted from `dir`, with their sizes. */
async function deletedFilesIn(pid: number, dir: string): Promise<number[]> {
  const sizes: number[] = [];
  for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
    const target = await Deno.readLink(`/proc/${pid}/fd/${entry.name}`).catch(() => "");
    if (target.startsWith(dir) && target.endsWith("(deleted)")) {
      sizes.push(
        (await Deno.stat(`/proc/${pid}/fd/${entry.name}`).catch(() => ({ size: 0 }))).size,
      );
    }
  }
  return sizes;
}

/** Streams a 200 MB burst; returns the peak RSS seen and what `watch` observed meanwhile. */
async function burst(extra: string[], tmp: string) {
  // 200 MB of 100-byte lines, then the session waits for a line on stdin.
  const cli = new LiveCli(
    [
      "stream",
      "--local",
      "--headless",
      "--window-size",
      "120x40",
      ...extra,
      "-c",
      "yes 'the quick brown fox jumps over the lazy dog, 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ -- abcdefghi' | head -c 200000000; read a",
    ],
    undefined,
    { env: { TMPDIR: tmp } },
  );
  const url = await cli.url();
  let peak = 0;
  let spill: number[] = [];
  const pid = cli.child.pid;
  for (;;) {
    peak = Math.max(peak, await rss(pid));
    const status = await (await fetch(`${url}status`)).json();
    const sizes = await deletedFilesIn(pid, tmp);
    if (sizes.length > 0) spill = sizes;
    // Done when the whole burst went through the live state.
    const bytes = status.rewind ? status.rewind.bytes : 0;
    if (status.rewind === false ? await _drained(url) : bytes >= 200_000_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  peak = Math.max(peak, await rss(pid));
  return { cli, url, pid, peak, spill };
}

/** Without a rewind log: the burst is through when a viewer's screen shows the prompt wait. */
async function _drained(url: string): Promise<boolean> {
  const viewer = new TestViewer(socketUrl(url));
  try {
    await viewer.waitForText("abcdefghi", 5_000).catch(() => {});
    const before = viewer.messages.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return viewer.messages.length === before && before > 0;
  } finally {
    await viewer.close();
  }
}

Deno.test({
  name:
    "a 200 MB burst keeps the rewind log within its memory bound, spilling to an unlinked file gone after SIGTERM",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "asciirec-rewind-rss-" });
    try {
      const bound = 16 * 1024 * 1024;
      const withRewind = await burst(["--rewind-memory", String(bound)], tmp);
      const status = await (await fetch(`${withRewind.url}status`)).json();
      // The spill file is open, holds most of the session, and is not in the directory.
      assert(withRewind.spill.some((size) => size > 150_000_000), `spill ${withRewind.spill}`);
      assert(status.rewind.fileBytes > 150_000_000, JSON.stringify(status));
      assert(status.rewind.memoryBytes <= bound + 2 * 1024 * 1024, JSON.stringify(status));
      assertEquals([...Deno.readDirSync(tmp)], []);
      // The whole session is still there to rewind.
      const cast = await fetch(`${withRewind.url}rewind.cast`);
      assertEquals(Number(cast.headers.get("content-length")) > 200_000_000, true);
      await cast.body?.cancel();
      withRewind.cli.child.kill("SIGTERM");
      await withRewind.cli.exit();
      assertEquals([...Deno.readDirSync(tmp)], []);

      const without = await burst(["--no-rewind"], tmp);
      await without.cli.type("\n");
      assertEquals(await without.cli.exit(), 0);
      assertEquals(without.spill, []);
      assertEquals([...Deno.readDirSync(tmp)], []);
      // The log costs its memory bound and some slack (garbage not collected yet, chunks on
      // their way to a disk slowed by other tests), not the 200 MB it holds: those would
      // add over 200 MiB.
      const extra = withRewind.peak - without.peak;
      assert(
        extra < bound + 104 * 1024 * 1024,
        `peak RSS ${withRewind.peak >> 20} MiB with rewind, ${without.peak >> 20} MiB without`,
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
