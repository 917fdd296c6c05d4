/**
 * The relay's HTTP API in process: stream create/update/list/delete with install-id auth,
 * uploads served back byte-identical (compressed ones decompressed), pages, and state surviving a restart.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "./_assert.ts";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { ApiClient, ApiError } from "../lib/remote/api_client.ts";
import { api, createLiveStream, newInstallId, startTestRelay } from "./_relay.ts";

const V2_CAST =
  '{"version": 2, "width": 80, "height": 24, "timestamp": 1700000000, "title": "two"}\n' +
  '[0.5, "o", "hello \\u001b[1mworld\\u001b[0m\\r\\n"]\n[1.25, "o", "bye\\r\\n"]\n';
const V3_CAST = '{"version": 3, "term": {"cols": 100, "rows": 30, "type": "xterm-256color"}}\n' +
  '# a comment line\n[0.1, "o", "héllo ✓\\r\\n"]\n[0.2, "m", "mark"]\n[0.3, "x", "0"]\n';

Deno.test("stream API authenticates by install id like asciinema-server", async (t) => {
  await using r = await startTestRelay();
  await t.step("no Basic auth → 401 unauthenticated", async () => {
    const { status, json } = await api(r.url, "POST", "/api/v1/streams", null, {});
    assertEquals([status, json], [401, {
      type: "unauthenticated",
      message: "Missing installation ID",
    }]);
  });
  await t.step("not UUID-shaped (upper-case) → 401 unauthenticated", async () => {
    const { status, json } = await api(
      r.url,
      "POST",
      "/api/v1/streams",
      newInstallId().toUpperCase(),
      {},
    );
    assertEquals([status, json], [401, {
      type: "unauthenticated",
      message: "Invalid installation ID",
    }]);
  });
  await t.step("any UUID-shaped id is accepted on a default (loopback) relay", async () => {
    const { status } = await api(r.url, "POST", "/api/v1/streams", newInstallId(), {});
    assertEquals(status, 200);
  });
});

Deno.test("an allow-list refuses unknown install ids with account_required", async () => {
  const allowed = newInstallId();
  await using r = await startTestRelay({ allowedInstallIds: new Set([allowed]) });
  assertEquals((await api(r.url, "POST", "/api/v1/streams", allowed, {})).status, 200);
  const { status, json } = await api(r.url, "POST", "/api/v1/streams", newInstallId(), {});
  assertEquals([status, json], [401, {
    type: "account_required",
    message: "This action requires an account",
  }]);
});

Deno.test("streams are created, updated by id or token, listed by prefix and deleted", async (t) => {
  await using r = await startTestRelay();
  const me = newInstallId();
  const created = await api(r.url, "POST", "/api/v1/streams", me, {});
  const s = created.json as Record<string, unknown>;
  await t.step("create {} → a stream object with unguessable URLs, not live", () => {
    assertEquals(created.status, 200);
    assertEquals([s.id, s.live, s.title, s.visibility, s.audio_url], [
      1,
      false,
      null,
      "unlisted",
      null,
    ]);
    assertMatch(String(s.url), new RegExp(`^${r.url}/s/[0-9A-Za-z]{16}$`));
    assertMatch(String(s.ws_producer_url), /^ws:\/\/127\.0\.0\.1:\d+\/ws\/S\/[0-9A-Za-z]{24}$/);
  });
  const token = String(s.url).split("/").pop()!;
  await t.step("PATCH by numeric id and PUT by token", async () => {
    const patched = await api(r.url, "PATCH", "/api/v1/streams/1", me, {
      live: true,
      title: "demo",
      term_type: "x".repeat(100),
      env: { SHELL: "/bin/bash" },
      unknown_field: 1,
    });
    assertEquals(patched.status, 200);
    const p = patched.json as Record<string, unknown>;
    assertEquals([p.live, p.title, (p.term_type as string).length, p.env], [true, "demo", 64, {
      SHELL: "/bin/bash",
    }]);
    const put = await api(r.url, "PUT", `/api/v1/streams/${token}`, me, { description: "d" });
    assertEquals([put.status, (put.json as Record<string, unknown>).description], [200, "d"]);
  });
  await t.step("validation errors → 422 validation_failed with details", async () => {
    const { status, json } = await api(r.url, "PATCH", "/api/v1/streams/1", me, {
      title: "t".repeat(129),
      visibility: "secret",
      live: "yes",
    });
    assertEquals(status, 422);
    const body = json as { type: string; details: { field: string }[] };
    assertEquals(body.type, "validation_failed");
    assertEquals(body.details.map((d) => d.field).sort(), ["live", "title", "visibility"]);
  });
  await t.step("someone else's stream → 403, an unknown one → 404", async () => {
    const other = await api(r.url, "PATCH", "/api/v1/streams/1", newInstallId(), { live: true });
    assertEquals([other.status, (other.json as { type: string }).type], [403, "access_denied"]);
    const missing = await api(r.url, "PATCH", "/api/v1/streams/999", me, {});
    assertEquals(missing.json, { type: "not_found", message: "Stream not found" });
  });
  await t.step("list: own streams only, by token prefix, paged with a Link header", async () => {
    for (let i = 0; i < 3; i++) await api(r.url, "POST", "/api/v1/streams", me, {});
    await api(r.url, "POST", "/api/v1/streams", newInstallId(), {});
    const all = await api(r.url, "GET", "/api/v1/user/streams", me);
    assertEquals((all.json as { id: number }[]).map((x) => x.id), [1, 2, 3, 4]);
    const byPrefix = await api(
      r.url,
      "GET",
      `/api/v1/user/streams?prefix=${token.slice(0, 10)}`,
      me,
    );
    assertEquals((byPrefix.json as { id: number }[]).map((x) => x.id), [1]);
    const page = await api(r.url, "GET", "/api/v1/user/streams?limit=3", me);
    assertEquals((page.json as { id: number }[]).map((x) => x.id), [1, 2, 3]);
    const link = page.headers.get("link")!;
    assertMatch(link, /^<.*cursor=.*>; rel="next"$/);
    const next = await api(r.url, "GET", link.slice(link.indexOf("/api"), link.indexOf(">")), me);
    assertEquals((next.json as { id: number }[]).map((x) => x.id), [4]);
  });
  await t.step("DELETE → 204, then 404", async () => {
    assertEquals((await api(r.url, "DELETE", "/api/v1/streams/2", me)).status, 204);
    assertEquals((await api(r.url, "DELETE", "/api/v1/streams/2", me)).status, 404);
  });
});

Deno.test("the live stream limit answers 422 live_stream_limit_reached and the client says so", async () => {
  await using r = await startTestRelay({ liveStreamLimit: 1 });
  const me = newInstallId();
  await createLiveStream(r.url, me);
  const { status, json } = await api(r.url, "POST", "/api/v1/streams", me, { live: true });
  assertEquals([status, json], [422, {
    type: "live_stream_limit_reached",
    message: "Maximum 1 live streams reached",
  }]);
  const error = await assertRejects(
    () => new ApiClient(r.url, me).createStream({ live: true }),
    ApiError,
    "Maximum 1 live streams reached",
  ) as ApiError;
  assertEquals([error.status, error.type], [422, "live_stream_limit_reached"]);
  assertStringIncludes(error.message, "end one of your other live streams");
});

Deno.test("ApiClient tells the user to run auth on 401 and finds a stream by id prefix", async () => {
  const allowed = newInstallId();
  await using r = await startTestRelay({ allowedInstallIds: new Set([allowed]) });
  await assertRejects(
    () => new ApiClient(r.url, newInstallId()).createStream({ live: true }),
    ApiError,
    'run "asciirec auth" first',
  );
  const client = new ApiClient(r.url, allowed);
  const a = await client.createStream({});
  await client.createStream({});
  const token = a.url.split("/").pop()!;
  const found = await client.obtainStream(token.slice(0, 8), { live: true, title: "again" });
  assertEquals([found.id, found.live, found.title], [a.id, true, "again"]);
  await assertRejects(
    () => client.obtainStream("zzzzzzzzzzzzzzzzz", {}),
    ApiError,
    "no stream matches",
  );
  await assertRejects(() => client.obtainStream("", {}), ApiError, "matches several streams");
});

Deno.test("uploads of v2 and v3 files are served back byte-identical at /a/<id>.cast", async (t) => {
  await using r = await startTestRelay({ maxUploadBytes: 4096 });
  const client = new ApiClient(r.url, newInstallId());
  for (const [name, text] of [["two.cast", V2_CAST], ["three.cast", V3_CAST]]) {
    await t.step(name!, async () => {
      const bytes = new TextEncoder().encode(text);
      const result = await client.upload(bytes, name!);
      assertMatch(result.url, new RegExp(`^${r.url}/a/[0-9A-Za-z]{16}$`));
      assertStringIncludes(result.message!, result.url);
      const file = await fetch(`${result.url}.cast`);
      assertEquals(file.headers.get("content-type"), "application/x-asciicast");
      assertEquals(new Uint8Array(await file.arrayBuffer()), bytes);
      const page = await fetch(result.url);
      const html = await page.text();
      assertStringIncludes(html, `href="/a/${result.url.split("/").pop()}.cast"`);
      assertStringIncludes(html, "asciinema-player.min.js");
    });
  }
  await t.step(
    "a gzip or zstd upload (as asciinema uploads a .cast.gz) is kept decompressed",
    async () => {
      const plain = new TextEncoder().encode(V3_CAST);
      for (
        const [name, packed] of [["c.cast.gz", gzipSync(plain)], [
          "c.cast.zst",
          zstdCompressSync(plain),
        ]] as const
      ) {
        const result = await client.upload(new Uint8Array(packed), name);
        const file = await fetch(`${result.url}.cast`);
        assertEquals(new Uint8Array(await file.arrayBuffer()), plain, name);
      }
    },
  );
  await t.step("a compressed upload over the limit once decompressed → 413", async () => {
    const bomb = gzipSync(
      new TextEncoder().encode(V2_CAST + `[2, "o", "${"x".repeat(50_000)}"]\n`),
    );
    assert(bomb.length < 4096);
    const error = await assertRejects(
      () => client.upload(new Uint8Array(bomb), "bomb.cast.gz"),
      ApiError,
      "size limit",
    ) as ApiError;
    assertEquals(error.status, 413);
  });
  await t.step("the page's player files are served", async () => {
    const js = await fetch(`${r.url}/assets/asciinema-player.min.js`);
    assertEquals(js.status, 200);
    assertStringIncludes(await js.text(), "AsciinemaPlayer");
  });
  await t.step("an oversized upload → 413 and a clear client message", async () => {
    const big = new TextEncoder().encode(V2_CAST + `[2, "o", "${"x".repeat(5000)}"]\n`);
    const error = await assertRejects(
      () => client.upload(big, "big.cast"),
      ApiError,
      "size limit",
    ) as ApiError;
    assertEquals([error.status, error.type], [413, "content_too_large"]);
  });
  await t.step("a file that is not asciicast → 422", async () => {
    const error = await assertRejects(
      () => client.upload(new TextEncoder().encode("just text\n"), "bad.cast"),
      ApiError,
    ) as ApiError;
    assertEquals(error.status, 422);
  });
  await t.step("no auth → 401", async () => {
    const form = new FormData();
    form.append("file", new Blob([V2_CAST]), "a.cast");
    const response = await fetch(`${r.url}/api/v1/recordings`, { method: "POST", body: form });
    assertEquals(response.status, 401);
    await response.body?.cancel();
  });
});

Deno.test("the stream page is the player page wired to the stream's socket", async () => {
  await using r = await startTestRelay();
  const stream = await createLiveStream(r.url, newInstallId());
  const redirect = await fetch(stream.url, { redirect: "manual" });
  assertEquals(redirect.status, 301);
  assertEquals(redirect.headers.get("location"), `${new URL(stream.url).pathname}/`);
  const page = await fetch(`${stream.url}/`);
  assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
  assertStringIncludes(await page.text(), "AsciinemaPlayer.create");
  const missing = await fetch(`${r.url}/s/AAAAAAAAAAAAAAAA/`);
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("streams and recordings survive a relay restart", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const me = newInstallId();
    const first = await startTestRelay({ dataDir });
    const stream = await createLiveStream(first.url, me);
    const upload = await new ApiClient(first.url, me).upload(
      new TextEncoder().encode(V3_CAST),
      "a.cast",
    );
    await first.stop();
    await using second = await startTestRelay({ dataDir });
    const list = await api(second.url, "GET", "/api/v1/user/streams", me);
    const streams = list.json as { id: number; live: boolean; url: string }[];
    assertEquals(streams.map((s) => [s.id, s.live]), [[stream.id, true]]);
    assertEquals(streams[0]!.url.split("/").pop(), stream.url.split("/").pop());
    const path = new URL(upload.url).pathname;
    const file = await fetch(`${second.url}${path}.cast`);
    assertEquals(await file.text(), V3_CAST);
    assert(second.dataDir === dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
