/**
 * Listen addresses as users give them (`IP:PORT`), telling loopback from the rest, the
 * addresses viewers can reach, and the rule for a URL token a user chooses: the small part
 * of the servers that the command line needs before anything is served.
 *
 * @module
 */

/** Whether `hostname` is a loopback address (127.0.0.0/8, ::1). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return host === "::1" || host === "0:0:0:0:0:0:0:1";
}

/** A socket address to listen on. */
export interface ListenAddress {
  /** IPv4 or IPv6 address (IPv6 without brackets). */
  hostname: string;
  /** TCP port; 0 = any free port. */
  port: number;
}

/**
 * Parses `IP:PORT` (`127.0.0.1:8080`, `0.0.0.0:0`, `[::1]:8080`). Host names are not
 * accepted, as in asciinema. Throws `TypeError` with the reason.
 *
 * @example
 * ```ts
 * import { parseListenAddress } from "./local_server.ts";
 * parseListenAddress("0.0.0.0:8080"); // { hostname: "0.0.0.0", port: 8080 }
 * ```
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text);
  const fail = (why: string) =>
    new TypeError(`Invalid listen address "${text}": ${why} (expected IP:PORT, e.g. 0.0.0.0:8080)`);
  if (!m) throw fail("not an IP:PORT socket address");
  const port = Number(m[3]);
  if (port > 65535) throw fail("port out of range");
  if (m[2] !== undefined) {
    if (m[2].split(".").some((part) => Number(part) > 255)) throw fail("bad IPv4 address");
    return { hostname: m[2], port };
  }
  try {
    new URL(`http://[${m[1]}]/`);
  } catch {
    throw fail("bad IPv6 address");
  }
  return { hostname: m[1]!, port };
}

/**
 * The addresses viewers can reach a server bound to `hostname` at: every interface address
 * for a wildcard address (IPv4 only for `0.0.0.0`; IPv6 link-local addresses, which need a
 * zone, are left out), else `hostname` itself.
 *
 * @example
 * ```ts
 * import { reachableHosts } from "./listen_address.ts";
 * reachableHosts("192.168.1.20"); // ["192.168.1.20"]
 * ```
 */
export function reachableHosts(hostname: string): string[] {
  if (hostname !== "0.0.0.0" && hostname !== "::") return [hostname];
  let hosts: string[] = [];
  try {
    hosts = Deno.networkInterfaces()
      .filter((i) =>
        !isLoopback(i.address) &&
        (i.family === "IPv4" || (hostname === "::" && !/^fe[89ab]/i.test(i.address)))
      )
      .map((i) => i.address);
  } catch {
    // No --allow-sys: fall back to the loopback address below.
  }
  return hosts.length > 0 ? [...new Set(hosts)] : ["127.0.0.1"];
}

/**
 * Checks a URL token a user chose (`--token`): URL-safe characters only, and at least 128
 * bits if it were random — 22 base64url characters, or 32 hex digits for a hex token, 39
 * digits for a decimal one. Returns a reason when it is refused.
 *
 * @example
 * ```ts
 * import { tokenProblem } from "./listen_address.ts";
 * tokenProblem("0123456789abcdef0123456789abcdef"); // undefined
 * tokenProblem("secret"); // "…is 6 characters, about 36 bits; …"
 * ```
 */
export function tokenProblem(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) {
    return "a token may only hold letters, digits, '-' and '_' (it goes into the URL)";
  }
  const bitsPerChar = /^[0-9]+$/.test(token)
    ? Math.log2(10)
    : /^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)
    ? 4
    : 6;
  const bits = Math.floor(token.length * bitsPerChar);
  if (bits < 128) {
    return `the token is ${token.length} characters, about ${bits} bits; at least 128 are ` +
      "needed (22 base64url characters or 32 hex digits)";
  }
  return undefined;
}
