/**
 * Secrets never leave the machine, checked end to end with processes: a session that prints
 * (and echoes as it is typed) the leak corpus is recorded, watched by a local viewer and
 * forwarded to `asciirec serve`, and no secret is found in the file's bytes, its decoded
 * events, a viewer's Init or events, or what the relay keeps; `serve` redacts a producer
 * that is not asciirec by its own policy; clean output from real programs passes byte for
 * byte; `redact --verify` gates files.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { cliArgv, runCli } from "./_cli.ts";
import { homeEnv, spawnServe, TestViewer, waitUntil } from "./_relay.ts";
import { decodeAlisMessage } from "../lib/alis/decoder.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { shellQuote } from "./_shell_quote.ts";

const GITHUB = "ghp_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8";
const AWS_ID = "AKIAZ7QHKXJ2MNOPQRST";
const AWS_SECRET = "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";
const JWT =
  "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYWxpY2UiLCJyb2xlIjoiYWRtaW4ifQ.Qm9vZ3VzU2lnbmF0dXJlVmFsdWU";
const ENV_SECRET = 'my-env-secret-"quoted"-value';
const PASSWORD = "Tr0ub4dor&3";
const PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
const SECRETS = [GITHUB, AWS_ID, AWS_SECRET, JWT, ENV_SECRET, PASSWORD, PEM_BODY];

/** A script printing the corpus in pieces, as programs do: split, coloured, in titles… */
function corpusScript(): string {
  const lines = [
    `printf '%s' "${GITHUB.slice(0, 9)}"`, // the very start of the session, split
    "sleep 0.01", // two reads, within the hold time
    `printf '%s\\r\\n' "${GITHUB.slice(9)}"`,
    `printf 'key \\033[1m${AWS_ID.slice(0, 8)}\\033[0;32m${
      AWS_ID.slice(8)
    }\\033[0m  ${AWS_SECRET}\\r\\n'`,
    `printf '\\033]0;token ${JWT}\\007'`,
    `printf '\\033]7;file://host/srv/${GITHUB}\\007'`,
    `printf 'env: %s\\r\\n' "$SECRET_VAR"`,
    `printf 'db password=${PASSWORD.replace("&", "\\&")}\\r\\n'`,
    `printf -- '-----BEGIN PRIVATE KEY-----\\r\\n${PEM_BODY}\\r\\n-----END PRIVATE KEY-----\\r\\n'`,
    "read line", // typed, echoed one character at a time
    `printf '%s' "${JWT.slice(0, 30)}"`, // the very end, split
    "sleep 0.01", // two reads, within the hold time
    `printf '%s' "${JWT.slice(30)}"`,
  ];
  return lines.join("\n") + "\n";
}

/** Fails naming where a secret (or its JSON-escaped form) turned up. */
function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    assert(!text.includes(secret) && !text.includes(escaped), `${secret} leaked in ${where}`);
  }
}

async function viewerData(url: string, until: () => boolean): Promise<string> {
  const ws = new WebSocket(url, ["v1.alis"]);
  ws.binaryType = "arraybuffer";
  let all = "";
  let input = ""; // apart from the output: interleaved, the one would hide the other
  ws.onmessage = (e) => {
    const bytes = new Uint8Array(e.data);
    if (bytes[0] === 0x41) return;
    const m = decodeAlisMessage(bytes);
    if (m.type === "init") all += m.initData;
    else if (m.type === "output") all += m.data;
    else if (m.type === "input") input += m.data;
  };
  await waitUntil(until, "the session to end");
  ws.close();
  return `${all}\n${input}`;
}

