import assert from "node:assert/strict";
import { EAGAIN, errno, libc, O_CLOEXEC, O_NONBLOCK } from "./_libc.ts";
import { ReadThread } from "./_read_thread.ts";
import { buildWorker, bundleUrl, READ_THREAD_WORKER } from "../../scripts/build_workers.ts";

/** A non-blocking pipe: [read end, write end]. */
function pipe(): [number, number] {
  const fds = new Int32Array(2);
  assert.equal(libc().pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  return [fds[0]!, fds[1]!];
}

/** A read thread reading `fd`. */
async function started(fd: number, wake: number, ringBytes?: number): Promise<ReadThread> {
  const thread = await ReadThread.prepare(ringBytes);
  thread.begin(fd, wake);
  return thread;
}

function close(...fds: number[]): void {
  for (const fd of fds) libc().close(fd);
}

Deno.test("ReadThread passes every byte through a ring far smaller than the data", async () => {
  // 3 MB through a 4 KiB ring: it wraps around hundreds of times and fills up often (the
  // loop then waits for room).
  const data = new Uint8Array(3_000_000).map((_, i) => (i * 7919) % 251);
  const [readFd, writeFd] = pipe();
  const [wakeRead, wakeWrite] = pipe();
  const thread = await started(readFd, wakeRead, 4096);
  const got = new Uint8Array(data.length);
  let written = 0;
  let taken = 0;
  let fulls = 0;
  try {
    while (taken < data.length) {
      if (written < data.length) {
        const rest = data.subarray(written, written + 65536);
        const n = Number(libc().write(writeFd, rest, BigInt(rest.length)));
        if (n > 0) written += n;
        else assert.equal(errno(), EAGAIN);
        if (written === data.length) close(writeFd);
      }
      if (thread.available === 4096) fulls++;
      const chunk = thread.take();
      if (chunk) {
        got.set(chunk, taken);
        taken += chunk.length;
      } else if (written === data.length) await thread.more();
      else await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await thread.more();
    assert.deepEqual(thread.end(), {});
    assert.equal(thread.take(), undefined);
    assert.ok(got.every((byte, i) => byte === data[i]), "the bytes differ");
    assert.ok(fulls > 0, "the ring never filled up");
    await thread.stopped();
  } finally {
    close(readFd, wakeRead, wakeWrite);
  }
});

Deno.test("ReadThread stops waiting when asked to quit, and drains when asked to", async () => {
  for (const mode of ["quit", "drain"] as const) {
    const [readFd, writeFd] = pipe();
    const [wakeRead, wakeWrite] = pipe();
    try {
      const thread = await started(readFd, wakeRead);
      const hello = new TextEncoder().encode("hello");
      libc().write(writeFd, hello, BigInt(hello.length));
      await thread.more();
      // The loop now waits in poll for more, which never comes: only the wake ends it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(thread.running);
      if (mode === "drain") libc().write(writeFd, hello, BigInt(hello.length));
      thread.stop(mode);
      libc().write(wakeWrite, new Uint8Array([1]), 1n);
      await thread.stopped();
      let all = "";
      for (let chunk; (chunk = thread.take());) all += new TextDecoder().decode(chunk);
      assert.equal(all, mode === "drain" ? "hellohello" : "hello");
      assert.deepEqual(thread.end(), {});
    } finally {
      close(readFd, writeFd, wakeRead, wakeWrite);
    }
  }
});

Deno.test("ReadThread reports a failed read with its errno", async () => {
  const [wakeRead, wakeWrite] = pipe();
  try {
    const thread = await started(-1, wakeRead); // not a descriptor: EBADF
    await thread.more();
    assert.deepEqual(thread.end(), { error: 9, message: undefined });
    await thread.stopped();
  } finally {
    close(wakeRead, wakeWrite);
  }
});

Deno.test("a prepared ReadThread reads once it begins; one never begun is disposed", async () => {
  const unused = await ReadThread.prepare();
  unused.dispose(); // the test's resource check fails if its worker stays
  const thread = await ReadThread.prepare();
  const [readFd, writeFd] = pipe();
  const [wakeRead, wakeWrite] = pipe();
  try {
    const hello = new TextEncoder().encode("hello");
    libc().write(writeFd, hello, BigInt(hello.length));
    close(writeFd);
    thread.begin(readFd, wakeRead);
    assert.throws(() => thread.begin(readFd, wakeRead), /twice/);
    await thread.more();
    assert.equal(new TextDecoder().decode(thread.take()), "hello");
    await thread.stopped();
    assert.deepEqual(thread.end(), {});
    thread.dispose(); // begun: nothing to do
  } finally {
    close(readFd, wakeRead, wakeWrite);
  }
});

Deno.test("ReadThread rejects a ring size that is not a power of two", async () => {
  await assert.rejects(() => ReadThread.prepare(1000), RangeError);
});

Deno.test("the committed read thread bundle is what scripts/build_workers.ts generates", async () => {
  const committed = await Deno.readTextFile(bundleUrl(READ_THREAD_WORKER));
  assert.ok(
    committed === await buildWorker(READ_THREAD_WORKER),
    "lib/pty/_read_thread_bundle.js is stale: run `deno task build:workers`",
  );
});
