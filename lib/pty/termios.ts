/**
 * Terminal settings through libc's termios, for the host terminal: what Deno's own raw mode
 * does not switch.
 *
 * @module
 */
import {
  errno,
  libc,
  OPOST,
  strerror,
  TCSANOW,
  TERMIOS_OFLAG_OFFSET,
  TERMIOS_SIZE,
} from "./_libc.ts";

/**
 * Clears `OPOST` on terminal `fd` (Linux only; elsewhere output stays post-processed, which
 * costs time but not correctness for output that ends lines with `"\r\n"`).
 *
 * @throws {Error} naming the call that failed.
 * @example
 * ```ts
 * import { outputProcessingOff } from "./termios.ts";
 * if (Deno.stdout.isTerminal()) outputProcessingOff(1); // fd 1: stdout
 * ```
 */
export function outputProcessingOff(fd: number): void {
  if (Deno.build.os !== "linux") return;
  const c = libc();
  const termios = new Uint8Array(TERMIOS_SIZE);
  if (c.tcgetattr(fd, termios) !== 0) {
    throw new Error(`cannot read the terminal's settings: tcgetattr: ${strerror(errno())}`);
  }
  const view = new DataView(termios.buffer);
  view.setUint32(
    TERMIOS_OFLAG_OFFSET,
    view.getUint32(TERMIOS_OFLAG_OFFSET, true) & ~OPOST,
    true,
  );
  if (c.tcsetattr(fd, TCSANOW, termios) !== 0) {
    throw new Error(`cannot switch off output processing: tcsetattr: ${strerror(errno())}`);
  }
}
