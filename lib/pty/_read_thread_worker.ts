/**
 * Worker entry of the PTY's read thread: loads libc, says so, runs {@linkcode readLoop} on
 * the first message, then closes. It is not started from this file:
 * `scripts/build_workers.ts` bundles it into `_read_thread_bundle.js`, which
 * `_read_thread.ts` starts from a Blob URL (so `deno bundle` and `deno compile` carry it).
 *
 * @module
 */
import { libc } from "./_libc.ts";
import { readLoop, type ReadLoopStart } from "./_read_loop.ts";

/** What the worker needs of its global scope. */
interface _Scope {
  onmessage: ((event: MessageEvent<ReadLoopStart>) => void) | null;
  postMessage(message: string): void;
  close(): void;
}

if (import.meta.main) {
  const scope = self as unknown as _Scope;
  scope.onmessage = ({ data }) => {
    try {
      readLoop(data);
    } finally {
      scope.close();
    }
  };
  libc(); // loaded here (binding the symbols takes a while), not once the child writes
  scope.postMessage("loaded"); // the owner may start it now, and it reads at once
}
