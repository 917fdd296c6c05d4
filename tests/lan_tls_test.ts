/**
 * TLS for `stream --local` and `serve`: a self-signed certificate made in memory (its
 * fingerprint printed) and a given one made here with openssl; `curl --cacert` checks the
 * page, a Deno WebSocket (run with `--cert`) checks WSS; without TLS nothing answers HTTPS;
 * a key file others can read gets ssh's warning.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { cliArgv, TEST_ENV } from "./_cli.ts";
import { LiveCli } from "./_live_cli.ts";
import { waitUntil } from "./_wait_until.ts";
import { skipWithoutPeer } from "./_peers.ts";

const CURL = "/usr/bin/curl";
const OPENSSL = "/usr/bin/openssl";

async function run(cmd: string, args: string[], stdin?: string) {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** The certificate a TLS server presents, as PEM (read with openssl s_client). */
async function presentedCertificate(port: number): Promise<string> {
  const out = await run(OPENSSL, ["s_client", "-connect", `127.0.0.1:${port}`], "");
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(out.stdout);
  assert(m, `no certificate presented: ${out.stderr}`);
  return m[0];
}

async function fingerprint(pemPath: string): Promise<string> {
  const out = await run(OPENSSL, ["x509", "-in", pemPath, "-noout", "-fingerprint", "-sha256"]);
  return out.stdout.trim().split("=")[1]!;
}

/** Opens `url` with Deno's own WebSocket in a process that trusts `cert`; returns what it saw. */
async function wssText(url: string, cert: string, dir: string): Promise<string> {
  const script = `${dir}/wss.ts`;
  await Deno.writeTextFile(
    script,
    `import { decodeAlisMessage } from ${
      JSON.stringify(new URL("../lib/alis/decoder.ts", import.meta.url).href)
    };
const socket = new WebSocket(Deno.args[0], ["v1.alis"]);
socket.binaryType = "arraybuffer";
let n = 0;
socket.onmessage = (e) => {
  if (n++ === 0) return; // the magic
  const m = decodeAlisMessage(new Uint8Array(e.data));
  if (m.type === "init") { console.log(socket.protocol, m.initData); socket.close(); }
};
socket.onerror = (e) => { console.log("error", e.message); };
`,
  );
  const out = await run(Deno.execPath(), [
    "run",
    "--quiet",
    "--allow-net",
    "--allow-read",
    "--cert",
    cert,
    script,
    url,
  ]);
  return out.stdout + out.stderr;
}

