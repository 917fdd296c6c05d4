/**
 * A pseudo-terminal with a child process on its slave side, in pure Deno FFI against libc
 * (Linux/glibc). The child is a session leader with the PTY as its controlling terminal, so job
 * control, `/dev/tty`, ctrl+C → SIGINT and SIGWINCH on resize all work as in a real terminal.
 *
 * How: `posix_openpt` + `posix_spawnp` with `POSIX_SPAWN_SETSID`, the slave opened by path in
 * the child; no `fork()`. Output is read synchronously, one read per pull, until `EAGAIN`;
 * then `poll` waits, briefly on this thread, then on a pool thread (with a wake-up pipe for
 * shutdown); `EIO` is the end of output. See
 * `reference/pty-ffi.md`.
 *
 * @module
 */
import { Timer } from "../base/timer.ts";
import { ReadThread } from "./_read_thread.ts";
import {
  CHILD_DEFAULT_SIGNALS,
  cString,
  cStringArray,
  EAGAIN,
  ECHILD,
  EINTR,
  EIO,
  errno,
  F_GETFL,
  F_SETFL,
  FILE_ACTIONS_SIZE,
  libc,
  O_CLOEXEC,
  O_NOCTTY,
  O_NONBLOCK,
  O_RDWR,
  pollFds,
  POLLIN,
  POLLOUT,
  POSIX_SPAWN_SETSID,
  POSIX_SPAWN_SETSIGDEF,
  POSIX_SPAWN_SETSIGMASK,
  SIGNALS,
  SIGSET_SIZE,
  SPAWNATTR_SIZE,
  strerror,
  TIOCGWINSZ,
  TIOCSWINSZ,
  WNOHANG,
} from "./_libc.ts";

/** Size of the reused read buffer: one read copies out at most this much. */
const READ_BUFFER_SIZE = 64 * 1024;
/**
 * Reads are synchronous, so a flood of output would keep the event loop from ever turning
 * (timers, signals, keys, file and socket writes would all wait): after this many bytes
 * without waiting in `poll`, take one turn.
 */
const BYTES_PER_TURN = 256 * 1024;
/**
 * When a read finds nothing, wait this long on this thread for more before handing the
 * wait to a pool thread: in a flood the next piece is usually there within it, and a pool
 * thread's wait costs a thread hop and an event-loop wake each time (hundreds per second).
 */
const BRIEF_WAIT_MS = 2;
/**
 * Brief waits keep the event loop from turning too: they are only taken this long after
 * its last turn, so that keys, timers and writes wait no longer than this under output.
 */
const TURN_MS = 10;

/** Options for {@linkcode Pty.spawn}. */
export interface PtySpawnOptions {
  /** The program and its arguments; `argv[0]` is searched in the parent's `PATH`. */
  argv: readonly string[];
  /** The child's whole environment. Default: this process's environment. */
  env?: Record<string, string>;
  /** The child's working directory. Default: this process's. */
  cwd?: string;
  /** Columns of the terminal. Default 80. */
  cols?: number;
  /** Rows of the terminal. Default 24. */
  rows?: number;
  /**
   * How long output may still be read after the child has exited, in milliseconds, when a
   * process it left behind keeps the terminal open. Default 500.
   */
  drainTimeoutMs?: number;
  /**
   * Read the output on this thread of its own (from {@linkcode Pty.prepareReadThread}), into
   * a ring of 1 MiB, instead of on this one: the child then never waits on a full terminal
   * while this thread is busy with what it read (a live stream's emulator and viewers), as
   * long as the ring has room. Costs a copy of the output. Default: read on this thread.
   */
  readThread?: PreparedReadThread;
}

/** A read thread whose worker is loaded (see {@linkcode Pty.prepareReadThread}). */
export type PreparedReadThread = ReadThread;

/** How the child ended. */
export interface PtyExit {
  /** Exit code, when it exited. */
  code?: number;
  /** Signal number, when a signal killed it. */
  signal?: number;
  /** `code`, or 128 + `signal`; 1 when the status could not be learned. */
  status: number;
}

/**
 * A failed libc call.
 *
 * @example
 * ```ts
 * import { Pty, PtyError } from "./pty.ts";
 * try {
 *   Pty.spawn({ argv: ["/no/such/program"] });
 * } catch (error) {
 *   if (error instanceof PtyError) console.log(error.syscall, error.errno); // posix_spawnp 2
 * }
 * ```
 */
export class PtyError extends Error {
  /** Always `"PtyError"`. */
  override name = "PtyError";
  /** The libc function that failed. */
  readonly syscall: string;
  /** Its error number. */
  readonly errno: number;

