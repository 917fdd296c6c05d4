/**
 * The contract between the session loop and its outputs (file writer, live state, remote
 * forwarder): the loop hands every Event to every sink and never waits for one. The
 * interface itself lives with the Event model, so the asciicast writer can implement it.
 *
 * @module
 */
export type { EventSink } from "../asciicast/event.ts";
