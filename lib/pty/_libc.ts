/**
 * The libc functions and Linux constants the PTY (and the host terminal's raw mode) needs, loaded through `Deno.dlopen` on first
 * use (never at import time, so importing this module needs no FFI permission).
 *
 * Linux with glibc only (x86_64 and aarch64 share every value here). See
 * `reference/pty-ffi.md` for why each call is made the way it is.
 *
 * @module
 */

/** The FFI declarations, one per libc symbol, each with its C signature. */
const SYMBOLS = {
  /** `int posix_openpt(int flags)` */
  posix_openpt: { parameters: ["i32"], result: "i32" },
  /** `int grantpt(int fd)` */
  grantpt: { parameters: ["i32"], result: "i32" },
  /** `int unlockpt(int fd)` */
  unlockpt: { parameters: ["i32"], result: "i32" },
  /** `int ptsname_r(int fd, char *buf, size_t len)`: returns an error number */
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  /** `int ioctl(int fd, unsigned long request, void *arg)` (variadic in C; fixed here) */
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  /** `int fcntl(int fd, int cmd, int arg)` (variadic in C; fixed here) */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** `int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)` */
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)` */
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  /**
   * `int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
   * const char *path, int oflag, mode_t mode)`
   */
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  /** `int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)` */
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  /** `int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa, const char *path)` */
  posix_spawn_file_actions_addchdir_np: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `int posix_spawnattr_init(posix_spawnattr_t *attr)` */
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawnattr_destroy(posix_spawnattr_t *attr)` */
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)` */
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  /** `int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *set)` */
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *set)` */
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `int sigemptyset(sigset_t *set)` */
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  /** `int sigaddset(sigset_t *set, int sig)` */
  sigaddset: { parameters: ["buffer", "i32"], result: "i32" },
  /**
   * `int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
   * const posix_spawnattr_t *attr, char *const argv[], char *const envp[])`: returns an error
   * number
   */
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** `ssize_t read(int fd, void *buf, size_t count)` */
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** `ssize_t write(int fd, const void *buf, size_t count)` */
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /**
   * `int poll(struct pollfd *fds, nfds_t nfds, int timeout)`: the one call that waits, run on
   * a pool thread so the event loop stays free
   */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  /** `poll` on the calling thread: on the main thread only for waits of a few milliseconds */
  poll_brief: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32" },
  /** `int pipe2(int pipefd[2], int flags)` */
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  /** `pid_t waitpid(pid_t pid, int *wstatus, int options)` (non-blocking use, `WNOHANG`) */
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** `pid_t waitpid(pid_t pid, int *wstatus, int options)`, blocking, on a pool thread */
  waitpid_blocking: {
    name: "waitpid",
    parameters: ["i32", "buffer", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** `int kill(pid_t pid, int sig)` */
  kill: { parameters: ["i32", "i32"], result: "i32" },
  /** `int tcgetattr(int fd, struct termios *termios_p)` */
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  /** `int tcsetattr(int fd, int optional_actions, const struct termios *termios_p)` */
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** `int close(int fd)` */
  close: { parameters: ["i32"], result: "i32" },
  /** `int *__errno_location(void)` */
  __errno_location: { parameters: [], result: "pointer" },
  /** `char *strerror(int errnum)` */
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded libc symbols. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** Opens libc on first call and returns its symbols. */
export function libc(): Libc {
  if (Deno.build.os !== "linux") {
    throw new Error(`the PTY is implemented for Linux only, not ${Deno.build.os}`);
  }
  lib ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

/** Reads errno; valid only right after a failed synchronous call. */
export function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/** The C library's message for an error number. */
export function strerror(code: number): string {
  const p = libc().strerror(code);
  return p === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(p);
}

/** A NUL-terminated copy of a string, for `const char *` parameters. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * A NULL-terminated `char *[]` of the given strings. The returned `keep` array holds the C
 * strings, which must stay referenced until the call that uses `array` has returned.
 */
export function cStringArray(
  items: readonly string[],
): { array: BigUint64Array<ArrayBuffer>; keep: Uint8Array[] } {
  const keep = items.map(cString);
  const array = new BigUint64Array(keep.length + 1);
  keep.forEach((s, i) => {
    array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s)));
  });
  return { array, keep };
}

