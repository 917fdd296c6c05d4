/**
 * `asciirec serve`: run a self-hosted relay for live streams and uploads, speaking the
 * asciinema server API subset that the asciinema CLI, asciirec and the asciinema player use.
 *
 * Defaults: listens on `127.0.0.1:4949`; keeps its database and recordings in
 * `$XDG_DATA_HOME/asciirec` (else `~/.local/share/asciirec`). On a loopback address any
 * install id may create streams and upload; on any other address `--install-ids FILE` (one
 * id per line) says who may, unless `--allow-any-install-id` is given.
 *
 * @module
 */
import { Command, Option } from "./command.ts";
import { INSTALL_ID_RE } from "../remote/install_id.ts";
import { Relay } from "../relay/relay.ts";
import { serveHttp } from "../http/server.ts";

/** Connections one relay serves at once (producers, viewers, API calls). */
const RELAY_MAX_CONNECTIONS = 10_000;
import { isLoopback, parseListenAddress, reachableHosts } from "../stream/listen_address.ts";
import { info, setQuiet, warn } from "./_output.ts";
import { raiseOpenFileLimit } from "../base/fd_limit.ts";
import { UsageError } from "./usage_error.ts";
import { addTlsOptions, announceTls, loadServerTls, type TlsFlags } from "./_tls_options.ts";
import { addRedactOptions, type RedactFlags, redactionFrom } from "./_redact_options.ts";
import { loadConfig } from "../config/asciinema_config.ts";

/** The port `asciirec serve` listens on by default. */
export const DEFAULT_RELAY_PORT = 4949;

interface _ServeFlags extends TlsFlags, RedactFlags {
  rewind: boolean;
  maxViewers?: string;
  listen: string;
  dataDir?: string;
  publicUrl?: string;
  installIds?: string;
  allowAnyInstallId?: boolean;
  gracePeriod: string;
  uploadSizeLimit: string;
  liveStreamLimit: string;
  bandwidthLimit: string;
  bandwidthBurst: string;
  notFoundDelay: string;
  recordStreams?: boolean;
  quiet?: boolean;
}

/** The default data directory: `$XDG_DATA_HOME/asciirec`, else `~/.local/share/asciirec`. */
export function defaultDataDir(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  const xdg = env("XDG_DATA_HOME");
  if (xdg) return `${xdg}/asciirec`;
  const home = env("HOME");
  if (!home) throw new UsageError("cannot find a data directory: pass --data-dir DIR or set HOME");
  return `${home}/.local/share/asciirec`;
}

/**
 * Reads an install-id allow-list: one lower-case UUID per line; blank lines and `#` comments
 * are skipped. Throws `SyntaxError` naming the first bad line.
 */
export async function readInstallIdList(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const lines = (await Deno.readTextFile(path)).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    if (!INSTALL_ID_RE.test(line)) {
      throw new SyntaxError(`${path}:${i + 1}: expected a lower-case install id (UUID)`);
    }
    ids.add(line);
  });
  return ids;
}

