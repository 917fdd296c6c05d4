/**
 * Self-containment: `deno bundle` of the program must run from an empty directory with an
 * empty Deno cache — no source tree, no node_modules, no npm downloads — which is what the
 * single `deno compile` binary will do. Assets (player, page) must reach the program through
 * imports.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { MAIN, PERMISSIONS } from "./_cli.ts";
import { TestViewer } from "./_relay.ts";

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name: "the bundled program runs from an empty directory with an empty Deno cache",
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const work = await Deno.makeTempDir({ prefix: "asciirec-bundle-" });
  const bundle = `${work}/asciirec.js`;
  const built = await run(Deno.execPath(), ["bundle", "--quiet", "--output", bundle, MAIN]);
  assertEquals(built.code, 0, built.stderr);

  const empty = await Deno.makeTempDir({ prefix: "asciirec-empty-" });
  await Deno.rename(bundle, `${empty}/asciirec.js`);
  const denoDir = await Deno.makeTempDir({ prefix: "asciirec-denodir-" });
  /** The bundled program with `args`, run in the empty directory with the empty cache. */
  const bundled = (args: string[], options: Deno.CommandOptions = {}) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-remote", "--no-npm", ...PERMISSIONS, "asciirec.js", ...args],
      cwd: empty,
      ...options,
      env: { DENO_DIR: denoDir, NO_COLOR: "1", ...options.env },
    });
  /** Starts a server of the bundled program; resolves with the first group of `pattern` in its stderr. */
  const startServer = async (args: string[], pattern: RegExp, env: Record<string, string> = {}) => {
    const child = bundled(args, { env, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let stderr = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        await child.status;
        throw new Error(`${args[0]} ended before printing ${pattern}: ${stderr}`);
      }
      stderr += value;
      const found = pattern.exec(stderr)?.[1];
      if (found !== undefined) {
        const stop = async () => {
          await reader.cancel();
          child.kill("SIGTERM");
          await child.status;
        };
        return { found, stop };
      }
    }
  };
  const asciirec = (args: string[], stdin?: string) => {
    const cmd = bundled(args, {
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return (async () => {
      if (stdin !== undefined) {
        const w = cmd.stdin.getWriter();
        await w.write(new TextEncoder().encode(stdin));
        await w.close();
      }
      const out = await cmd.output();
      return {
        code: out.code,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: new TextDecoder().decode(out.stderr),
      };
    })();
  };

  await t.step("--help", async () => {
    const r = await asciirec(["--help"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "Usage: asciirec");
  });

  await t.step("convert a v2 recording from stdin to v3 on stdout", async () => {
    const v2 = '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hi\\r\\n"]\n';
    const r = await asciirec(["convert", "-", "-"], v2);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /^\{"version":3,"term":\{"cols":80,"rows":24\}/);
    assertStringIncludes(r.stdout, '[0.500, "o", "hi\\r\\n"]');
  });

  await t.step("edit a recording from stdin, rebuilding the screen after a cut", async () => {
    const v2 = '{"version": 2, "width": 20, "height": 3}\n[0.5, "o", "hello\\r\\n"]\n' +
      '[1, "m", "x"]\n[2, "o", "\\u001b[2J\\u001b[Hworld"]\n[3, "o", "!"]\n';
    const r = await asciirec(["edit", "-", "-", "--cut", "marker:x..2.5"], v2);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, '[0.500, "o", "hello\\r\\n"]');
    assertMatch(r.stdout, /\[0\.000, "o", "\\u001bc[^\n]*world/);
    assertStringIncludes(r.stdout, '[0.500, "o", "!"]');
  });

  await t.step("rec a command headless, then play the recording to stdout", async () => {
    const r = await asciirec(["rec", "-q", "-c", "printf 'bundled\\n'", "out.cast"]);
    assertEquals(r.code, 0, r.stderr);
    const cast = await Deno.readTextFile(`${empty}/out.cast`);
    assertMatch(cast, /^\{"version":3,/);
    assertStringIncludes(cast, '"o", "bundled\\r\\n"]');
    const played = await asciirec(["play", "-q", "out.cast"]);
    assertEquals(played.code, 0, played.stderr);
    assertStringIncludes(played.stdout, "bundled\r\n");
  });

  await t.step("session streaming locally reads the PTY on its read thread", async () => {
    // Streaming reads the output in a worker started from an embedded bundle, through FFI.
    const r = await asciirec([
      "session",
      "-o",
      "streamed.cast",
      "--local",
      "127.0.0.1:0",
      "-c",
      "seq 1 50000",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "Live streaming at");
    const lines = (await Deno.readTextFile(`${empty}/streamed.cast`)).trim().split("\n");
    const output = lines.slice(1).map((line) => JSON.parse(line) as [number, string, string])
      .filter(([, code]) => code === "o").map(([, , data]) => data).join("");
    const seq = Array.from({ length: 50000 }, (_, i) => `${i + 1}\r\n`).join("");
    assert(output === seq, `the output differs: ${output.length} vs ${seq.length} characters`);
  });

  await t.step("rec into .cast.zst, convert it to .cast.gz, grep and play --from it", async () => {
    const r = await asciirec(["rec", "-q", "-c", "printf 'squeezed\\n'", "out.cast.zst"]);
    assertEquals(r.code, 0, r.stderr);
    const zst = await Deno.readFile(`${empty}/out.cast.zst`);
    assertEquals([...zst.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    const c = await asciirec(["convert", "out.cast.zst", "out.cast.gz"]);
    assertEquals(c.code, 0, c.stderr);
    const gz = await Deno.readFile(`${empty}/out.cast.gz`);
    assertEquals([...gz.subarray(0, 2)], [0x1f, 0x8b]);
    const found = await asciirec(["grep", "-c", "squeezed", "out.cast.gz"]);
    assertEquals([found.code, found.stdout], [0, "1\n"], found.stderr);
    const played = await asciirec(["play", "-q", "--from", "0", "out.cast.gz"]);
    assertEquals(played.code, 0, played.stderr);
    assertStringIncludes(played.stdout, "squeezed");
  });

  await t.step("export a GIF and an SVG (embedded font, in-process rendering)", async () => {
    const v2 = [
      { version: 2, width: 20, height: 3 },
      [0.1, "o", "hi \u2500\u2500 \u00e9"],
      [0.6, "o", "\r\n\x1b[1mbold\x1b[0m"],
    ].map((line) => JSON.stringify(line)).join("\n") + "\n";
    await Deno.writeTextFile(`${empty}/demo.cast`, v2);
    const gif = await asciirec(["convert", "demo.cast", "demo.gif", "--window"]);
    assertEquals(gif.code, 0, gif.stderr);
    const bytes = await Deno.readFile(`${empty}/demo.gif`);
    assertEquals(new TextDecoder().decode(bytes.subarray(0, 6)), "GIF89a");
    assertEquals(bytes.at(-1), 0x3b);
    const svg = await asciirec(["convert", "demo.cast", "demo.svg"]);
    assertEquals(svg.code, 0, svg.stderr);
    const text = await Deno.readTextFile(`${empty}/demo.svg`);
    assertMatch(text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assertStringIncludes(text, ">bold</text>");
  });

  await t.step("rec redacts a token at once; redact --verify passes the file", async () => {
    const token = "ghp_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8";
    const r = await asciirec(["rec", "-q", "-c", `printf 'token ${token}\\n'`, "secret.cast"]);
    assertEquals(r.code, 0, r.stderr);
    const text = await Deno.readTextFile(`${empty}/secret.cast`);
    assert(!text.slice(text.indexOf("\n")).includes(token), "the token reached the events");
    assertStringIncludes(text, "*".repeat(token.length));
    const verified = await asciirec(["redact", "--verify", "secret.cast"]);
    assertEquals(verified.code, 0, verified.stderr);
  });

  await t.step("tape runs a tape and writes a recording and golden text", async () => {
    await Deno.writeTextFile(
      `${empty}/demo.tape`,
      'Output demo.cast\nOutput demo.txt\nSet Shell sh\nType "echo bundled" Enter\nSleep 200ms\n',
    );
    const r = await asciirec(["tape", "demo.tape"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "::: Wrote demo.cast, demo.txt");
    const cast = await Deno.readTextFile(`${empty}/demo.cast`);
    assertMatch(cast, /^\{"version":3,"term":\{"cols":76,"rows":16,/);
    assertStringIncludes(cast, "bundled\\r\\n");
    assertStringIncludes(await Deno.readTextFile(`${empty}/demo.txt`), "> echo bundled\nbundled\n");
  });

  await t.step("serve answers its API and pages (SQLite inside)", async () => {
    const serve = await startServer(
      ["serve", "--listen", "127.0.0.1:0", "--data-dir", "relay-data"],
      /listening on (http\S+)/,
      { HOME: empty },
    );
    try {
      const created = await fetch(`${serve.found}/api/v1/streams`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`:${crypto.randomUUID()}`)}` },
      });
      assert(created.ok, `stream creation answered ${created.status}`);
      const { url: page } = await created.json() as { url: string };
      const html = await (await fetch(page)).text();
      assertStringIncludes(html, "AsciinemaPlayer");
    } finally {
      await serve.stop();
    }
  });

  await t.step(
    "stream --remote publishes to serve over the program's own WebSocket client",
    async () => {
      const serve = await startServer(
        ["serve", "--listen", "127.0.0.1:0", "--data-dir", "relay-data"],
        /listening on (http\S+)/,
        { HOME: empty },
      );
      try {
        const stream = await startServer(
          [
            "stream",
            "--remote",
            "--server-url",
            serve.found,
            "-c",
            "echo bundled-remote; sleep 30",
          ],
          /Live streaming at (\S+)/,
          { HOME: empty },
        );
        try {
          const page = new URL(stream.found);
          const token = page.pathname.split("/").pop();
          const viewer = new TestViewer(`ws://${page.host}/ws/s/${token}`);
          await viewer.waitForText("bundled-remote", 30_000);
          await viewer.close();
        } finally {
          await stream.stop();
        }
      } finally {
        await serve.stop();
      }
    },
  );

  await t.step("stream --local serves the page and the embedded player", async () => {
    const stream = await startServer(
      ["stream", "--local", "-c", "sleep 30"],
      /Live streaming at (\S+)/,
    );
    try {
      const url = stream.found;
      const page = await fetch(url);
      assertEquals(page.status, 200);
      const html = await page.text();
      assertStringIncludes(html, "AsciinemaPlayer.create");
      const script = /<script[^>]+src="([^"]*asciinema-player[^"]*\.js)"/.exec(html)?.[1];
      assertMatch(script ?? "", /asciinema-player/);
      const js = await fetch(new URL(script!, url));
      assertEquals(js.status, 200);
      assertEquals(js.headers.get("content-type")?.split(";")[0], "text/javascript");
      assertStringIncludes(await js.text(), "AsciinemaPlayer");
    } finally {
      await stream.stop();
    }
  });

  await Deno.remove(work, { recursive: true });
  await Deno.remove(empty, { recursive: true });
  await Deno.remove(denoDir, { recursive: true });
});
