/**
 * Ports for servers that a test stops and starts again on the same port.
 *
 * @module
 */

/** Linux's default ephemeral range starts here (`/proc/sys/net/ipv4/ip_local_port_range`). */
const EPHEMERAL_START = 32768;
const LOW = 20000;

/**
 * A loopback port that is free now, chosen below the kernel's ephemeral range: a port from
 * that range (what port 0 gives) may be taken, while the server is down, by the local end of
 * any connection or by another test's server on port 0 (then the restart fails with
 * `AddrInUse`). Below it, only a server asking for that very port could take it.
 */
export function restartablePort(): number {
  for (;;) {
    const port = LOW + Math.floor(Math.random() * (EPHEMERAL_START - LOW));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
}
