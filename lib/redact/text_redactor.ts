/**
 * Redacting one stream of text as it comes: terminal output (what a viewer sees: the
 * visible characters, with colour changes in between ignored, escape sequences left whole,
 * and the payloads of OSC/DCS strings such as window titles, hyperlinks and the working
 * directory) or typed input. Each secret character becomes as many `*` as the cells it
 * takes, so the screen around it stays right. Text that might still turn out to be part of a
 * secret is held back; the caller asks how far it may release, and when a hold has lasted
 * long enough, settles it.
 *
 * @module
 */
import { textWidth } from "../vt/text_width.ts";
import { BOUNDARY, type PatternMatch, StreamMatcher } from "./matcher.ts";
import type { CompiledRules } from "./rules.ts";

/** What a stream of text is. */
export type TextKind = "terminal" | "input";

/** A match found, as reported to the caller (never with the secret). */
export interface FoundSecret {
  /** The rule's name. */
  rule: string;
  /** Characters redacted. */
  length: number;
}

const enum S {
  Ground,
  Esc,
  EscInter,
  Csi,
  Str, // OSC, DCS, SOS, PM, APC: up to BEL or ST
  StrEsc, // ESC inside a string: ST if `\` follows
}

/** An OSC or DCS payload longer than this is settled in parts. */
const MAX_STRING = 64 * 1024;

/**
 * One stream's redactor.
 *
 * @example
 * ```ts
 * import { compileRules } from "./rules.ts";
 * import { TextRedactor } from "./text_redactor.ts";
 * const r = new TextRedactor(compileRules([{ name: "t", pattern: "s3cr3t" }]), "terminal");
 * r.append("the s3cr3t is out\r\n");
 * r.finish();
 * r.take(r.releasable()); // "the ****** is out\r\n"
 * ```
 */
export class TextRedactor {
  readonly #rules: CompiledRules;
  readonly #kind: TextKind;
  readonly #onFound: ((found: FoundSecret) => void) | undefined;
  readonly #matcher: StreamMatcher;
  /** Unreleased text; `#base` is the absolute offset of its first character. */
  #raw = "";
  #base = 0;
  /** Raw offsets of visible positions from `#visBase` on (a boundary: `-(offset + 1)`). */
  #vis: number[] = [];
  #visBase = 0;
  /** Absolute raw offsets of characters to replace. */
  #redact = new Set<number>();
  #state = S.Ground;
  /** Where the open OSC/DCS string's payload starts (absolute raw offset). */
  #strStart = -1;
  /** The open string's payload: code points and their raw offsets. */
  #strChars: number[] = [];
  #strRaw: number[] = [];
  #csiFinalTransparent = false;
  /** Visible position where a block (a private key's body) began, while one is open. */
  #blockStart: number | undefined;
  readonly #trigger: RegExp;
  readonly #tail: number;

  /** A redactor for one stream; `onFound` is told about each secret (rule and length). */
  constructor(
    rules: CompiledRules,
    kind: TextKind,
    onFound?: (found: FoundSecret) => void,
  ) {
    this.#rules = rules;
    this.#kind = kind;
    this.#onFound = onFound;
    this.#matcher = new StreamMatcher(rules.programs);
    // Each redactor its own copy: the search keeps its position in `lastIndex`.
    this.#trigger = new RegExp(rules.trigger.source, rules.trigger.flags);
    this.#tail = rules.longest;
  }

  /** Absolute offset of the end of the text appended so far. */
  get end(): number {
    return this.#base + this.#raw.length;
  }

  /** Absolute offset of the first character not yet taken. */
  get released(): number {
    return this.#base;
  }

