/**
 * `--tls`, `--tls-cert FILE` and `--tls-key FILE`, shared by the servers (`stream --local`,
 * `session --local`, `serve`): a given certificate and key, read once, with a warning when
 * the key can be read by other users (as ssh warns); or, with `--tls` alone, a self-signed
 * certificate made in memory for the addresses viewers use.
 *
 * @module
 */
import { type Command, Option } from "./command.ts";
import type { TlsFiles } from "../http/server.ts";
import { info, warn } from "./_output.ts";
import { UsageError } from "./usage_error.ts";

/** The parsed TLS flags. */
export interface TlsFlags {
  /** `--tls`. */
  tls?: boolean;
  /** `--tls-cert FILE`. */
  tlsCert?: string;
  /** `--tls-key FILE`. */
  tlsKey?: string;
}

/** A certificate to serve, ready for the server. */
export interface ServerTls {
  /** The PEM files. */
  files: TlsFiles;
  /** SHA-256 fingerprint of the certificate. */
  fingerprint: string;
  /** Made in memory (`--tls` alone). */
  selfSigned: boolean;
}

/** Adds `--tls`, `--tls-cert` and `--tls-key`. */
export function addTlsOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--tls",
        "serve HTTPS/WSS; without --tls-cert, with a self-signed certificate made in memory",
      ),
    )
    .option("--tls-cert <FILE>", "serve HTTPS/WSS with this certificate (PEM; with --tls-key)")
    .option("--tls-key <FILE>", "the certificate's private key (PEM)");
}

/** Whether any TLS flag was given. */
export function wantsTls(flags: TlsFlags): boolean {
  return Boolean(flags.tls || flags.tlsCert !== undefined || flags.tlsKey !== undefined);
}

/**
 * The certificate the flags ask for, or `undefined` without TLS flags. A self-signed one is
 * valid for `localhost`, this machine's name and every address in `addresses`.
 *
 * @throws {UsageError} for a certificate without a key (or a key without one).
 */
export async function loadServerTls(
  flags: TlsFlags,
  addresses: string[],
): Promise<ServerTls | undefined> {
  if (!wantsTls(flags)) return undefined;
  const { certificateFingerprint, selfSignedCertificate } = await import(
    "../http/self_signed.ts"
  );
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) {
    const dnsNames = ["localhost"];
    try {
      const host = Deno.hostname();
      if (/^[A-Za-z0-9.-]+$/.test(host) && host !== "localhost") dnsNames.push(host);
    } catch {
      // No --allow-sys: localhost and the addresses are enough.
    }
    const ipAddresses = [...new Set(["127.0.0.1", "::1", ...addresses])]
      .filter((a) => a !== "0.0.0.0" && a !== "::");
    const made = await selfSignedCertificate({ dnsNames, ipAddresses });
    return {
      files: { cert: made.cert, key: made.key },
      fingerprint: made.fingerprint,
      selfSigned: true,
    };
  }
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new UsageError(
      "--tls-cert and --tls-key go together (or --tls alone for a self-signed one)",
    );
  }
  const read = async (path: string, flag: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new Error(`cannot read ${flag} ${path}: ${(error as Error).message}`);
    }
  };
  const cert = await read(flags.tlsCert, "--tls-cert");
  const key = await read(flags.tlsKey, "--tls-key");
  warnIfKeyIsOpen(flags.tlsKey);
  let fingerprint: string;
  try {
    fingerprint = await certificateFingerprint(cert);
  } catch {
    throw new Error(`${flags.tlsCert}: not a PEM certificate`);
  }
  return { files: { cert, key }, fingerprint, selfSigned: false };
}

/**
 * Warns, as ssh does for its keys, when a private key file can be read or written by its
 * group or by others.
 */
export function warnIfKeyIsOpen(path: string): void {
  let mode: number | null;
  try {
    mode = Deno.statSync(path).mode;
  } catch {
    return;
  }
  if (mode === null || (mode & 0o077) === 0) return;
  const octal = (mode & 0o777).toString(8).padStart(4, "0");
  warn(
    `UNPROTECTED PRIVATE KEY FILE: permissions ${octal} for ${path} are too open: other ` +
      `users can read it. Run: chmod 600 ${path}`,
  );
}

/** Prints the certificate's fingerprint (and, for a self-signed one, what viewers will see). */
export function announceTls(tls: ServerTls): void {
  if (tls.selfSigned) {
    info(
      "TLS with a self-signed certificate made for this run: browsers will warn; viewers " +
        "can check that it is this one",
    );
  }
  info(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint}`);
}
