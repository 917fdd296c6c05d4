/**
 * A self-signed TLS certificate made in memory (`--tls` without a certificate): an ECDSA
 * P-256 key pair from WebCrypto and an X.509 v3 certificate encoded here in DER (a few dozen
 * lines, so no dependency), valid for the names and addresses viewers use. Nothing is
 * written to disk; the SHA-256 fingerprint lets viewers check what their browser shows.
 *
 * @module
 */
import {
  derBits,
  derElement,
  derExplicit,
  derOctets,
  derOid,
  derSequence,
  derSet,
  derSmall,
  derTime,
  derTrue,
  derUnsigned,
  derUtf8,
} from "./_der.ts";
import type { TlsFiles } from "./server.ts";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

/** Options for {@linkcode selfSignedCertificate}. */
export interface SelfSignedOptions {
  /** DNS names the certificate is valid for. Default `["localhost"]`. */
  dnsNames?: string[];
  /** IP addresses (v4 or v6) it is valid for. Default `["127.0.0.1", "::1"]`. */
  ipAddresses?: string[];
  /** Days it stays valid from now. Default 90. */
  days?: number;
  /** The subject's common name. Default `"asciirec"`. */
  commonName?: string;
}

/** A made certificate: the PEM files and the fingerprint to show. */
export interface SelfSigned extends TlsFiles {
  /** SHA-256 of the certificate's DER, as colon-separated upper-case hex (as openssl and browsers show it). */
  fingerprint: string;
}

/**
 * Makes a self-signed certificate and its key.
 *
 * @example
 * ```ts
 * import { selfSignedCertificate } from "./self_signed.ts";
 * const { cert, key, fingerprint } = await selfSignedCertificate({ ipAddresses: ["127.0.0.1"] });
 * cert.startsWith("-----BEGIN CERTIFICATE-----"); // true
 * ```
 */
export async function selfSignedCertificate(options: SelfSignedOptions = {}): Promise<SelfSigned> {
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const algorithm = derSequence(derOid(OID.ecdsaWithSha256));
  const name = derSequence(
    derSet(derSequence(derOid(OID.organization), derUtf8("asciirec"))),
    derSet(derSequence(derOid(OID.commonName), derUtf8(options.commonName ?? "asciirec"))),
  );
  const now = Date.now();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f;
  const names = [
    ...(options.dnsNames ?? ["localhost"]).map((n) =>
      derElement(0x82, new TextEncoder().encode(n))
    ),
    ...(options.ipAddresses ?? ["127.0.0.1", "::1"]).map((ip) => derElement(0x87, ipBytes(ip))),
  ];
  const extensions = derSequence(
    derSequence(derOid(OID.basicConstraints), derTrue(), derOctets(derSequence())),
    // digitalSignature only (bit 0).
    derSequence(derOid(OID.keyUsage), derTrue(), derOctets(derBits(new Uint8Array([0x80]), 7))),
    derSequence(derOid(OID.extKeyUsage), derOctets(derSequence(derOid(OID.serverAuth)))),
    derSequence(derOid(OID.subjectAltName), derOctets(derSequence(...names))),
  );
  const tbs = derSequence(
    derExplicit(0, derSmall(2)), // v3
    derUnsigned(serial),
    algorithm,
    name,
    // An hour back, for clocks a little behind.
    derSequence(
      derTime(new Date(now - 3600_000)),
      derTime(new Date(now + (options.days ?? 90) * 86_400_000)),
    ),
    name,
    spki,
    derExplicit(3, extensions),
  );
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, tbs),
  );
  // WebCrypto signs as r‖s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const signature = derSequence(derUnsigned(raw.subarray(0, 32)), derUnsigned(raw.subarray(32)));
  const der = derSequence(tbs, algorithm, derBits(signature));
  return {
    cert: pem("CERTIFICATE", der),
    key: pem("PRIVATE KEY", pkcs8),
    fingerprint: await certificateFingerprint(der),
  };
}

/**
 * The SHA-256 fingerprint of a certificate (DER bytes, or PEM text), as `AB:CD:…`.
 *
 * @example
 * ```ts
 * import { certificateFingerprint } from "./self_signed.ts";
 * const fingerprint = await certificateFingerprint(new Uint8Array([1, 2, 3]));
 * fingerprint.split(":").length; // 32
 * ```
 */
export async function certificateFingerprint(cert: Uint8Array | string): Promise<string> {
  const der = typeof cert === "string" ? pemBytes(cert) : cert;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** PEM armour around DER bytes. */
function pem(label: string, der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER bytes of the first PEM block. */
function pemBytes(text: string): Uint8Array {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END/.exec(text);
  if (!m) throw new SyntaxError("not a PEM file (no -----BEGIN … -----END block)");
  return Uint8Array.from(atob(m[1]!.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}

/**
 * The 4 or 16 bytes of an IPv4 or IPv6 address.
 *
 * @example
 * ```ts
 * import { ipBytes } from "./self_signed.ts";
 * ipBytes("192.168.1.2"); // Uint8Array [192, 168, 1, 2]
 * ipBytes("::1").length; // 16
 * ```
 */
export function ipBytes(address: string): Uint8Array {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    return new Uint8Array(address.split(".").map(Number));
  }
  const bare = address.replace(/%.*$/, "");
  const [head, tail] = bare.includes("::") ? bare.split("::") : [bare, undefined];
  const words = (part: string | undefined): number[] => {
    if (!part) return [];
    return part.split(":").flatMap((w) => {
      if (w.includes(".")) {
        const [a, b, c, d] = w.split(".").map(Number) as [number, number, number, number];
        return [(a << 8) | b, (c << 8) | d];
      }
      return [parseInt(w, 16)];
    });
  };
  const front = words(head);
  const back = words(tail);
  if (tail === undefined && front.length !== 8) {
    throw new TypeError(`not an IP address: ${address}`);
  }
  const all = [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff))) {
    throw new TypeError(`not an IP address: ${address}`);
  }
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}
