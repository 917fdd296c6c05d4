import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "../../tests/_assert.ts";
import {
  createLocalHandler,
  isLoopback,
  makeToken,
  parseListenAddress,
  viewerUrls,
} from "./local_server.ts";
import { LiveHub } from "./live_hub.ts";
import playerJs from "asciinema-player/dist/bundle/asciinema-player.min.js" with { type: "text" };
import playerCss from "asciinema-player/dist/bundle/asciinema-player.css" with { type: "text" };

function hub(): LiveHub {
  return new LiveHub({
    createTerminal: () => {
      throw new Error("the handler never starts a session");
    },
  });
}

const get = (url: string, headers: Record<string, string> = {}, method = "GET") =>
  new Request(`http://127.0.0.1:8080${url}`, { method, headers });

/** The page's digest asset names, as it refers to them. */
function assetNames(page: string): { js: string; css: string } {
  const js = /src="([^"]+\.js)"/.exec(page)?.[1];
  const css = /href="([^"]+\.css)"/.exec(page)?.[1];
  assert(js && css, "the page names both assets");
  return { js, css };
}

Deno.test("local handler serves the page with title, CSP and digest asset names", async (t) => {
  const handler = await createLocalHandler({ hub: hub(), title: "demo <b>&</b>" });
  for (const path of ["/", "/index.html"]) {
    await t.step(path, async () => {
      const response = handler(get(path));
      assertEquals(response.status, 200);
      assertEquals(response.headers.get("content-type"), "text/html; charset=utf-8");
      assertEquals(response.headers.get("cache-control"), "public, max-age=0, must-revalidate");
      assertMatch(response.headers.get("etag")!, /^W\/"[0-9a-f]{16}"$/);
      const csp = response.headers.get("content-security-policy")!;
      assertStringIncludes(csp, "'wasm-unsafe-eval'");
      assertMatch(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/);
      const page = await response.text();
      assertStringIncludes(page, "<title>demo &#60;b&#62;&#38;&#60;/b&#62;</title>");
      const { js, css } = assetNames(page);
      assertMatch(js, /^asciinema-player\.min\.[0-9a-f]{16}\.js$/);
      assertMatch(css, /^asciinema-player\.[0-9a-f]{16}\.css$/);
    });
  }
});

Deno.test("local handler's CSP hash matches the page's inline script", async () => {
  const handler = await createLocalHandler({ hub: hub() });
  const response = handler(get("/"));
  const page = await response.text();
  const inline = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(inline)),
  );
  const hash = btoa(String.fromCharCode(...digest));
  assertStringIncludes(response.headers.get("content-security-policy")!, `'sha256-${hash}'`);
  assertStringIncludes(page, "<title>asciirec live stream</title>");
});

