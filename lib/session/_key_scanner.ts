/**
 * Finds the session hotkeys (pause, marker, optional prefix) in keyboard input, byte by byte,
 * so a key is found anywhere in a read (fast typing, pastes) and across reads — not only when a
 * whole read equals it.
 *
 * @module
 */

/** What a hotkey does. */
export type KeyAction = "pause" | "marker";

/** Input in order: bytes for the child, or a hotkey action (its bytes are swallowed). */
export type KeyItem = Uint8Array | KeyAction;

/** Hotkey bytes; `null` or absent disables a binding. */
export interface KeyBindings {
  /** Toggles pause. */
  pauseKey?: Uint8Array | null;
  /** Adds a marker. */
  markerKey?: Uint8Array | null;
  /** When set, the other keys act only right after it; pressed twice it sends itself once. */
  prefixKey?: Uint8Array | null;
}

interface Binding {
  bytes: Uint8Array;
  action: KeyAction | "prefix";
}

function usable(key: Uint8Array | null | undefined): key is Uint8Array {
  return key !== null && key !== undefined && key.length > 0;
}

/**
 * Scans input for hotkeys.
 *
 * @example
 * ```ts
 * import { KeyScanner } from "./_key_scanner.ts";
 * const keys = new KeyScanner({ pauseKey: new Uint8Array([0x1c]) });
 * keys.feed(new Uint8Array([0x61, 0x1c, 0x62])); // [Uint8Array [0x61], "pause", Uint8Array [0x62]]
 * ```
 */
export class KeyScanner {
  #normal: Binding[];
  #afterPrefix: Binding[];
  #prefixed = false;
  #partial: number[] = [];
  #firstBytes: Set<number>;

  /** Makes a scanner for the given bindings. */
  constructor(bindings: KeyBindings) {
    const actions: Binding[] = [];
    if (usable(bindings.pauseKey)) actions.push({ bytes: bindings.pauseKey, action: "pause" });
    if (usable(bindings.markerKey)) actions.push({ bytes: bindings.markerKey, action: "marker" });
    if (usable(bindings.prefixKey)) {
      const prefix: Binding = { bytes: bindings.prefixKey, action: "prefix" };
      this.#normal = [prefix];
      this.#afterPrefix = [...actions, prefix];
    } else {
      this.#normal = actions;
      this.#afterPrefix = actions;
    }
    this.#firstBytes = new Set(this.#normal.map((k) => k.bytes[0]!));
  }

  /** Whether bytes are held back as the start of a multi-byte hotkey. */
  get holding(): boolean {
    return this.#partial.length > 0;
  }

  /** Scans a chunk of input. */
  feed(chunk: Uint8Array): KeyItem[] {
    const items: KeyItem[] = [];
    const out: number[] = [];
    if (this.#normal.length === 0) return chunk.length > 0 ? [chunk] : [];
    for (const b of chunk) this.#scan(b, out, items);
    if (out.length > 0) items.push(new Uint8Array(out));
    return items;
  }

  /** Gives up on a held partial hotkey: returns its bytes, to be forwarded. */
  flush(): Uint8Array {
    const bytes = new Uint8Array(this.#partial);
    this.#partial = [];
    if (bytes.length > 0) this.#prefixed = false;
    return bytes;
  }

  #scan(b: number, out: number[], items: KeyItem[]): void {
    if (this.#partial.length === 0 && !this.#prefixed && !this.#firstBytes.has(b)) {
      out.push(b);
      return;
    }
    const candidate = [...this.#partial, b];
    const active = this.#prefixed ? this.#afterPrefix : this.#normal;
    const exact = active.find((k) => sameBytes(k.bytes, candidate));
    if (exact) {
      this.#partial = [];
      if (exact.action === "prefix") {
        if (this.#prefixed) {
          out.push(...exact.bytes);
          this.#prefixed = false;
        } else {
          this.#prefixed = true;
        }
        return;
      }
      this.#prefixed = false;
      if (out.length > 0) items.push(new Uint8Array(out.splice(0)));
      items.push(exact.action);
      return;
    }
    if (active.some((k) => startsWith(k.bytes, candidate))) {
      this.#partial = candidate;
      return;
    }
    if (this.#partial.length === 0) {
      out.push(b);
      this.#prefixed = false;
      return;
    }
    // The held bytes were not a hotkey: pass the first on and look again at the rest.
    const [first, ...rest] = candidate;
    out.push(first!);
    this.#partial = [];
    this.#prefixed = false;
    for (const r of rest) this.#scan(r, out, items);
  }
}

function sameBytes(key: Uint8Array, bytes: number[]): boolean {
  return key.length === bytes.length && bytes.every((b, i) => key[i] === b);
}

function startsWith(key: Uint8Array, bytes: number[]): boolean {
  return key.length > bytes.length && bytes.every((b, i) => key[i] === b);
}