  /** Appends text (a string of the stream, already decoded). */
  append(text: string): void {
    const start = this.end;
    this.#raw += text;
    const n = text.length;
    const trigger = this.#trigger;
    let i = 0;
    while (i < n) {
      // A private key's begin line may just have completed: a block is never skipped.
      if (this.#matcher.hasMatches) this.#collect();
      if (this.#state === S.Ground && this.#blockStart === undefined && this.#matcher.idle) {
        // Nothing under way: skip, unexamined, to where a secret or a sequence may begin
        // (keeping the chunk's end, which may begin one that the next chunk completes).
        trigger.lastIndex = i;
        const found = trigger.exec(text);
        let stop = found ? found.index : Math.max(i, n - this.#tail);
        const c = text.charCodeAt(stop);
        if (stop > i && stop < n && c >= 0xdc00 && c <= 0xdfff) stop--;
        if (stop > i) {
          const last = text.charCodeAt(stop - 1);
          this.#matcher.skip(stop - i, last < 32 ? _c0(last) : last);
          this.#vis = [];
          this.#visBase = this.#matcher.position;
          i = stop;
          if (i >= n) break;
        }
      }
      let c = text.charCodeAt(i);
      const at = start + i;
      i++;
      if (c >= 0xd800 && c <= 0xdbff && i < n) {
        const low = text.charCodeAt(i);
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (this.#kind === "input") this.#input(c, at);
      else this.#terminal(c, at);
    }
    this.#collect();
  }

  #visible(c: number, at: number): void {
    this.#vis.push(at);
    this.#matcher.push(c);
  }

  #boundary(at: number): void {
    this.#vis.push(-(at + 1));
    this.#matcher.push(BOUNDARY);
  }

  #input(c: number, at: number): void {
    if (c >= 32 && c !== 0x7f) this.#visible(c, at);
    else if (c === 10 || c === 13 || c === 9) this.#visible(c, at);
    else this.#boundary(at);
  }

  #terminal(c: number, at: number): void {
    switch (this.#state) {
      case S.Ground:
        if (c === 0x1b) this.#state = S.Esc;
        else if (c >= 32 && c !== 0x7f && (c < 0x80 || c > 0x9f)) this.#visible(c, at);
        else if (c === 10 || c === 13 || c === 9) this.#visible(c, at);
        else if (c === 8) this.#boundary(at); // a backspace moves the cursor back
        // Other controls (BEL, SO/SI…) change nothing a pattern could see.
        return;
      case S.Esc:
        if (c === 0x5b) { // [
          this.#state = S.Csi;
          this.#csiFinalTransparent = true;
        } else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) {
          // ] P X ^ _: a string up to ST
          this.#state = S.Str;
          this.#strStart = at + 1;
          this.#strChars = [];
          this.#strRaw = [];
        } else if (c >= 0x20 && c <= 0x2f) this.#state = S.EscInter; // ( ) # …: designations
        else {
          this.#state = c === 0x1b ? S.Esc : S.Ground;
          if (c !== 0x1b) this.#boundary(at); // ESC 7, ESC M, ESC c: the cursor may move
        }
        return;
      case S.EscInter:
        if (c >= 0x30 && c <= 0x7e) this.#state = S.Ground;
        else if (c === 0x1b) this.#state = S.Esc;
        return;
      case S.Csi:
        if (c >= 0x40 && c <= 0x7e) {
          this.#state = S.Ground;
          // SGR (colours) and EL (erase to the end of the line, sent with echoed typing)
          // leave the cursor where it is: the text around them is contiguous.
          if (!(this.#csiFinalTransparent && (c === 0x6d || c === 0x4b))) this.#boundary(at);
        } else if (c === 0x1b) this.#state = S.Esc;
        else if (c < 0x20 || c > 0x7e) {
          // A control inside a CSI is executed by terminals; anything else aborts it.
          if (c >= 0x20) this.#state = S.Ground;
        } else if (c >= 0x3c && c <= 0x3f) this.#csiFinalTransparent = false; // private
        return;
      case S.Str:
        if (c === 0x07 || c === 0x9c) this.#endString(at);
        else if (c === 0x1b) this.#state = S.StrEsc;
        else {
          this.#strChars.push(c);
          this.#strRaw.push(at);
          if (this.#strChars.length >= MAX_STRING) this.#settleString();
        }
        return;
      case S.StrEsc:
        if (c === 0x5c) this.#endString(at);
        else {
          // ESC ends the string (as in xterm) and starts a new sequence.
          this.#endString(at);
          this.#state = S.Esc;
          this.#terminal(c, at);
        }
        return;
    }
  }

  #endString(_at: number): void {
    this.#state = S.Ground;
    this.#settleString();
    this.#strStart = -1;
  }

  /** Redacts the open string's payload so far (it is invisible: no hold needed for it). */
  #settleString(): void {
    const chars = this.#strChars;
    if (chars.length > 0) {
      const m = new StreamMatcher(this.#rules.programs);
      for (const c of chars) m.push(c);
      m.finish();
      for (const match of m.takeMatches()) {
        if (match.spans.every(([s, e]) => chars.slice(s, e).every((c) => c === 42))) continue;
        this.#report(match);
        for (const [s, e] of match.spans) {
          for (let i = s; i < e; i++) this.#redact.add(this.#strRaw[i]!);
        }
      }
    }
    this.#strChars = [];
    this.#strRaw = [];
    if (this.#strStart !== -1) this.#strStart = this.end;
  }

  #report(match: PatternMatch): void {
    const rule = this.#rules.rules[match.rule]!;
    if (rule.kind !== "secret") return;
    const length = match.spans.reduce((n, [s, e]) => n + e - s, 0);
    this.#onFound?.({ rule: rule.name, length });
  }

  /** Applies the matches the matcher completed. */
  #collect(): void {
    for (const match of this.#matcher.takeMatches()) {
      const rule = this.#rules.rules[match.rule]!;
      if (rule.kind === "block-begin") {
        if (this.#blockStart === undefined) this.#blockStart = match.end;
        continue;
      }
      if (rule.kind === "block-end") {
        if (this.#blockStart !== undefined) {
          this.#redactVisible(this.#blockStart, match.start, true);
          this.#onFound?.({ rule: rule.name, length: match.start - this.#blockStart });
          this.#blockStart = undefined;
        }
        continue;
      }
      if (this.#alreadyRedacted(match)) continue;
      this.#report(match);
      for (const [s, e] of match.spans) this.#redactVisible(s, e, false);
    }
  }

  /** A match of nothing but stars is a secret redacted before (`password=****`): left alone. */
  #alreadyRedacted(match: PatternMatch): boolean {
    for (const [s, e] of match.spans) {
      for (let p = Math.max(s, this.#visBase); p < e; p++) {
        const at = this.#vis[p - this.#visBase];
        if (at === undefined || at < 0 || at < this.#base) return false;
        if (this.#raw.charCodeAt(at - this.#base) !== 42) return false;
      }
    }
    return true;
  }

  /** Marks visible positions [from, to) for redaction (line breaks stay, in a block). */
  #redactVisible(from: number, to: number, keepBreaks: boolean): void {
    for (let p = Math.max(from, this.#visBase); p < to; p++) {
      const at = this.#vis[p - this.#visBase];
      if (at === undefined || at < 0 || at < this.#base) continue;
      if (keepBreaks) {
        const c = this.#raw.charCodeAt(at - this.#base);
        if (c === 10 || c === 13) continue;
      }
      this.#redact.add(at);
    }
  }

  /** Absolute offset up to which the text may be released now. */
  releasable(): number {
    let limit = this.end;
    const settled = this.#matcher.settled;
    if (settled < this.#matcher.position) {
      const at = this.#vis[settled - this.#visBase];
      if (at !== undefined) limit = Math.min(limit, at < 0 ? -at - 1 : at);
    }
    if (this.#strStart !== -1) limit = Math.min(limit, this.#strStart);
    return Math.max(this.#base, limit);
  }

  /**
   * Takes the text up to absolute offset `upTo` (at most {@linkcode releasable}), secrets
   * replaced.
   */
  take(upTo: number): string {
    if (upTo <= this.#base) return "";
    if (this.#blockStart !== undefined) {
      // Inside a private key block: everything visible so far is its body.
      const settledVis = this.#visibleBefore(upTo);
      this.#redactVisible(this.#blockStart, settledVis, true);
    }
    const raw = this.#raw;
    const n = upTo - this.#base;
    let out = "";
    if (this.#redact.size === 0) out = n === raw.length ? raw : raw.slice(0, n);
    else {
      let from = 0;
      for (let i = 0; i < n; i++) {
        const at = this.#base + i;
        if (!this.#redact.has(at)) continue;
        this.#redact.delete(at);
        const c = raw.codePointAt(i)!;
        const len = c > 0xffff ? 2 : 1;
        out += raw.slice(from, i) + "*".repeat(textWidth(String.fromCodePoint(c)));
        from = i + len;
        i += len - 1;
      }
      out += raw.slice(from, n);
    }
    this.#raw = raw.slice(n);
    this.#base = upTo;
    // Visible positions before the released text are no longer needed.
    let drop = 0;
    while (drop < this.#vis.length) {
      const at = this.#vis[drop]!;
      if ((at < 0 ? -at - 1 : at) >= upTo) break;
      drop++;
    }
    if (drop > 0) {
      this.#vis = this.#vis.slice(drop);
      this.#visBase += drop;
    }
    return out;
  }

  /** The first visible position at or after raw offset `upTo`. */
  #visibleBefore(upTo: number): number {
    let p = 0;
    while (p < this.#vis.length) {
      const at = this.#vis[p]!;
      if ((at < 0 ? -at - 1 : at) >= upTo) break;
      p++;
    }
    return this.#visBase + p;
  }

  /**
   * A hold has lasted long enough: matches under way are completed as they stand or given
   * up (their text is let through), and an open string is redacted so far.
   */
  settle(): void {
    this.#matcher.finish();
    this.#collect();
    if (this.#strStart !== -1) this.#settleString();
  }

  /** The stream ended: completes what can complete; everything becomes releasable. */
  finish(): void {
    this.settle();
    this.#strStart = -1;
    this.#state = S.Ground;
    if (this.#blockStart !== undefined) {
      // A key block that never ended: all of it stays redacted.
      this.#redactVisible(this.#blockStart, this.#matcher.position, true);
    }
  }
}

/** A control character as the matcher sees it after a fast-path skip. */
function _c0(c: number): number {
  return c === 10 || c === 13 || c === 9 ? c : BOUNDARY;
}