Deno.test({
  name: "stream --local --tls serves HTTPS and WSS with a self-signed certificate it prints",
  ignore: skipWithoutPeer(CURL) || skipWithoutPeer(OPENSSL),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "asciirec-tls-" });
    const cli = new LiveCli([
      "stream",
      "--local",
      "--tls",
      "--headless",
      "-c",
      "echo tls-hello; read a",
    ]);
    try {
      const url = await cli.url();
      assertMatch(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const printed = /SHA-256 fingerprint: (\S+)/.exec(cli.stderr)?.[1];
      assert(printed, cli.stderr);
      const port = Number(new URL(url).port);
      await Deno.writeTextFile(`${dir}/cert.pem`, await presentedCertificate(port));
      // The certificate served is the one whose fingerprint was printed.
      assertEquals(await fingerprint(`${dir}/cert.pem`), printed);

      const page = await run(CURL, ["-sS", "--cacert", `${dir}/cert.pem`, url]);
      assertEquals(page.code, 0, page.stderr);
      assertStringIncludes(page.stdout, "<title>asciirec live stream</title>");
      // Without the certificate, curl refuses it: it is not trusted by default.
      assert((await run(CURL, ["-sS", url])).code !== 0, "an untrusted certificate");
      // Plain HTTP on the TLS port gets nothing.
      assert((await run(CURL, ["-sS", url.replace("https:", "http:")])).code !== 0);

      await waitUntil(() => cli.stderr.includes("Live streaming"), "the session");
      const seen = await wssText(url.replace("https:", "wss:") + "ws", `${dir}/cert.pem`, dir);
      assertStringIncludes(seen, "v1.alis");
      assertStringIncludes(seen, "tls-hello");
      await cli.type("\n");
      assertEquals(await cli.exit(), 0);
    } finally {
      try {
        cli.child.kill();
      } catch {
        // exited
      }
      await cli.exit();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "stream --local with a given certificate (openssl) warns about an open key; without TLS nothing answers HTTPS",
  ignore: skipWithoutPeer(CURL) || skipWithoutPeer(OPENSSL),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "asciirec-tls-" });
    try {
      const made = await run(OPENSSL, [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
      ]);
      assertEquals(made.code, 0, made.stderr);
      await Deno.chmod(`${dir}/key.pem`, 0o644);
      const cli = new LiveCli([
        "stream",
        "--local",
        "--tls-cert",
        `${dir}/cert.pem`,
        "--tls-key",
        `${dir}/key.pem`,
        "--headless",
        "-c",
        "echo given-cert; read a",
      ]);
      const url = await cli.url();
      assertStringIncludes(cli.stderr, "UNPROTECTED PRIVATE KEY FILE");
      assertStringIncludes(cli.stderr, `chmod 600 ${dir}/key.pem`);
      assertStringIncludes(cli.stderr, await fingerprint(`${dir}/cert.pem`));
      const page = await run(CURL, ["-sS", "--cacert", `${dir}/cert.pem`, url]);
      assertEquals(page.code, 0, page.stderr);
      assertStringIncludes(page.stdout, "<title>");
      const seen = await wssText(url.replace("https:", "wss:") + "ws", `${dir}/cert.pem`, dir);
      assertStringIncludes(seen, "given-cert");
      await cli.type("\n");
      assertEquals(await cli.exit(), 0);

      // A key only its owner reads: no warning.
      await Deno.chmod(`${dir}/key.pem`, 0o600);
      const quiet = new LiveCli([
        "stream",
        "--local",
        "--tls-cert",
        `${dir}/cert.pem`,
        "--tls-key",
        `${dir}/key.pem`,
        "--headless",
        "-c",
        "true",
      ]);
      await quiet.url();
      assertEquals(await quiet.exit(), 0);
      assert(!quiet.stderr.includes("UNPROTECTED"), quiet.stderr);

      // No TLS flag: plain HTTP only.
      const plain = new LiveCli(["stream", "--local", "--headless", "-c", "read a"]);
      const plainUrl = await plain.url();
      assertMatch(plainUrl, /^http:\/\//);
      const https = await run(CURL, ["-sSk", plainUrl.replace("http:", "https:")]);
      assert(https.code !== 0, "nothing answers HTTPS");
      assertEquals((await run(CURL, ["-sS", "-o", "/dev/null", plainUrl])).code, 0);
      await plain.type("\n");
      assertEquals(await plain.exit(), 0);

      // A certificate without its key is a usage error.
      const half = await run(cliArgv()[0]!, [
        ...cliArgv().slice(1),
        "stream",
        "--local",
        "--tls-cert",
        `${dir}/cert.pem`,
        "-c",
        "true",
      ]);
      assertEquals(half.code, 2, half.stderr);
      assertStringIncludes(half.stderr, "--tls-cert and --tls-key go together");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve --tls-cert/--tls-key serves the relay over HTTPS",
  ignore: skipWithoutPeer(CURL) || skipWithoutPeer(OPENSSL),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "asciirec-tls-serve-" });
    const made = await run(OPENSSL, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
    ]);
    assertEquals(made.code, 0, made.stderr);
    const [cmd, ...rest] = cliArgv();
    const child = new Deno.Command(cmd!, {
      args: [
        ...rest,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        `${dir}/data`,
        "--tls-cert",
        `${dir}/cert.pem`,
        "--tls-key",
        `${dir}/key.pem`,
      ],
      env: TEST_ENV,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const pump = (async () => {
      for await (const t of child.stderr.pipeThrough(new TextDecoderStream())) stderr += t;
    })();
    try {
      await waitUntil(() => /listening on https:\/\/\S+/.test(stderr), "serve to listen", 30_000);
      const url = /listening on (https:\/\/\S+)/.exec(stderr)![1]!;
      const root = await run(CURL, ["-sS", "--cacert", `${dir}/cert.pem`, `${url}/`]);
      assertEquals(root.code, 0, root.stderr);
      assertStringIncludes(root.stdout, "asciirec relay");
      assertStringIncludes(stderr, await fingerprint(`${dir}/cert.pem`));
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await pump;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
