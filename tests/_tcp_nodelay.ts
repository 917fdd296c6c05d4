/**
 * TCP_NODELAY of one of this process's connected sockets, read with getsockopt: the one whose
 * local port is `localPort` (a server's accepted connection) or whose peer's port is
 * `remotePort` (a client's connection to a server of this process).
 *
 * @module
 */
import { assertEquals } from "./_assert.ts";

/** 1 when Nagle's algorithm is off on the socket, 0 when it is on. */
export function tcpNoDelay(which: { localPort: number } | { remotePort: number }): number {
  const [column, port] = "localPort" in which ? [1, which.localPort] : [2, which.remotePort];
  // The socket's inode, from the kernel's table (that port, established), and this process's
  // descriptor of it.
  const fds = Deno.readTextFileSync("/proc/self/net/tcp").split("\n").slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) =>
      f.length > 9 && parseInt(f[column]!.split(":")[1]!, 16) === port && f[3] === "01"
    )
    .map((f) => socketFd(f[9]!))
    .filter((fd) => fd !== undefined);
  assertEquals(fds.length, 1, "one such connection of this process");
  const fd = fds[0]!;
  const libc = Deno.dlopen("libc.so.6", {
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  });
  try {
    const value = new Int32Array(1);
    const length = new Uint32Array([4]);
    assertEquals(
      libc.symbols.getsockopt(fd, 6, /* IPPROTO_TCP */ 1, /* TCP_NODELAY */ value, length),
      0,
    );
    return value[0]!;
  } finally {
    libc.close();
  }
}

/** This process's descriptor of the socket with `inode`, if it has one. */
function socketFd(inode: string): number | undefined {
  return [...Deno.readDirSync("/proc/self/fd")].map((e) => Number(e.name)).find((n) => {
    try {
      return Deno.readLinkSync(`/proc/self/fd/${n}`) === `socket:[${inode}]`;
    } catch {
      return false;
    }
  });
}
