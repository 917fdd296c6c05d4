/**
 * The loop of the PTY's read thread: it reads the master into a ring of shared memory as
 * fast as the child writes, and waits in `poll` (blocking its own thread only) when there is
 * nothing to read. The owner takes the reads out of the ring on the main thread, one by one.
 * Both sides coordinate through a few control words with `Atomics`; nothing is posted per
 * read.
 *
 * It runs in the worker `_read_thread_worker.ts` (see `_read_thread.ts`); tests run it on
 * their own thread too, on a pipe.
 *
 * @module
 */
import { EAGAIN, EINTR, EIO, errno, libc, pollFds, POLLIN } from "./_libc.ts";

/** Control word: reads the loop has put in the ring so far (modulo 2^32). */
export const PUSHED = 0;
/** Control word: reads the owner has taken out so far (modulo 2^32). */
export const POPPED = 1;
/** Control word: bytes the owner has taken out so far (modulo 2^32). */
export const TAKEN = 2;
/** Control word: set by the owner to {@linkcode DRAIN} or {@linkcode QUIT}. */
export const STOP = 3;
/**
 * Control word: {@linkcode RUNNING} until the loop ends with {@linkcode ENDED} or
 * {@linkcode FAILED}.
 */
export const STATE = 4;
/** Control word: the errno of the read that failed. */
export const ERROR = 5;
/** Control words in all. */
export const CONTROL_WORDS = 6;

/** Stop request: read what the master holds now, then end. */
export const DRAIN = 1;
/** Stop request: end at once. */
export const QUIT = 2;

/** State: the loop runs. */
export const RUNNING = 0;
/** State: the loop ended (end of file, hang-up or a stop request); the ring has the rest. */
export const ENDED = 1;
/** State: a read failed with {@linkcode ERROR}; the ring has what came before. */
export const FAILED = 2;

/** What the loop needs: the descriptors and the shared memory. */
export interface ReadLoopStart {
  /** The descriptor to read (non-blocking). */
  fd: number;
  /** A descriptor that becomes readable when the owner wants the loop to stop waiting. */
  wake: number;
  /** The ring of bytes read: its size is a power of two. */
  ring: SharedArrayBuffer;
  /**
   * Where each read ends (32-bit byte counts, modulo 2^32), a ring too: the owner takes the
   * bytes one read at a time, as it would read them itself. Its length is a power of two.
   */
  ends: SharedArrayBuffer;
  /** {@linkcode CONTROL_WORDS} 32-bit words. */
  control: SharedArrayBuffer;
}

/**
 * Reads `fd` into the ring until end of file, a hang-up (`EIO`), a failed read or a stop
 * request, then sets {@linkcode STATE} (also when it throws: {@linkcode FAILED}, error 0).
 * A full ring makes it wait for the owner to take (so the child waits on the terminal, as
 * it would for a slow real one).
 *
 * @example
 * ```ts ignore
 * const [ring, ends] = [new SharedArrayBuffer(1 << 20), new SharedArrayBuffer(4 << 10)];
 * const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
 * readLoop({ fd, wake, ring, ends, control }); // blocks this thread until the loop ends
 * ```
 */
export function readLoop(start: ReadLoopStart): void {
  const words = new Int32Array(start.control);
  let state = FAILED;
  try {
    state = _loop(start, words);
  } finally {
    // However it ends (a throw included), the owner learns it.
    Atomics.store(words, STATE, state);
    Atomics.notify(words, STATE);
    Atomics.notify(words, PUSHED);
  }
}

function _loop(start: ReadLoopStart, words: Int32Array): number {
  const lib = libc();
  const bytes = new Uint8Array(start.ring);
  const ends = new Int32Array(start.ends);
  const fds = pollFds([start.fd, POLLIN], [start.wake, POLLIN]);
  const revents = new Int16Array(fds.buffer);
  let written = 0;
  let pushed = 0;
  let draining = false;
  for (;;) {
    const stop = Atomics.load(words, STOP);
    if (stop === QUIT) return ENDED;
    if (stop === DRAIN) draining = true;
    const taken = Atomics.load(words, TAKEN);
    const free = bytes.length - ((written - taken) | 0);
    if (free === 0 || ((pushed - Atomics.load(words, POPPED)) | 0) === ends.length) {
      // Full: wait for the owner to take a read (it moves TAKEN), or to ask the loop to stop.
      Atomics.wait(words, TAKEN, taken);
      continue;
    }
    const at = written & (bytes.length - 1);
    const room = Math.min(free, bytes.length - at);
    const n = Number(lib.read(start.fd, bytes.subarray(at, at + room), BigInt(room)));
    if (n > 0) {
      written = (written + n) | 0;
      ends[pushed & (ends.length - 1)] = written;
      pushed = (pushed + 1) | 0;
      Atomics.store(words, PUSHED, pushed);
      Atomics.notify(words, PUSHED);
      continue;
    }
    if (n === 0) return ENDED;
    const code = errno();
    if (code === EINTR) continue;
    if (code === EIO) return ENDED; // hung up: no process has the terminal open any more
    if (code !== EAGAIN) {
      Atomics.store(words, ERROR, code);
      return FAILED;
    }
    if (draining) return ENDED;
    revents[3] = 0;
    revents[7] = 0;
    // A wait on this thread: the main thread goes on meanwhile.
    lib.poll_brief(fds, 2n, -1);
    if (revents[7] !== 0) draining = true; // woken: take what is there, then end
  }
}
