/**
 * The contract between the session loop and its outputs (file writer, live hub, remote
 * producer): the loop hands every Event to every sink and never waits for one.
 *
 * @module
 */
import type { Event } from "../asciicast/event.ts";

/** An output of a session. */
export interface EventSink {
  /**
   * Takes one event. Must not block and must not throw for a slow or failing destination:
   * a sink buffers within a bound and then drops, resets or disconnects on its own.
   */
  write(event: Event): void;
  /** Flushes what is buffered and releases the destination; called once, at the end. */
  close(): Promise<void>;
}