Deno.test("local handler serves the embedded player files under plain and digest names", async (t) => {
  const handler = await createLocalHandler({ hub: hub() });
  const names = assetNames(await handler(get("/")).text());
  const table: [string, string, string, string][] = [
    ["asciinema-player.min.js", playerJs, "text/javascript; charset=utf-8", "must-revalidate"],
    [names.js, playerJs, "text/javascript; charset=utf-8", "immutable"],
    ["asciinema-player.css", playerCss, "text/css; charset=utf-8", "must-revalidate"],
    [names.css, playerCss, "text/css; charset=utf-8", "immutable"],
  ];
  for (const [name, body, type, cache] of table) {
    await t.step(name, async () => {
      const response = handler(get(`/${name}`));
      assertEquals(response.status, 200);
      assertEquals(response.headers.get("content-type"), type);
      assertStringIncludes(response.headers.get("cache-control")!, cache);
      assertEquals(response.headers.get("vary"), "Accept-Encoding");
      assertEquals(await response.text(), body);
    });
  }
  await t.step("digest cache is for a year", () => {
    assertEquals(
      handler(get(`/${names.js}`)).headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
  });
});

Deno.test("local handler answers If-None-Match with 304", async (t) => {
  const handler = await createLocalHandler({ hub: hub() });
  const etag = handler(get("/asciinema-player.css")).headers.get("etag")!;
  const pageEtag = handler(get("/")).headers.get("etag")!;
  const table: [string, string, string, number][] = [
    ["same tag", "/asciinema-player.css", etag, 304],
    ["strong form of the weak tag", "/asciinema-player.css", etag.replace("W/", ""), 304],
    ["in a list", "/asciinema-player.css", `"nope", ${etag}`, 304],
    ["star", "/asciinema-player.css", "*", 304],
    ["page tag", "/", pageEtag, 304],
    ["other tag", "/asciinema-player.css", 'W/"0000000000000000"', 200],
    ["page tag on an asset", "/asciinema-player.css", pageEtag, 200],
  ];
  for (const [name, path, header, status] of table) {
    await t.step(name, async () => {
      const response = handler(get(path, { "if-none-match": header }));
      assertEquals(response.status, status);
      if (status === 304) {
        assertEquals(await response.text(), "");
        assert(response.headers.get("etag"), "304 carries the ETag");
      } else await response.body?.cancel();
    });
  }
});

Deno.test("local handler answers 404 for anything else and never reads a path", async (t) => {
  const handler = await createLocalHandler({ hub: hub() });
  for (
    const path of [
      "/favicon.ico",
      "/ws/",
      "/index.htm",
      "/../deno.json",
      "/%2e%2e/deno.json",
      "/web/index.html",
      "/asciinema-player.js",
      "/SymbolsNerdFont-Regular.woff2",
      "//asciinema-player.css",
    ]
  ) {
    await t.step(path, async () => {
      const response = handler(get(path));
      assertEquals(response.status, 404);
      assertEquals(await response.text(), "404");
    });
  }
});

Deno.test("local handler refuses other methods and a /ws request without upgrade", async () => {
  const handler = await createLocalHandler({ hub: hub() });
  const post = handler(get("/", {}, "POST"));
  assertEquals([post.status, post.headers.get("allow")], [405, "GET, HEAD"]);
  await post.body?.cancel();
  const head = handler(get("/", {}, "HEAD"));
  assertEquals([head.status, await head.text()], [200, ""]);
  const ws = handler(get("/ws"));
  assertEquals(ws.status, 426);
  await ws.body?.cancel();
});

Deno.test("local handler puts every route under the token and 404s without it", async (t) => {
  const token = makeToken();
  const handler = await createLocalHandler({ hub: hub(), token });
  const table: [string, number][] = [
    ["/", 404],
    ["/index.html", 404],
    ["/asciinema-player.css", 404],
    ["/ws", 404],
    [`/${token.slice(0, -1)}/`, 404],
    [`/${token}x/`, 404],
    [`/x${token}/`, 404],
    [`/${token}/`, 200],
    [`/${token}/index.html`, 200],
    [`/${token}/asciinema-player.css`, 200],
    [`/${token}/ws`, 426],
    [`/${token}/nope`, 404],
  ];
  for (const [path, status] of table) {
    await t.step(path, async () => {
      const response = handler(get(path));
      assertEquals(response.status, status);
      await response.body?.cancel();
    });
  }
  await t.step("the bare token redirects to the page", () => {
    const response = handler(get(`/${token}`));
    assertEquals([response.status, response.headers.get("location")], [301, `/${token}/`]);
  });
});

Deno.test("tokens are 128 random bits in base64url", () => {
  const tokens = new Set(Array.from({ length: 100 }, makeToken));
  assertEquals(tokens.size, 100);
  for (const token of tokens) assertMatch(token, /^[A-Za-z0-9_-]{22}$/);
});

Deno.test("loopback addresses are told apart from the rest", async (t) => {
  const table: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["10.0.0.1", false],
  ];
  for (const [host, loopback] of table) {
    await t.step(host, () => assertEquals(isLoopback(host), loopback));
  }
});

