/**
 * Worker entry of the PTY's read thread: runs {@linkcode readLoop} on the first message,
 * then closes. It is not started from this file: `scripts/build_workers.ts` bundles it into
 * `_read_thread_bundle.js`, which `_read_thread.ts` starts from a Blob URL (so `deno bundle`
 * and `deno compile` carry it).
 *
 * @module
 */
import { readLoop, type ReadLoopStart } from "./_read_loop.ts";

/** What the worker needs of its global scope. */
interface _Scope {
  onmessage: ((event: MessageEvent<ReadLoopStart>) => void) | null;
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
}