Deno.test({
  name: "no secret reaches the file, a local viewer, the relay or its recording",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir();
    const env = { ...homeEnv(home), SECRET_VAR: ENV_SECRET };
    const serve = await spawnServe([
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      `${home}/relay`,
      "--record-streams",
    ], env);
    const script = `${home}/corpus.sh`;
    await Deno.writeTextFile(script, corpusScript());
    const castPath = `${home}/out.cast`;
    const [cmd, ...rest] = cliArgv();
    const session = new Deno.Command(cmd!, {
      args: [
        ...rest,
        "session",
        "-o",
        castPath,
        "-I",
        "--local",
        "--remote",
        "--server-url",
        serve.url,
        "--headless",
        "--redact-env",
        "SECRET_VAR",
        // The split secrets below come in two reads 10 ms apart: on a loaded machine the
        // gap can outlast the default hold of 30 ms.
        "--redact-hold",
        "500",
        "-c",
        `sleep 1; sh ${shellQuote(script)}`,
      ],
      env,
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const pump = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of session.stderr) stderr += decoder.decode(chunk, { stream: true });
    })();
    let done = false;
    try {
      await waitUntil(() => (stderr.match(/Live streaming at \S+/g) ?? []).length === 2, "URLs");
      const urls = [...stderr.matchAll(/Live streaming at (\S+)/g)].map((m) => m[1]!);
      const local = urls.find((u) => !u.startsWith(serve.url))!;
      const relayPage = urls.find((u) => u.startsWith(serve.url))!;
      const relayWs = `ws://${new URL(relayPage).host}/ws/s/${relayPage.split("/").pop()}`;
      const localSeen = viewerData(`${local.replace("http", "ws")}ws`, () => done);
      const relayViewer = new TestViewer(relayWs);
      // Typed one key at a time, slower than the hold time, then Enter.
      const stdin = session.stdin.getWriter();
      await new Promise((r) => setTimeout(r, 1500));
      for (const key of `password=${PASSWORD}\r`) {
        await stdin.write(new TextEncoder().encode(key));
        await new Promise((r) => setTimeout(r, 60));
      }
      await stdin.close();
      const { code } = await session.status;
      done = true;
      await pump;
      assertEquals(code, 0, stderr);
      assertStringIncludes(stderr, "Redacting secrets: built-in detectors");
      const fileBytes = await Deno.readTextFile(castPath);
      assertNoSecret("the file's bytes", fileBytes);
      const recording = await openRecording(castPath);
      // Output and typed input apart: interleaved, the one would hide the other.
      let events = "";
      let input = "";
      for await (const event of recording.events) {
        if (event.code === "i") input += event.data;
        else events += event.data;
      }
      assertNoSecret("the file's output events", events);
      assertNoSecret("the file's input events", input);
      assertStringIncludes(input, "password=*");
      assert(events.includes("-----BEGIN PRIVATE KEY-----"), "the file has the session");
      assert(events.includes("*".repeat(GITHUB.length)), "secrets became stars");
      const txt = await runCli(["convert", "-f", "txt", castPath, "-"], { env });
      assertEquals(txt.code, 0, txt.stderr);
      assertNoSecret("the txt output", txt.stdout);
      assertStringIncludes(txt.stdout, "-----BEGIN PRIVATE KEY-----");
      assertNoSecret("the local viewer", await localSeen);
      await relayViewer.close();
      const relayStreams = ["", "", ""]; // inits, output, input: each contiguous
      for (const m of relayViewer.messages) {
        if (m.type === "init") relayStreams[0] += m.initData;
        else if (m.type === "output") relayStreams[1] += m.data;
        else if (m.type === "input") relayStreams[2] += m.data;
      }
      assertNoSecret("the relay viewer", relayStreams.join("\n"));
      // What the relay keeps: its recording of the stream.
      let saved = "";
      await waitUntil(async () => {
        const files = [...Deno.readDirSync(`${home}/relay/recordings`)];
        saved = "";
        for (const f of files) {
          saved += await Deno.readTextFile(`${home}/relay/recordings/${f.name}`);
        }
        return saved.includes("PRIVATE KEY");
      }, "the relay's recording");
      assertNoSecret("the relay's recording", saved);
      for (const f of Deno.readDirSync(`${home}/relay/recordings`)) {
        const streams = { o: "", i: "", other: "" };
        for await (
          const event of (await openRecording(`${home}/relay/recordings/${f.name}`)).events
        ) {
          if (event.code === "o") streams.o += event.data;
          else if (event.code === "i") streams.i += event.data;
          else streams.other += event.data;
        }
        assertNoSecret("the relay's recorded events", Object.values(streams).join("\n"));
      }
    } finally {
      await serve.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve redacts a producer that is not asciirec, and uploads, by its own policy",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir();
    const env = homeEnv(home);
    const serve = await spawnServe(["--listen", "127.0.0.1:0", "--data-dir", `${home}/relay`], env);
    try {
      const auth = `Basic ${btoa(`u:${crypto.randomUUID()}`)}`;
      const created = await fetch(`${serve.url}/api/v1/streams`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ live: true }),
      });
      const stream = await created.json() as { url: string; ws_producer_url: string };
      const viewerUrl = `ws://${new URL(stream.url).host}/ws/s/${stream.url.split("/").pop()}`;
      const viewer = new TestViewer(viewerUrl);
      const producer = new WebSocket(stream.ws_producer_url, ["v3.asciicast"]);
      await new Promise((r) => (producer.onopen = r));
      producer.send('{"version": 3, "term": {"cols": 100, "rows": 30}}');
      producer.send(JSON.stringify([0.1, "o", `push ${GITHUB.slice(0, 12)}`]));
      producer.send(JSON.stringify([0.01, "o", `${GITHUB.slice(12)} done\r\n`]));
      producer.send(JSON.stringify([0.01, "o", `aws ${AWS_ID} ${AWS_SECRET}\r\nend\r\n`]));
      await viewer.waitForText("end");
      assertNoSecret("a relay viewer of a v3 producer", viewer.screenText);
      producer.close();
      await viewer.close();

      const form = new FormData();
      const cast = '{"version":2,"width":80,"height":24}\n' +
        JSON.stringify([0.5, "o", `export TOKEN=${JWT}\r\n`]) + "\n";
      form.append("file", new File([cast], "leaky.cast"));
      const upload = await fetch(`${serve.url}/api/v1/recordings`, {
        method: "POST",
        headers: { authorization: auth },
        body: form,
      });
      assertEquals(upload.status, 201);
      const { file_url } = await upload.json() as { file_url: string };
      const stored = await (await fetch(file_url)).text();
      assertNoSecret("an upload", stored);
      assertStringIncludes(stored, "export TOKEN=*");
    } finally {
      await serve.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "a secret typed across a paused recording (ctrl+\\) is redacted whole",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir();
    try {
      const castPath = `${home}/out.cast`;
      const [cmd, ...rest] = cliArgv();
      const rec = new Deno.Command(cmd!, {
        args: [...rest, "rec", "--headless", "-q", "-c", "read line; echo done", castPath],
        env: homeEnv(home),
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const stdin = rec.stdin.getWriter();
      const type = async (text: string) => {
        for (const key of text) {
          await stdin.write(new TextEncoder().encode(key));
          await new Promise((r) => setTimeout(r, 40));
        }
      };
      await new Promise((r) => setTimeout(r, 1000)); // the shell starts
      await type(GITHUB.slice(0, 20)); // echoed as it is typed: held while typing
      await type("\x1c"); // pause: what is held stays held
      await new Promise((r) => setTimeout(r, 2000)); // past the typing hold (1 s)
      await type("\x1c"); // resume
      await type(`${GITHUB.slice(20)}\r`);
      await stdin.close();
      const { code, stderr } = await rec.output();
      assertEquals(code, 0, new TextDecoder().decode(stderr));
      const fileBytes = await Deno.readTextFile(castPath);
      assertNoSecret("the file's bytes", fileBytes);
      let events = "";
      for await (const event of (await openRecording(castPath)).events) events += event.data;
      assertNoSecret("the file's events", events);
      for (const part of [GITHUB.slice(0, 20), GITHUB.slice(20)]) {
        assert(!events.includes(part), `${part} leaked`);
      }
      assertStringIncludes(events, "*".repeat(GITHUB.length));
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("clean output of real programs passes byte for byte", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const programs: [string, string, string?][] = [
      ["ls -la /usr/lib", "ls -la /usr/lib"],
      [
        "git log",
        `git --no-pager -C ${shellQuote(new URL("..", import.meta.url).pathname)} log -n 40 --stat`,
      ],
      ["vim", "vim -u NONE -i NONE -n -N /etc/os-release", ":q\r"],
      ["htop", "htop -d 5", "q"],
    ];
    for (const [name, command, keys] of programs) {
      const program = command.split(" ")[0]!;
      const found = await new Deno.Command("sh", { args: ["-c", `command -v ${program}`] })
        .output();
      if (!found.success) {
        if (Deno.env.get("CI")) throw new Error(`${program} is missing in CI`);
        continue;
      }
      await t.step(name, async () => {
        const plain = `${dir}/${program}.cast`;
        // Without redaction, then the same recording through every rule: nothing changes.
        const rec = await runCli([
          "rec",
          "--headless",
          "-q",
          "--no-redact-builtin",
          "--window-size",
          "120x40",
          "-c",
          keys ? `(sleep 1.5; printf '${keys}') | ${command}` : command,
          plain,
        ], { env: { TERM: "xterm-256color" } });
        assertEquals(rec.code, 0, rec.stderr);
        const verify = await runCli(["redact", "--verify", plain]);
        assertEquals(verify.code, 0, verify.stdout + verify.stderr);
        const redacted = await runCli(["redact", "-q", plain, `${dir}/${program}-r.cast`]);
        assertEquals(redacted.code, 0, redacted.stderr);
        const a = await openRecording(plain);
        const b = await openRecording(`${dir}/${program}-r.cast`);
        const ea = [];
        for await (const e of a.events) ea.push(e);
        const eb = [];
        for await (const e of b.events) eb.push(e);
        assert(ea.length > 1, "recorded something");
        assertEquals(eb.map((e) => e.data), ea.map((e) => e.data));
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("redact --verify lists what it finds without printing it, and passes clean files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const leaky = `${dir}/leaky.cast`;
    await Deno.writeTextFile(
      leaky,
      '{"version":3,"term":{"cols":80,"rows":24},"title":"' + GITHUB + '"}\n' +
        JSON.stringify([1.5, "o", `token ${GITHUB}\r\n`]) + "\n" +
        JSON.stringify([0.5, "o", "nothing\r\n"]) + "\n" +
        JSON.stringify([0.5, "i", `password=${PASSWORD}\r`]) + "\n",
    );
    const clean = `${dir}/clean.cast`;
    await Deno.writeTextFile(
      clean,
      '{"version":3,"term":{"cols":80,"rows":24}}\n[0.1, "o", "hi"]\n',
    );
    const found = await runCli(["redact", "--verify", leaky, clean]);
    assertEquals(found.code, 1);
    assertNoSecret("the report", found.stdout + found.stderr);
    assertEquals(found.stdout.trim().split("\n"), [
      `${leaky}: header title: github-token, 40 characters`,
      `${leaky}: 00:01.500 event 1 (o): github-token, 40 characters`,
      `${leaky}: 00:02.500 event 3 (i): password-assignment, ${PASSWORD.length} characters`,
    ]);
    assertStringIncludes(found.stderr, `${clean}: no secrets found`);
    assertEquals((await runCli(["redact", "--verify", clean])).code, 0);
    const bad = await runCli(["redact", "--verify", "--redact", "(x", clean]);
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, 'invalid redaction pattern "(x"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
