/**
 * Listen addresses as users give them (`IP:PORT`), and telling loopback from the rest: the
 * small part of the servers that the command line needs before anything is served.
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