Deno.test("listen addresses parse as IP:PORT only", async (t) => {
  const ok: [string, string, number][] = [
    ["127.0.0.1:0", "127.0.0.1", 0],
    ["0.0.0.0:8080", "0.0.0.0", 8080],
    ["[::1]:65535", "::1", 65535],
    ["[::]:80", "::", 80],
  ];
  for (const [text, hostname, port] of ok) {
    await t.step(text, () => assertEquals(parseListenAddress(text), { hostname, port }));
  }
  for (
    const text of ["localhost:80", "127.0.0.1", "1.2.3.256:80", "127.0.0.1:65536", "[zz]:1", ":80"]
  ) {
    await t.step(`rejects ${text}`, () => {
      assertThrows(() => parseListenAddress(text), TypeError, `Invalid listen address "${text}"`);
    });
  }
});

Deno.test("viewer URLs name reachable addresses and the token path", () => {
  assertEquals(viewerUrls("127.0.0.1", 8080), ["http://127.0.0.1:8080/"]);
  assertEquals(viewerUrls("::1", 80, "tok"), ["http://[::1]:80/tok/"]);
  const all = viewerUrls("0.0.0.0", 8080, "tok");
  assert(all.length > 0);
  for (const url of all) {
    assertMatch(url, /^http:\/\/\d+\.\d+\.\d+\.\d+:8080\/tok\/$/);
    assert(!url.includes("0.0.0.0"), "0.0.0.0 is replaced by reachable addresses");
  }
});

Deno.test("local handler refuses rebound host names and other sites' WebSockets", async (t) => {
  const handler = await createLocalHandler({ hub: hub() });
  const table: [string, string, Record<string, string>, number][] = [
    ["a DNS name", "http://evil.example:8080/", {}, 403],
    ["a DNS name's socket", "http://evil.example:8080/ws", {}, 403],
    ["localhost", "http://localhost:8080/", {}, 200],
    ["IPv6 loopback", "http://[::1]:8080/", {}, 200],
    ["another site's socket", "http://127.0.0.1:8080/ws", { origin: "http://evil.example" }, 403],
    ["another port's socket", "http://127.0.0.1:8080/ws", { origin: "http://127.0.0.1:9" }, 403],
    ["a bogus origin", "http://127.0.0.1:8080/ws", { origin: "null" }, 403],
    ["the page's own socket", "http://127.0.0.1:8080/ws", { origin: "http://127.0.0.1:8080" }, 426],
    ["a socket without origin", "http://127.0.0.1:8080/ws", {}, 426],
  ];
  for (const [name, url, headers, status] of table) {
    await t.step(name, async () => {
      const response = handler(new Request(url, { headers }));
      assertEquals(response.status, status);
      await response.body?.cancel();
    });
  }
  await t.step("a token server accepts any host name", async () => {
    const token = makeToken();
    const withToken = await createLocalHandler({ hub: hub(), token });
    const response = withToken(new Request(`http://myhost.local:8080/${token}/`));
    assertEquals(response.status, 200);
    await response.body?.cancel();
  });
});

Deno.test("local handler gzips the page and assets for clients that accept it", async (t) => {
  const handler = await createLocalHandler({ hub: hub() });
  const table: [string, string | undefined, boolean][] = [
    ["gzip", "gzip, deflate, br", true],
    ["gzip with q", "br;q=1.0, gzip;q=0.5", true],
    ["gzip refused", "gzip;q=0", false],
    ["any", "*", true],
    ["none", undefined, false],
    ["identity", "identity", false],
  ];
  for (const [name, accept, gzipped] of table) {
    await t.step(name, async () => {
      const headers: Record<string, string> = accept === undefined
        ? {}
        : { "accept-encoding": accept };
      const response = handler(get("/asciinema-player.min.js", headers));
      assertEquals(response.headers.get("content-encoding"), gzipped ? "gzip" : null);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const body = gzipped
        ? await new Response(
          new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
        ).text()
        : new TextDecoder().decode(bytes);
      assertEquals(body, playerJs);
      if (gzipped) assert(bytes.length < playerJs.length / 2, "gzip at least halves the player");
    });
  }
});
