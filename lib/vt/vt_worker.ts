/**
 * Worker entry of {@linkcode WorkerVt}: owns one {@linkcode Vt} and answers the messages
 * described by {@linkcode VtRequest} with {@linkcode VtReply}. It is not started from this
 * file: `scripts/build_workers.ts` bundles it into `_vt_worker_bundle.js`, which
 * `worker_vt.ts` starts from a Blob URL (so `deno bundle` and `deno compile` carry it).
 *
 * Messages are handled strictly in arrival order (`postMessage` is FIFO), so a snapshot
 * reflects exactly the feeds and resizes posted before it.
 *
 * @module
 */

import { Vt } from "./vt.ts";

/** A message from `WorkerVt` to the worker. The first one is always `init`. */
export type VtRequest =
  | {
    type: "init";
    cols: number;
    rows: number;
    scrollback: number;
    skipScrolledOff?: boolean;
  }
  | { type: "feed"; data: string | Uint8Array }
  | { type: "feeds"; data: string[] }
  | { type: "resize"; cols: number; rows: number }
  | { type: "snapshot" | "text"; id: number }
  | { type: "dispose" };

/** A message from the worker to `WorkerVt`. */
export type VtReply =
  | { type: "result"; id: number; value: string }
  | { type: "parsed"; count: number }
  | { type: "failure"; id: number; error: unknown }
  | { type: "error"; error: unknown };

/** What the worker needs of its global scope (a `DedicatedWorkerGlobalScope`). */
interface _Scope {
  onmessage: ((event: MessageEvent<VtRequest>) => void) | null;
  postMessage(message: VtReply): void;
  close(): void;
}

/** Posts `reply`, or, if its error cannot be cloned, the same reply with a described error. */
function _post(scope: _Scope, reply: VtReply): void {
  try {
    scope.postMessage(reply);
  } catch {
    const error = "error" in reply ? new Error(String(reply.error)) : undefined;
    scope.postMessage({ ...reply, error } as VtReply);
  }
}

/** The worker reports its progress after parsing at least this many characters (or bytes). */
export const ACK_EVERY = 256 * 1024;

/** Installs the message handler on `scope`; the bundle's entry calls it on `self`. */
export function serveVt(scope: _Scope): void {
  let vt: Vt | undefined;
  // Feeds are parsed as they arrive; the owner learns how far in steps of ACK_EVERY units.
  let parsed = 0;
  const report = (error: unknown) => _post(scope, { type: "error", error });
  const answer = (id: number, result: Promise<string>) =>
    result.then(
      (value) => scope.postMessage({ type: "result", id, value }),
      (error) => _post(scope, { type: "failure", id, error }),
    );
  scope.onmessage = ({ data: request }) => {
    try {
      if (request.type === "init") {
        vt = new Vt(request.cols, request.rows, {
          scrollback: request.scrollback,
          skipScrolledOff: request.skipScrolledOff,
          onError: report,
          sync: true,
        });
        return;
      }
      if (vt === undefined) throw new Error(`Cannot ${request.type}: the worker has no terminal`);
      switch (request.type) {
        case "feed":
          vt.feed(request.data);
          parsed += request.data.length;
          if (parsed >= ACK_EVERY) {
            scope.postMessage({ type: "parsed", count: parsed });
            parsed = 0;
          }
          return;
        case "feeds":
          for (const piece of request.data) {
            vt.feed(piece);
            parsed += piece.length;
          }
          if (parsed >= ACK_EVERY) {
            scope.postMessage({ type: "parsed", count: parsed });
            parsed = 0;
          }
          return;
        case "resize":
          return vt.resize(request.cols, request.rows);
        case "snapshot":
          return void answer(request.id, vt.snapshot());
        case "text":
          return void answer(request.id, vt.text());
        case "dispose":
          vt.dispose();
          return scope.close();
      }
    } catch (error) {
      if ("id" in request) _post(scope, { type: "failure", id: request.id, error });
      else report(error);
    }
  };
}

if (import.meta.main) serveVt(self as unknown as _Scope);
