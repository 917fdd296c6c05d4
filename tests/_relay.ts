/**
 * Helpers for the relay's tests: an in-process relay on 127.0.0.1, API calls with Basic
 * auth, and an ALiS viewer that records what it receives.
 *
 * @module
 */
import { checkAlisMagic, decodeAlisMessage } from "../lib/alis/decoder.ts";
import type { AlisMessage } from "../lib/alis/message.ts";
import { cliArgv } from "./_cli.ts";
import { waitUntil } from "./_wait_until.ts";
import { Relay, type RelayOptions } from "../lib/relay/relay.ts";
import { serveHttp } from "../lib/http/server.ts";

// The relay's tests wait with the same poll as every end-to-end test.
export { waitUntil };

/** A relay served on 127.0.0.1 with a temporary data directory. */
export interface TestRelay {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The relay. */
  relay: Relay;
  /** The data directory. */
  dataDir: string;
  /** Shuts the relay and server down (keeps the data directory). */
  stop(): Promise<void>;
  /** Stops, and removes the data directory if it made it. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a relay (fast 4040 delay unless set) on a free port, or on `port`. */
export async function startTestRelay(
  options: Partial<RelayOptions> = {},
  port = 0,
): Promise<TestRelay> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "asciirec-relay-" });
  const relay = await Relay.open({ notFoundDelayMs: 50, ...options, dataDir });
  const server = await serveHttp(relay.handler, { hostname: "127.0.0.1", port });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await relay.close();
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    relay,
    dataDir,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      if (ownDir) await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** A fresh install id. */
export function newInstallId(): string {
  return crypto.randomUUID();
}

/** Calls the relay API as `installId` (no auth header when `installId` is null). */
export async function api(
  base: string,
  method: string,
  path: string,
  installId: string | null,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (installId !== null) headers.authorization = `Basic ${btoa(`test:${installId}`)}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === "" ? null : JSON.parse(text),
    headers: response.headers,
  };
}

/** A stream created live through the API. */
export interface TestStream {
  id: number;
  url: string;
  ws_producer_url: string;
  live: boolean;
}

/** Creates a live stream as `installId`. */
export async function createLiveStream(base: string, installId: string): Promise<TestStream> {
  const { status, json } = await api(base, "POST", "/api/v1/streams", installId, { live: true });
  if (status !== 200) throw new Error(`create stream: ${status} ${JSON.stringify(json)}`);
  return json as TestStream;
}

/** How a WebSocket closed. */
export interface Closed {
  code: number;
  reason: string;
}

/** Resolves when `socket` closes. */
export function closed(socket: WebSocket): Promise<Closed> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve({ code: 1006, reason: "" });
    socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason }), {
      once: true,
    });
  });
}

/** Resolves when `socket` is open (rejects if it closes first). */
export function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("close", (e) => reject(new Error(`closed ${e.code} ${e.reason}`)), {
      once: true,
    });
  });
}

/** An ALiS viewer that keeps every decoded message and the text it was shown. */
export class TestViewer {
  readonly socket: WebSocket;
  readonly messages: AlisMessage[] = [];
  readonly closed: Promise<Closed>;
  magic = false;
  error: Error | undefined;

  constructor(url: string) {
    this.socket = new WebSocket(url, ["v1.alis"]);
    this.socket.binaryType = "arraybuffer";
    this.closed = closed(this.socket);
    this.socket.onmessage = (e) => {
      try {
        const bytes = new Uint8Array(e.data as ArrayBuffer);
        if (!this.magic) {
          checkAlisMagic(bytes);
          this.magic = true;
        } else {
          this.messages.push(decodeAlisMessage(bytes));
        }
      } catch (error) {
        this.error = error as Error;
      }
    };
  }

  /** Everything shown since the last Init: its data plus later output. */
  get screenText(): string {
    let text = "";
    for (const m of this.messages) {
      if (m.type === "init") text = m.initData;
      else if (m.type === "output") text += m.data;
    }
    return text;
  }

  /** Number of Init messages received. */
  get inits(): number {
    return this.messages.filter((m) => m.type === "init").length;
  }

  /** Waits until the text since the last Init contains `text`. */
  async waitForText(text: string, timeoutMs = 10_000): Promise<void> {
    await waitUntil(
      () => this.screenText.includes(text),
      `viewer to see ${JSON.stringify(text)}`,
      timeoutMs,
    );
  }

  /** Closes the socket and waits for the close. */
  async close(): Promise<void> {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close();
    await this.closed;
  }
}

/** An `asciirec serve` process. */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The process. */
  child: Deno.ChildProcess;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** Sends `signal` and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/**
 * Starts `asciirec serve ARGS…` (from source, as a user runs it) and waits for its
 * "listening on" line.
 */
export async function spawnServe(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const [cmd, ...rest] = cliArgv();
  const child = new Deno.Command(cmd!, {
    args: [...rest, "serve", ...args],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const reader = child.stderr.getReader();
  const pump = (async () => {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  })();
  const status = child.status;
  let exited = false;
  status.then(() => (exited = true));
  await waitUntil(
    () => /listening on (http:\/\/\S+)/.test(text) || exited,
    "asciirec serve to listen",
    30_000,
  );
  const m = /listening on (http:\/\/\S+)/.exec(text);
  if (!m) {
    await pump;
    throw new Error(`asciirec serve did not start: ${text}`);
  }
  return {
    url: m[1]!,
    child,
    stderr: () => text,
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!exited) child.kill(signal);
      const { code } = await status;
      await pump;
      return code;
    },
  };
}

/**
 * An environment whose asciinema directories all point into `home` (Deno's own cache stays
 * where it is, or every run would fetch the npm packages again).
 */
export function homeEnv(home: string): Record<string, string> {
  return {
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    HOME: home,
    USER: "tester",
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_STATE_HOME: `${home}/.local/state`,
    XDG_DATA_HOME: `${home}/.local/share`,
    ASCIINEMA_CONFIG_HOME: `${home}/.config/asciinema`,
    ASCIINEMA_STATE_HOME: `${home}/.local/state/asciinema`,
    ASCIINEMA_SERVER_URL: "",
    ASCIINEMA_API_URL: "",
  };
}
