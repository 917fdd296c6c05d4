/**
 * `asciirec serve`, `upload` and `auth` as processes, the way a user runs them.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { homeEnv, newInstallId, opened, spawnServe, TestViewer } from "./_relay.ts";
import { alisMagic } from "../lib/alis/message.ts";
import { encodeAlisMessage } from "../lib/alis/encoder.ts";

const V2_CAST = '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hello v2\\r\\n"]\n';
const V3_CAST =
  '{"version": 3, "term": {"cols": 80, "rows": 24}}\n[0.5, "o", "hello v3 ✓\\r\\n"]\n';

Deno.test({
  name: "upload sends v2 and v3 files that come back byte-identical; oversized → 413 message",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const home = await Deno.makeTempDir();
    const env = homeEnv(home);
    const serve = await spawnServe(["--listen", "127.0.0.1:0", "--upload-size-limit", "200"], env);
    try {
      for (const [name, text] of [["v2.cast", V2_CAST], ["v3.cast", V3_CAST]] as const) {
        await t.step(name, async () => {
          await Deno.writeTextFile(`${home}/${name}`, text);
          const result = await runCli(["upload", "--server-url", serve.url, `${home}/${name}`], {
            env,
          });
          assertEquals(result.code, 0, result.stderr);
          const url = /(http:\/\/\S+\/a\/\w+)/.exec(result.stdout)?.[1];
          assert(url, result.stdout);
          const file = await fetch(`${url}.cast`);
          assertEquals(new Uint8Array(await file.arrayBuffer()), new TextEncoder().encode(text));
        });
      }
      await t.step("the install id was created where asciinema keeps it", async () => {
        const id = (await Deno.readTextFile(`${home}/.local/state/asciinema/install-id`)).trim();
        assertMatch(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      });
      await t.step("oversized → exit 1 with the server's size message", async () => {
        await Deno.writeTextFile(`${home}/big.cast`, V2_CAST + `[1, "o", "${"x".repeat(300)}"]\n`);
        const result = await runCli(["upload", "--server-url", serve.url, `${home}/big.cast`], {
          env,
        });
        assertEquals(result.code, 1);
        assertStringIncludes(
          result.stderr,
          "error: The recording exceeds the server's size limit of 200 bytes",
        );
      });
      await t.step(
        "a file that is not a recording is refused before anything is sent",
        async () => {
          await Deno.writeTextFile(`${home}/bad.cast`, "not json\n");
          const result = await runCli(["upload", "--server-url", serve.url, `${home}/bad.cast`], {
            env,
          });
          assertEquals(result.code, 1);
          assertStringIncludes(result.stderr, "bad.cast");
        },
      );
    } finally {
      assertEquals(await serve.stop(), 0);
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("auth prints the connect URL for the install id; no server configured is an error", async () => {
  const home = await Deno.makeTempDir();
  try {
    const env = homeEnv(home);
    await Deno.mkdir(`${home}/.config/asciinema`, { recursive: true });
    await Deno.writeTextFile(
      `${home}/.config/asciinema/install-id`,
      "0a1b2c3d-0000-4000-8000-00000000abcd\n",
    );
    const result = await runCli(["auth", "--server-url", "https://cast.example/sub/"], { env });
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(
      result.stdout,
      "https://cast.example/sub/connect/0a1b2c3d-0000-4000-8000-00000000abcd",
    );
    const none = await runCli(["auth"], { env });
    assertEquals(none.code, 1);
    assertStringIncludes(none.stderr, "error: no asciinema server configured");
    await Deno.writeTextFile(
      `${home}/.config/asciinema/config.toml`,
      '[server]\nurl = "http://relay.example:4949"\n',
    );
    const fromFile = await runCli(["auth"], { env });
    assertStringIncludes(
      fromFile.stdout,
      "http://relay.example:4949/connect/0a1b2c3d-0000-4000-8000-00000000abcd",
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("serve refuses a non-loopback address without an install-id list (exit 2)", async () => {
  const result = await runCli(["serve", "--listen", "0.0.0.0:0", "--data-dir", "/nonexistent"]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "--install-ids");
});

Deno.test({
  name: "serve shuts down cleanly on SIGTERM: producer and viewer get 1001, state is kept",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir();
    const env = homeEnv(home);
    const dataDir = `${home}/data`;
    let serve = await spawnServe(["--listen", "127.0.0.1:0", "--data-dir", dataDir], env);
    try {
      const me = newInstallId();
      const created = await fetch(`${serve.url}/api/v1/streams`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`:${me}`)}`, "content-type": "application/json" },
        body: JSON.stringify({ live: true }),
      });
      const stream = await created.json() as { url: string; ws_producer_url: string };
      const producer = new WebSocket(stream.ws_producer_url, ["v1.alis"]);
      await opened(producer);
      producer.send(alisMagic());
      producer.send(
        encodeAlisMessage({ type: "init", lastId: 0, time: 0, cols: 80, rows: 24, initData: "" }),
      );
      producer.send(encodeAlisMessage({ type: "output", id: 1, relTime: 0, data: "served\r\n" }));
      const token = stream.url.split("/").pop();
      const viewer = new TestViewer(`${serve.url.replace("http", "ws")}/ws/s/${token}`);
      await viewer.waitForText("served");
      const producerClosed = new Promise<number>((resolve) =>
        producer.onclose = (e) => resolve(e.code)
      );
      assertEquals(await serve.stop("SIGTERM"), 0);
      assertEquals((await viewer.closed).code, 1001);
      assertEquals(await producerClosed, 1001);
      assertStringIncludes(serve.stderr(), "shutting down");
      serve = await spawnServe(["--listen", "127.0.0.1:0", "--data-dir", dataDir], env);
      const list = await fetch(`${serve.url}/api/v1/user/streams`, {
        headers: { authorization: `Basic ${btoa(`:${me}`)}` },
      });
      const streams = await list.json() as { live: boolean }[];
      assertEquals(streams.map((s) => s.live), [true]);
    } finally {
      await serve.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});
