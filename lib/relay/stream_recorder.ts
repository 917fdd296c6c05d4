/**
 * `serve --record-streams`: a subscriber of a relayed stream's live state that saves each
 * producer session as an asciicast v3 recording (its first event the screen at the Init),
 * registered in the store when the session ends.
 *
 * @module
 */
import { join } from "node:path";
import type { Header } from "../asciicast/event.ts";
import { v3Encoder } from "../asciicast/encoder.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import type { LiveEvent, LiveInit, LiveSubscriber } from "../stream/live_state.ts";
import type { RelayStore } from "./store.ts";
import { randomToken } from "./token.ts";

/** Where and for which stream a {@linkcode StreamRecorder} records. */
export interface StreamRecorderOptions {
  /** The relay's store (stream title and owner; the finished recording is added there). */
  store: RelayStore;
  /** Directory of recording files. */
  recordingsDir: string;
  /** The stream recorded. */
  streamId: number;
  /** Where log lines go. */
  log: (message: string) => void;
}

interface _File {
  writer: CastWriter;
  token: string;
  path: string;
  /** Stream time of the Init: time 0 of the recording. */
  base: number;
}

/**
 * Records a stream: a new file at every Init (a producer's first connection or reconnect),
 * finished at the next Init or at the end.
 *
 * @example
 * ```ts
 * import { StreamRecorder } from "./stream_recorder.ts";
 * // const recorder = new StreamRecorder({ store, recordingsDir, streamId, log });
 * // live.subscribe(recorder); … await recorder.flushed();
 * ```
 */
export class StreamRecorder implements LiveSubscriber {
  readonly #options: StreamRecorderOptions;
  #file: _File | undefined;
  #finishing: Promise<void>[] = [];

  /** A recorder for one stream. */
  constructor(options: StreamRecorderOptions) {
    this.#options = options;
  }

  init(init: LiveInit): void {
    this.#finish();
    const { store, recordingsDir, streamId } = this.#options;
    const token = randomToken(16);
    const path = join(recordingsDir, `${token}.cast`);
    try {
      const file = Deno.openSync(path, { write: true, createNew: true });
      const title = store.streamById(streamId)?.title;
      const header: Header = {
        version: 3,
        cols: init.cols,
        rows: init.rows,
        timestamp: Math.floor(Date.now() / 1000),
      };
      if (init.theme) header.theme = init.theme;
      if (title) header.title = title;
      const writer = createCastWriter(file.writable, header, { encoder: v3Encoder });
      if (init.initData !== "") writer.write({ time: 0, code: "o", data: init.initData });
      this.#file = { writer, token, path, base: init.time };
    } catch (error) {
      this.#options.log(`stream ${streamId}: cannot record: ${error}`);
    }
  }

  event(event: LiveEvent): void {
    const file = this.#file;
    if (file) file.writer.write({ ...event, time: Math.max(0, event.time - file.base) });
  }

  end(): void {
    this.#finish();
  }

  /** Resolves once every recording finished so far is written and registered. */
  async flushed(): Promise<void> {
    await Promise.all(this.#finishing);
  }

  /** Finishes the current recording, if any, and registers it. */
  #finish(): void {
    const file = this.#file;
    if (!file) return;
    this.#file = undefined;
    const { store, streamId, log } = this.#options;
    this.#finishing.push((async () => {
      try {
        await file.writer.close();
        const { size } = await Deno.stat(file.path);
        const stream = store.streamById(streamId);
        store.addRecording({
          token: file.token,
          owner: stream?.owner ?? null,
          streamId,
          fileName: `stream-${streamId}.cast`,
          size,
          title: stream?.title ?? null,
        });
        log(`stream ${streamId}: saved as recording ${file.token}`);
      } catch (error) {
        log(`stream ${streamId}: cannot save the recording: ${error}`);
      }
    })());
  }
}