// Open flags.
/** `O_RDWR` */
export const O_RDWR = 2;
/** `O_NOCTTY` */
export const O_NOCTTY = 0o400;
/** `O_NONBLOCK` */
export const O_NONBLOCK = 0o4000;
/** `O_CLOEXEC` */
export const O_CLOEXEC = 0o2000000;

// fcntl and ioctl requests.
/** `F_GETFL` */
export const F_GETFL = 3;
/** `F_SETFL` */
export const F_SETFL = 4;
/** `TIOCGWINSZ` */
export const TIOCGWINSZ = 0x5413;
/** `TIOCSWINSZ` */
export const TIOCSWINSZ = 0x5414;

// termios (glibc `struct termios`: c_iflag, c_oflag, c_cflag, c_lflag as u32, c_line, c_cc[32],
// c_ispeed, c_ospeed; 60 bytes).
/** `tcsetattr` action: apply the change immediately. */
export const TCSANOW = 0;
/** `OPOST` in `c_oflag`: output post-processing (ONLCR and the rest apply only with it). */
export const OPOST = 1;
/** Byte offset of `c_oflag` in `struct termios`. */
export const TERMIOS_OFLAG_OFFSET = 4;

// posix_spawnattr flags.
/** `POSIX_SPAWN_SETSIGDEF` */
export const POSIX_SPAWN_SETSIGDEF = 0x04;
/** `POSIX_SPAWN_SETSIGMASK` */
export const POSIX_SPAWN_SETSIGMASK = 0x08;
/** `POSIX_SPAWN_SETSID` (glibc ≥ 2.26) */
export const POSIX_SPAWN_SETSID = 0x80;

// errno values.
/** `EINTR` */
export const EINTR = 4;
/** `EIO` */
export const EIO = 5;
/** `ECHILD` */
export const ECHILD = 10;
/** `EAGAIN` */
export const EAGAIN = 11;

// poll events.
/** `POLLIN` */
export const POLLIN = 1;
/** `POLLOUT` */
export const POLLOUT = 4;
/** `POLLERR` */
export const POLLERR = 8;
/** `POLLHUP` */
export const POLLHUP = 16;
/** `POLLNVAL` */
export const POLLNVAL = 32;

/** `WNOHANG` */
export const WNOHANG = 1;

/** Linux signal numbers by name (x86_64 and aarch64 agree). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/**
 * Signals reset to their default action in the child: the runtime ignores or handles some of
 * them (SIGPIPE above all: an ignored SIGPIPE survives exec and makes `yes | head` print
 * "Broken pipe").
 */
export const CHILD_DEFAULT_SIGNALS: readonly number[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGUSR1",
  "SIGUSR2",
  "SIGCHLD",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGWINCH",
  "SIGXFSZ",
].map((name) => SIGNALS[name]!);

// Sizes on glibc 64-bit, rounded up generously for the opaque structs.
/** Bytes to allocate for a `posix_spawn_file_actions_t` (80 on glibc). */
export const FILE_ACTIONS_SIZE = 256;
/** Bytes to allocate for a `posix_spawnattr_t` (336 on glibc). */
export const SPAWNATTR_SIZE = 512;
/** Bytes of a `sigset_t`. */
export const SIGSET_SIZE = 128;
/** Bytes to allocate for a `struct termios` (60 on glibc). */
export const TERMIOS_SIZE = 128;

/** A `struct pollfd[]` for `poll`: each descriptor with the events it waits for. */
export function pollFds(...entries: [fd: number, events: number][]): Uint8Array {
  const fds = new ArrayBuffer(8 * entries.length);
  const ints = new Int32Array(fds);
  const shorts = new Int16Array(fds);
  entries.forEach(([fd, events], i) => {
    ints[2 * i] = fd;
    shorts[4 * i + 2] = events;
  });
  return new Uint8Array(fds);
}
