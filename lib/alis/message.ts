/**
 * The messages of ALiS v1 (asciinema live stream), the binary WebSocket protocol between
 * asciinema producers, relays and asciinema-player. Times are microseconds: absolute in
 * Init, relative to the previous event on the same connection everywhere else.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";

/** The WebSocket sub-protocol name of ALiS v1. */
export const ALIS_PROTOCOL = "v1.alis";

/**
 * The `type` of the `<link rel="alternate">` by which an asciirec stream page names its ALiS
 * WebSocket (what `asciirec watch` follows from a page URL).
 */
export const ALIS_LINK_TYPE = "application/x-asciinema-alis";

/**
 * The first message of every ALiS v1 stream: `"ALiS"` and version byte 1 (a fresh copy on
 * every call, so no caller can alter another's).
 *
 * @example
 * ```ts
 * import { alisMagic } from "./message.ts";
 * alisMagic(); // Uint8Array [0x41, 0x4c, 0x69, 0x53, 0x01]
 * ```
 */
export function alisMagic(): Uint8Array {
  return new Uint8Array([0x41, 0x4c, 0x69, 0x53, 0x01]);
}

/** Type byte of each ALiS message. */
export const ALIS_TYPE = {
  init: 0x01,
  eot: 0x04,
  output: 0x6f,
  input: 0x69,
  resize: 0x72,
  marker: 0x6d,
  exit: 0x78,
} as const;

/** Init (reset): the full state a consumer starts from. */
export interface AlisInit {
  /** Message type. */
  type: "init";
  /** Id of the last event reflected in this Init (0 if none). */
  lastId: number;
  /** Absolute stream time in microseconds. */
  time: number;
  /** Terminal columns. */
  cols: number;
  /** Terminal rows. */
  rows: number;
  /** The terminal theme; absent = theme format byte 0x00. */
  theme?: Theme;
  /** Terminal output that reproduces the current screen in a blank terminal. */
  initData: string;
}

/** Output (`o`) or input (`i`) text. */
export interface AlisText {
  /** Message type. */
  type: "output" | "input";
  /** Event id. */
  id: number;
  /** Microseconds since the previous event on this connection. */
  relTime: number;
  /** The text. */
  data: string;
}

/** Terminal resize (`r`). */
export interface AlisResize {
  /** Message type. */
  type: "resize";
  /** Event id. */
  id: number;
  /** Microseconds since the previous event on this connection. */
  relTime: number;
  /** New columns. */
  cols: number;
  /** New rows. */
  rows: number;
}

/** Marker (`m`). */
export interface AlisMarker {
  /** Message type. */
  type: "marker";
  /** Event id. */
  id: number;
  /** Microseconds since the previous event on this connection. */
  relTime: number;
  /** Label, possibly empty. */
  label: string;
}

/** Exit (`x`) of the session's process. */
export interface AlisExit {
  /** Message type. */
  type: "exit";
  /** Event id. */
  id: number;
  /** Microseconds since the previous event on this connection. */
  relTime: number;
  /** Unsigned exit status. */
  status: number;
}

/**
 * End of the session (0x04). Three layouts exist: bare `04`; `04 RelTime` (relay → viewers);
 * `04 Id RelTime` (producer → server). `id` requires `relTime`.
 */
export interface AlisEot {
  /** Message type. */
  type: "eot";
  /** Next event id (producer form only). */
  id?: number;
  /** Microseconds since the previous event on this connection. */
  relTime?: number;
}

/** Any ALiS message after the magic. */
export type AlisMessage = AlisInit | AlisText | AlisResize | AlisMarker | AlisExit | AlisEot;