function _number(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new UsageError(`${flag} must be a number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Builds the `serve` command. */
export function serveCommand(): Command {
  const cmd = new Command("serve")
    .description("run a self-hosted relay for live streams and uploads (asciinema server API)")
    .option(
      "-l, --listen <IP:PORT>",
      `address to listen on (a non-loopback one needs --install-ids)`,
      `127.0.0.1:${DEFAULT_RELAY_PORT}`,
    )
    .option("--data-dir <DIR>", "database and recordings (default: ~/.local/share/asciirec)")
    .option("--public-url <URL>", "base URL clients see, when behind a reverse proxy")
    .option("--install-ids <FILE>", "install ids allowed to stream and upload, one per line")
    .option("--allow-any-install-id", "accept any install id, even on a non-loopback address")
    .option(
      "--grace-period <SECS>",
      "how long a stream stays live after its producer vanished",
      "60",
    )
    .option("--upload-size-limit <BYTES>", "largest recording accepted", String(16 * 1024 * 1024))
    .option("--live-stream-limit <N>", "most live streams per install id (0 = no limit)", "0")
    .option("--bandwidth-limit <BYTES_PER_SEC>", "sustained producer bandwidth", "100000")
    .option(
      "--bandwidth-burst <BYTES>",
      "producer burst allowance (a larger message is refused at once)",
      "16000000",
    )
    .addOption(
      new Option("--not-found-delay <MS>", "delay before 4040 on unknown streams").default("1000")
        .hideHelp(),
    )
    .option("--record-streams", "save each live stream session as a recording")
    .option("--no-rewind", "do not keep live sessions for viewers to rewind")
    .option("--max-viewers <N>", "most viewers of one stream at once (more get a 'full' page)")
    .option("-q, --quiet", "print nothing but errors");
  return addRedactOptions(addTlsOptions(cmd))
    .action(async (flags: _ServeFlags) => {
      if (flags.quiet) setQuiet(true);
      const redaction = await redactionFrom(flags, (await loadConfig()).redact, warn);
      let address;
      try {
        address = parseListenAddress(flags.listen);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const loopback = isLoopback(address.hostname);
      let allowed: Set<string> | undefined;
      if (flags.installIds !== undefined) {
        allowed = await readInstallIdList(flags.installIds);
      } else if (!loopback && !flags.allowAnyInstallId) {
        throw new UsageError(
          `listening on ${flags.listen} (not loopback) needs --install-ids FILE ` +
            "(or --allow-any-install-id to let anyone stream and upload)",
        );
      }
      if (flags.publicUrl !== undefined && !/^https?:\/\/[^/]/.test(flags.publicUrl)) {
        throw new UsageError(`--public-url must be an http(s) URL, got ${flags.publicUrl}`);
      }
      const rate = _number(flags.bandwidthLimit, "--bandwidth-limit", 1);
      let maxViewers: number | undefined;
      if (flags.maxViewers !== undefined) {
        maxViewers = _number(flags.maxViewers, "--max-viewers", 1);
        if (!Number.isInteger(maxViewers)) {
          throw new UsageError("--max-viewers must be a whole number");
        }
      }
      const tls = await loadServerTls(flags, reachableHosts(address.hostname));
      const dataDir = flags.dataDir ?? defaultDataDir();
      const relay = await Relay.open({
        dataDir,
        publicUrl: flags.publicUrl,
        allowedInstallIds: allowed,
        graceMs: _number(flags.gracePeriod, "--grace-period", 0) * 1000,
        maxUploadBytes: _number(flags.uploadSizeLimit, "--upload-size-limit", 1),
        liveStreamLimit: _number(flags.liveStreamLimit, "--live-stream-limit", 0),
        bandwidth: {
          capacity: _number(flags.bandwidthBurst, "--bandwidth-burst", 0),
          refillAmount: rate / 10,
          refillIntervalMs: 100,
        },
        notFoundDelayMs: _number(flags.notFoundDelay, "--not-found-delay", 0),
        recordStreams: flags.recordStreams ?? false,
        rewind: flags.rewind === false ? false : undefined,
        maxViewers,
        redaction: redaction && { rules: redaction.rules, holdMs: redaction.holdMs },
        log: (message) => info(message),
      });
      const controller = new AbortController();
      raiseOpenFileLimit(); // each viewer is a descriptor: up to the hard limit
      let server;
      try {
        server = await serveHttp(relay.handler, {
          hostname: address.hostname,
          port: address.port,
          signal: controller.signal,
          maxConnections: RELAY_MAX_CONNECTIONS,
          tls: tls?.files,
        });
      } catch (error) {
        await relay.close();
        if (tls && !(error instanceof Deno.errors.AddrInUse)) {
          throw new Error(
            `cannot serve TLS with the given certificate and key: ${(error as Error).message}`,
          );
        }
        throw error;
      }
      const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
      if (tls) announceTls(tls);
      const scheme = tls ? "https" : "http";
      info(
        `asciirec relay listening on ${scheme}://${host}:${server.addr.port} (data: ${dataDir})`,
      );
      if (server.maxConnections < RELAY_MAX_CONNECTIONS) {
        warn(
          `the open file limit allows ${server.maxConnections} connections at once ` +
            `(raise it with ulimit -n for up to ${RELAY_MAX_CONNECTIONS})`,
        );
      }
      if (redaction) info(`${redaction.summary}, in every stream and upload`);
      if (!loopback && allowed === undefined) {
        warn("any install id may stream and upload (--allow-any-install-id)");
      }
      let stopping: Promise<void> | undefined;
      const stop = () => {
        stopping ??= (async () => {
          info("shutting down");
          await relay.close();
          controller.abort();
        })();
      };
      const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
      for (const signal of signals) Deno.addSignalListener(signal, stop);
      try {
        await server.finished;
        await stopping;
      } finally {
        for (const signal of signals) Deno.removeSignalListener(signal, stop);
      }
    });
}