  /** Makes the error for `syscall` failing with `code`; `detail` is added to the message. */
  constructor(syscall: string, code: number, detail?: string) {
    super(`${syscall} failed: ${strerror(code)}${detail ? ` (${detail})` : ""}`);
    this.syscall = syscall;
    this.errno = code;
  }
}

function checkSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new RangeError(`${name} must be an integer from 1 to 65535, got ${value}`);
  }
  return value;
}

/** Decodes a `waitpid` status word. */
function decodeStatus(s: number): PtyExit {
  const sig = s & 0x7f;
  if (sig === 0) {
    const code = (s >> 8) & 0xff;
    return { code, status: code };
  }
  if (sig !== 0x7f) return { signal: sig, status: 128 + sig };
  return { status: 1 };
}

/** Throws a PtyError for a failed errno-style call (result −1). */
function check(syscall: string, result: number): number {
  if (result === -1) throw new PtyError(syscall, errno());
  return result;
}

/** Throws a PtyError for a failed call that returns its error number. */
function checkCode(syscall: string, code: number, detail?: string): void {
  if (code !== 0) throw new PtyError(syscall, code, detail);
}

/**
 * A child process running on a new pseudo-terminal.
 *
 * @example
 * ```ts
 * import { Pty } from "./pty.ts";
 * using pty = Pty.spawn({ argv: ["/bin/sh", "-c", "stty size"], cols: 100, rows: 30 });
 * const out = await new Response(pty.readable).text(); // "30 100\r\n"
 * const { status } = await pty.wait(); // 0
 * ```
 */
export class Pty implements Disposable {
  /** The child's process id (also its session and process group id). */
  readonly pid: number;
  /** The child's output, ending when the terminal is hung up (or {@linkcode close}d). */
  readonly readable: ReadableStream<Uint8Array>;

  #master: number;
  #wakeRead: number;
  #wakeWrite: number;
  #buffer = new Uint8Array(READ_BUFFER_SIZE);
  #exit: Promise<PtyExit>;
  #exited = false;
  #closed = false;
  #fdsClosed = false;
  #readEnded = false;
  #draining = false;
  #woken = false;
  #drainTimeoutMs: number;
  readonly #drainTimer = new Timer(() => {
    this.#draining = true;
    this.#thread?.stop("drain");
    this.#wake();
  });
  /** With `readThread`: the thread that reads the master. */
  #thread: ReadThread | undefined;
  #pollsInFlight = 0;
  #writeChain: Promise<void> = Promise.resolve();
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #pulling = false;
  #sinceTurn = 0;
  /** When the event loop last had a turn (`performance.now()`): a wait in `poll` ended. */
  #turnAt = performance.now();
  /** The `pollfd` of the brief waits. */
  #briefFds: Uint8Array | undefined;

  private constructor(
    master: number,
    pid: number,
    wake: Int32Array,
    drainTimeoutMs: number,
    readThread: PreparedReadThread | undefined,
  ) {
    this.#master = master;
    this.pid = pid;
    this.#wakeRead = wake[0]!;
    this.#wakeWrite = wake[1]!;
    this.#drainTimeoutMs = drainTimeoutMs;
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: (controller) =>
        this.#thread ? this.#pullThread(controller, this.#thread) : this.#pull(controller),
      cancel: () => {
        this.#endRead();
        this.#thread?.stop("quit");
        this.#wake();
      },
    }, new CountQueuingStrategy({ highWaterMark: 2 }));
    if (readThread) {
      this.#thread = readThread;
      readThread.begin(master, this.#wakeRead);
      // Its descriptors stay open while it may use them.
      void readThread.stopped().then(() => {
        if (this.#closed) this.#closeFdsWhenIdle();
      });
    }
    this.#exit = this.#reap();
  }

  /**
   * Starts a read thread's worker for {@linkcode Pty.spawn} (`readThread`), and resolves once
   * it is loaded (about 35 ms), so that it reads, and times, the child's output from its first
   * write. Dispose it if the spawn does not happen or fails.
   */
  static prepareReadThread(): Promise<PreparedReadThread> {
    return ReadThread.prepare();
  }

  /**
   * Opens a PTY of the given size and starts `argv` on it.
   *
   * @throws {PtyError} when a libc call fails, e.g. `posix_spawnp` with `ENOENT` for an
   * unknown program.
   */
  static spawn(options: PtySpawnOptions): Pty {
    const { argv } = options;
    if (argv.length === 0) throw new TypeError("argv must name a program");
    const cols = checkSize("cols", options.cols ?? 80);
    const rows = checkSize("rows", options.rows ?? 24);
    const env = options.env ?? Deno.env.toObject();
    const lib = libc();

    const master = check("posix_openpt", lib.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    const wake = new Int32Array(2);
    let wakeOpen = false;
    try {
      check("grantpt", lib.grantpt(master));
      check("unlockpt", lib.unlockpt(master));
      const nameBuf = new Uint8Array(64);
      checkCode("ptsname_r", lib.ptsname_r(master, nameBuf, BigInt(nameBuf.length)));
      const slavePath = nameBuf.subarray(0, nameBuf.indexOf(0) + 1);
      // The size goes on the master before the spawn: the slave must not be opened (and
      // closed) here, or later reads of the master give EIO instead of EAGAIN.
      check("ioctl", lib.ioctl(master, BigInt(TIOCSWINSZ), new Uint16Array([rows, cols, 0, 0])));
      const flags = check("fcntl", lib.fcntl(master, F_GETFL, 0));
      check("fcntl", lib.fcntl(master, F_SETFL, flags | O_NONBLOCK));
      check("pipe2", lib.pipe2(wake, O_CLOEXEC | O_NONBLOCK));
      wakeOpen = true;

      const pid = spawnOnSlave(slavePath, argv, env, options.cwd);
      return new Pty(
        master,
        pid,
        wake,
        options.drainTimeoutMs ?? 500,
        options.readThread,
      );
    } catch (error) {
      lib.close(master);
      if (wakeOpen) {
        lib.close(wake[0]!);
        lib.close(wake[1]!);
      }
      throw error;
    }
  }

  /**
   * Writes all of `data` to the child's terminal input (keystrokes), in order with earlier
   * writes; waits while the terminal's input buffer is full.
   */
  write(data: Uint8Array): Promise<void> {
    const result = this.#writeChain.then(() => this.#writeAll(data));
    this.#writeChain = result.catch(() => {});
    return result;
  }

  /** Sets the terminal size; the kernel sends SIGWINCH to the foreground process group. */
  resize(cols: number, rows: number): void {
    this.#assertOpen();
    const ws = new Uint16Array([checkSize("rows", rows), checkSize("cols", cols), 0, 0]);
    check("ioctl", libc().ioctl(this.#master, BigInt(TIOCSWINSZ), ws));
  }

  /** The terminal size as the kernel has it. */
  size(): { cols: number; rows: number } {
    this.#assertOpen();
    const ws = new Uint16Array(4);
    check("ioctl", libc().ioctl(this.#master, BigInt(TIOCGWINSZ), ws));
    return { cols: ws[1]!, rows: ws[0]! };
  }

  /**
   * Sends a signal (default SIGTERM) to the child, or with `group` to its whole process group.
   * Does nothing once the child has been reaped.
   */
  kill(signal: Deno.Signal | number = "SIGTERM", options: { group?: boolean } = {}): void {
    if (this.#exited) return;
    const sig = typeof signal === "number" ? signal : SIGNALS[signal];
    if (sig === undefined) throw new TypeError(`unknown signal ${signal}`);
    const lib = libc();
    if (lib.kill(options.group ? -this.pid : this.pid, sig) === -1) {
      const code = errno();
      if (code !== 3 /* ESRCH: already gone */) throw new PtyError("kill", code);
    }
  }

  /** Resolves when the child has exited (it is reaped as soon as it does). */
  wait(): Promise<PtyExit> {
    return this.#exit;
  }

  /**
   * Stops reading, ends {@linkcode readable} and closes the PTY (which hangs up the child's
   * terminal: a child still running gets SIGHUP). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drainTimer.cancel();
    if (!this.#pulling) this.#endRead();
    this.#thread?.stop("quit");
    this.#wake();
    this.#closeFdsWhenIdle();
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Deno.errors.BadResource("the PTY is closed");
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    this.#pulling = true;
    try {
      for (let rounds = 0;;) {
        if (this.#readEnded) return;
        if (this.#closed) return this.#endRead();
        if (this.#sinceTurn >= BYTES_PER_TURN) {
          await this.#poll(POLLIN, 0);
          continue;
        }
        const { length, eof } = this.#readOnce();
        if (length > 0) controller.enqueue(this.#buffer.slice(0, length));
        this.#sinceTurn += length;
        if (eof) return this.#endRead();
        if (length > 0) return;
        // Nothing left: after the drain deadline, that is the end (a grandchild may still
        // hold the terminal); allow a few rounds for data that raced the deadline.
        if (this.#draining && ++rounds > 2) return this.#endRead();
        if (
          !this.#draining && performance.now() - this.#turnAt < TURN_MS && this.#waitBriefly()
        ) continue;
        await this.#poll(POLLIN);
      }
    } catch (error) {
      this.#readEnded = true;
      controller.error(error);
    } finally {
      this.#pulling = false;
    }
  }

  /** {@linkcode Pty.#pull} with a read thread: takes what it has read, or waits for more. */
  async #pullThread(
    controller: ReadableStreamDefaultController<Uint8Array>,
    thread: ReadThread,
  ): Promise<void> {
    this.#pulling = true;
    try {
      for (;;) {
        if (this.#readEnded) return;
        if (this.#closed) return this.#endRead();
        if (this.#sinceTurn >= BYTES_PER_TURN) {
          // A flood: let the event loop turn (timers, keys, writes) now and then.
          this.#sinceTurn = 0;
          await new Promise((resolve) => setTimeout(resolve, 0));
          this.#turnAt = performance.now();
          continue;
        }
        const chunk = thread.take();
        if (chunk) {
          controller.enqueue(chunk);
          this.#sinceTurn += chunk.length;
          return;
        }
        const end = thread.end();
        if (end?.message !== undefined) {
          throw new Error(`the PTY's read thread failed: ${end.message}`);
        }
        if (end?.error !== undefined) throw new PtyError("read", end.error);
        if (end) return this.#endRead();
        // As without the thread: a brief wait here keeps a flood's reads in one turn of the
        // event loop (so they reach the live state merged), a longer one lets it turn.
        if (performance.now() - this.#turnAt < TURN_MS && thread.waitBriefly(BRIEF_WAIT_MS)) {
          continue;
        }
        this.#sinceTurn = 0;
        await thread.more();
        this.#turnAt = performance.now();
      }
    } catch (error) {
      this.#readEnded = true;
      controller.error(error);
    } finally {
      this.#pulling = false;
    }
  }

  /**
   * One synchronous read: what the master holds, at most the buffer.
   *
   * One read per pull, not a loop until `EAGAIN`: Linux hands a master's output over through
   * a line-discipline buffer of 4 KiB that a kernel worker refills, and a read that finds it
   * empty waits inside read(2) for that worker even on a non-blocking descriptor. Reading
   * again at once stalls the writer, the worker and this loop in turn; handling the chunk in
   * between gives the worker the time to refill. On `seq 1 10000000` this took the wall time
   * from 1.17× `script`'s to 1.01× (`bench/rec.ts`).
   */
  #readOnce(): { length: number; eof: boolean } {
    const lib = libc();
    const buf = this.#buffer;
    for (;;) {
      const r = Number(lib.read(this.#master, buf, BigInt(buf.length)));
      if (r > 0) return { length: r, eof: false };
      if (r === 0) return { length: 0, eof: true };
      const code = errno();
      if (code === EINTR) continue;
      if (code === EAGAIN) return { length: 0, eof: false };
      if (code === EIO) return { length: 0, eof: true };
      throw new PtyError("read", code);
    }
  }

  #endRead(): void {
    if (this.#readEnded) return;
    this.#readEnded = true;
    this.#drainTimer.cancel();
    try {
      this.#controller?.close();
    } catch {
      // already closed or errored by a cancel
    }
  }

  /**
   * Waits (on a pool thread) until the master has `events` or the wake pipe is written, or
   * `timeoutMs` has passed (default: no limit).
   */
  async #poll(events: number, timeoutMs = -1): Promise<void> {
    const view = pollFds([this.#master, events], [this.#wakeRead, POLLIN]);
    this.#pollsInFlight++;
    this.#sinceTurn = 0;
    try {
      // `view` stays referenced by this frame until the call settles.
      await libc().poll(view, 2n, timeoutMs);
    } finally {
      this.#turnAt = performance.now();
      this.#pollsInFlight--;
      if (this.#closed) this.#closeFdsWhenIdle();
    }
  }

  /** Waits up to {@linkcode BRIEF_WAIT_MS} on this thread for output (or the hang-up). */
  #waitBriefly(): boolean {
    // A synchronous call: one array serves every brief wait.
    this.#briefFds ??= pollFds([this.#master, POLLIN]);
    return libc().poll_brief(this.#briefFds, 1n, BRIEF_WAIT_MS) > 0;
  }

  /** Wakes every pending poll, for good: used when reading must stop. */
  #wake(): void {
    if (this.#woken || this.#fdsClosed) return;
    this.#woken = true;
    libc().write(this.#wakeWrite, new Uint8Array([1]), 1n);
  }

  #closeFdsWhenIdle(): void {
    if (this.#fdsClosed || this.#pollsInFlight > 0 || this.#thread?.running) return;
    this.#fdsClosed = true;
    const lib = libc();
    lib.close(this.#master);
    lib.close(this.#wakeRead);
    lib.close(this.#wakeWrite);
  }

  async #writeAll(data: Uint8Array): Promise<void> {
    const lib = libc();
    let off = 0;
    while (off < data.length) {
      this.#assertOpen();
      const rest = off === 0 ? data : data.subarray(off);
      const n = Number(lib.write(this.#master, rest, BigInt(rest.length)));
      if (n >= 0) {
        off += n;
        continue;
      }
      const code = errno();
      if (code === EINTR) continue;
      if (code !== EAGAIN) throw new PtyError("write", code);
      if (this.#woken) throw new Deno.errors.BadResource("the PTY is closed");
      await this.#poll(POLLOUT);
    }
  }

  /** Waits for the child on a pool thread, then starts the drain deadline. */
  async #reap(): Promise<PtyExit> {
    const lib = libc();
    const status = new Int32Array(1);
    let exit: PtyExit = { status: 1 };
    for (;;) {
      const r = await lib.waitpid_blocking(this.pid, status, 0);
      if (r === this.pid) {
        exit = decodeStatus(status[0]!);
        break;
      }
      // errno is lost on the pool thread: ask again synchronously to tell EINTR from ECHILD.
      const again = lib.waitpid(this.pid, status, WNOHANG);
      if (again === this.pid) {
        exit = decodeStatus(status[0]!);
        break;
      }
      if (again === -1 && errno() === ECHILD) break;
    }
    this.#exited = true;
    if (!this.#readEnded && !this.#closed) {
      this.#drainTimer.arm(this.#drainTimeoutMs);
    }
    return exit;
  }
}

/** Spawns `argv` as a session leader whose fds 0–2 are the slave opened by path. */
function spawnOnSlave(
  slavePath: Uint8Array,
  argv: readonly string[],
  env: Record<string, string>,
  cwd: string | undefined,
): number {
  const lib = libc();
  const actions = new Uint8Array(FILE_ACTIONS_SIZE);
  const attr = new Uint8Array(SPAWNATTR_SIZE);
  checkCode("posix_spawn_file_actions_init", lib.posix_spawn_file_actions_init(actions));
  try {
    checkCode("posix_spawnattr_init", lib.posix_spawnattr_init(attr));
    try {
      // Opened without O_NOCTTY after setsid(): the slave becomes the controlling terminal.
      checkCode(
        "posix_spawn_file_actions_addopen",
        lib.posix_spawn_file_actions_addopen(actions, 0, slavePath, O_RDWR, 0),
      );
      checkCode(
        "posix_spawn_file_actions_adddup2",
        lib.posix_spawn_file_actions_adddup2(actions, 0, 1),
      );
      checkCode(
        "posix_spawn_file_actions_adddup2",
        lib.posix_spawn_file_actions_adddup2(actions, 0, 2),
      );
      const cwdBytes = cwd === undefined ? undefined : cString(cwd);
      if (cwdBytes) {
        checkCode(
          "posix_spawn_file_actions_addchdir_np",
          lib.posix_spawn_file_actions_addchdir_np(actions, cwdBytes),
        );
      }
      checkCode(
        "posix_spawnattr_setflags",
        lib.posix_spawnattr_setflags(
          attr,
          POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK,
        ),
      );
      const defaults = new Uint8Array(SIGSET_SIZE);
      lib.sigemptyset(defaults);
      for (const sig of CHILD_DEFAULT_SIGNALS) lib.sigaddset(defaults, sig);
      checkCode("posix_spawnattr_setsigdefault", lib.posix_spawnattr_setsigdefault(attr, defaults));
      const mask = new Uint8Array(SIGSET_SIZE);
      lib.sigemptyset(mask);
      checkCode("posix_spawnattr_setsigmask", lib.posix_spawnattr_setsigmask(attr, mask));

      const file = cString(argv[0]!);
      const args = cStringArray(argv);
      const envp = cStringArray(Object.entries(env).map(([k, v]) => `${k}=${v}`));
      const pid = new Int32Array(1);
      checkCode(
        "posix_spawnp",
        lib.posix_spawnp(pid, file, actions, attr, args.array, envp.array),
        argv[0],
      );
      // Keep the C strings alive past the call.
      void [args.keep, envp.keep, cwdBytes];
      return pid[0]!;
    } finally {
      lib.posix_spawnattr_destroy(attr);
    }
  } finally {
    lib.posix_spawn_file_actions_destroy(actions);
  }
}
