/**
 * Redaction patterns: a linear-time subset of JavaScript regular expressions, compiled to a
 * program for a Pike VM (`matcher.ts`). Linear time matters twice here: terminal output is
 * partly written by whoever controls what is printed, so a pattern must never backtrack
 * exponentially on it, and a stream is matched one character at a time, so the matcher must
 * know at every point whether a match could still be under way (to hold those characters
 * back) — which a backtracking engine cannot tell.
 *
 * Supported: literals and escapes (`\d \w \s \D \W \S \t \n \r \f \v \0 \xHH \uHHHH
 * \u{H…}` and escaped punctuation), `.`, classes `[a-z…]` and `[^…]`, groups `(…)` and
 * `(?:…)`, alternation, quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy), anchors `^ $`
 * (line starts and ends) and `\b \B`, and a leading `(?i)` for case-insensitive matching.
 * Not supported (a clear error): backreferences and lookaround, which cannot run in linear
 * time. Capturing groups mark what is secret: when a pattern has any, only their text is
 * redacted (`password=(\S+)` keeps `password=`).
 *
 * @module
 */

/** One VM instruction. */
export type Inst =
  | { op: "char"; set: CharSet; next: number }
  | { op: "split"; x: number; y: number }
  | { op: "jmp"; next: number }
  | { op: "save"; slot: number; next: number }
  | { op: "assert"; kind: "^" | "$" | "\\b" | "\\B"; next: number }
  | { op: "match" };

/** A set of code points: sorted, disjoint inclusive ranges, possibly negated. */
export interface CharSet {
  ranges: number[]; // [lo0, hi0, lo1, hi1, …]
  negated: boolean;
  /** Membership of the ASCII code points, precomputed. */
  ascii: Uint8Array;
}

/** A compiled pattern. */
export interface Program {
  /** The instructions; execution starts at 0. */
  insts: Inst[];
  /** Capturing groups (0: none, the whole match is secret). */
  groups: number;
  /** Case-insensitive. */
  ignoreCase: boolean;
  /** The pattern as written. */
  source: string;
}

/** The largest program a pattern may compile to (bounded repetition expands). */
export const MAX_PROGRAM = 20_000;

/** A pattern that cannot be used, with the reason. */
export class PatternError extends SyntaxError {
  /** A pattern error naming the pattern. */
  constructor(pattern: string, reason: string) {
    super(`invalid redaction pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = "PatternError";
  }
}

type Node =
  | { t: "set"; set: CharSet }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; node: Node; min: number; max: number; lazy: boolean }
  | { t: "group"; node: Node; capture: number }
  | { t: "assert"; kind: "^" | "$" | "\\b" | "\\B" };

function makeSet(ranges: number[], negated: boolean): CharSet {
  const sorted: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) sorted.push([ranges[i]!, ranges[i + 1]!]);
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = merged.length - 1;
    if (last > 0 && lo <= merged[last]! + 1) merged[last] = Math.max(merged[last]!, hi);
    else merged.push(lo, hi);
  }
  const key = `${negated ? "^" : ""}${merged.join(",")}`;
  const known = SETS.get(key);
  if (known) return known;
  const ascii = new Uint8Array(128);
  if (negated) ascii.fill(1);
  for (let i = 0; i < merged.length && merged[i]! < 128; i += 2) {
    ascii.fill(negated ? 0 : 1, merged[i]!, Math.min(merged[i + 1]!, 127) + 1);
  }
  const set = { ranges: merged, negated, ascii };
  SETS.set(key, set);
  return set;
}

/**
 * Sets made so far, by their ranges: a set is never changed once made, so patterns share
 * them (a case-insensitive keyword makes the same few again and again).
 */
const SETS = new Map<string, CharSet>();

function inRanges(ranges: number[], c: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (c < ranges[i]!) return false;
    if (c <= ranges[i + 1]!) return true;
  }
  return false;
}

/** Whether code point `c` is in `set`. */
export function setHas(set: CharSet, c: number): boolean {
  if (c < 128) return set.ascii[c] === 1;
  return inRanges(set.ranges, c) !== set.negated;
}

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE = [
  9,
  13,
  32,
  32,
  0xa0,
  0xa0,
  0x1680,
  0x1680,
  0x2000,
  0x200a,
  0x2028,
  0x2029,
  0x202f,
  0x202f,
  0x205f,
  0x205f,
  0x3000,
  0x3000,
  0xfeff,
  0xfeff,
];

/** Adds the other case of every ASCII letter in `ranges` (for `(?i)`). */
function foldCase(ranges: number[]): number[] {
  const out = [...ranges];
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i]!;
    const hi = ranges[i + 1]!;
    const upperLo = Math.max(lo, 65);
    const upperHi = Math.min(hi, 90);
    if (upperLo <= upperHi) out.push(upperLo + 32, upperHi + 32);
    const lowerLo = Math.max(lo, 97);
    const lowerHi = Math.min(hi, 122);
    if (lowerLo <= lowerHi) out.push(lowerLo - 32, lowerHi - 32);
  }
  return out;
}

class _Parser {
  pos = 0;
  groups = 0;
  constructor(readonly src: string, readonly pattern: string, readonly ignoreCase: boolean) {}

  fail(reason: string): never {
    throw new PatternError(this.pattern, reason);
  }

  peek(): string | undefined {
    return this.src[this.pos];
  }

  parse(): Node {
    const node = this.alt();
    if (this.pos < this.src.length) this.fail(`unexpected ${JSON.stringify(this.peek())}`);
    return node;
  }

  alt(): Node {
    const items = [this.cat()];
    while (this.peek() === "|") {
      this.pos++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: "alt", items };
  }

  cat(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.peek() !== "|" && this.peek() !== ")") {
      items.push(this.repeat(this.atom()));
    }
    return { t: "cat", items };
  }

  repeat(node: Node): Node {
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === "*") [min, max] = [0, Infinity];
      else if (c === "+") [min, max] = [1, Infinity];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{" && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        if (max < min) this.fail(`{${min},${max}}: the numbers are out of order`);
        if (min > 1000 || (max !== Infinity && max > 1000)) this.fail("a count over 1000");
        this.pos += m[0].length - 1;
      } else return node;
      this.pos++;
      if (node.t === "assert") this.fail("a quantifier after an anchor");
      const lazy = this.peek() === "?";
      if (lazy) this.pos++;
      node = { t: "rep", node, min, max, lazy };
    }
  }

  atom(): Node {
    const c = this.src[this.pos++]!;
    switch (c) {
      case "(": {
        let capture = 0;
        if (this.src.startsWith("?:", this.pos)) this.pos += 2;
        else if (this.peek() === "?") {
          this.fail("lookaround and other (?…) groups are not supported (they are not linear)");
        } else capture = ++this.groups;
        const node = this.alt();
        if (this.src[this.pos++] !== ")") this.fail("a group is not closed");
        return { t: "group", node, capture };
      }
      case ")":
        return this.fail("unbalanced )");
      case "[":
        return { t: "set", set: this.charClass() };
      case ".":
        return { t: "set", set: makeSet([10, 10, 13, 13], true) };
      case "^":
      case "$":
        return { t: "assert", kind: c };
      case "\\":
        return this.escape(false) as Node;
      case "*":
      case "+":
      case "?":
        return this.fail(`nothing to repeat before ${c}`);
      default: {
        const cp = this.src.codePointAt(this.pos - 1)!;
        if (cp > 0xffff) this.pos++;
        return { t: "set", set: this.literal(cp) };
      }
    }
  }

  literal(cp: number): CharSet {
    const ranges = [cp, cp];
    return makeSet(this.ignoreCase ? foldCase(ranges) : ranges, false);
  }

  /** After a backslash: a set, or (in a class) ranges for a single character. */
  escape(inClass: boolean): Node | number[] {
    const c = this.src[this.pos++];
    if (c === undefined) this.fail("a trailing backslash");
    const single = (cp: number): Node | number[] =>
      inClass ? [cp, cp] : { t: "set", set: this.literal(cp) };
    switch (c) {
      case "d":
      case "D":
      case "w":
      case "W":
      case "s":
      case "S": {
        const ranges = c.toLowerCase() === "d" ? DIGIT : c.toLowerCase() === "w" ? WORD : SPACE;
        const negated = c === c.toUpperCase();
        if (inClass) {
          if (negated) this.fail(`\\${c} inside a class is not supported`);
          return ranges;
        }
        return { t: "set", set: makeSet(ranges, negated) };
      }
      case "b":
      case "B":
        if (inClass) return c === "b" ? [8, 8] : this.fail("\\B inside a class");
        return { t: "assert", kind: `\\${c}` as "\\b" | "\\B" };
      case "t":
        return single(9);
      case "n":
        return single(10);
      case "r":
        return single(13);
      case "f":
        return single(12);
      case "v":
        return single(11);
      case "0":
        return single(0);
      case "x": {
        const m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.pos));
        if (!m) this.fail("\\x needs two hex digits");
        this.pos += 2;
        return single(parseInt(m[0], 16));
      }
      case "u": {
        const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(this.src.slice(this.pos));
        if (!m) this.fail("\\u needs four hex digits or {…}");
        this.pos += m[0].length;
        return single(parseInt(m[1] ?? m[2]!, 16));
      }
      default:
        if (/[1-9]/.test(c!)) return this.fail("backreferences are not supported");
        if (/[a-zA-Z]/.test(c!)) return this.fail(`unknown escape \\${c}`);
        return single(this.src.codePointAt(this.pos - 1)!);
    }
  }

  charClass(): CharSet {
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.pos++;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) this.fail("a class is not closed");
      let c = this.src[this.pos]!;
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      let lo: number[];
      if (c === "\\") {
        this.pos++;
        lo = this.escape(true) as number[];
      } else {
        const cp = this.src.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        lo = [cp, cp];
      }
      c = this.src[this.pos]!;
      if (
        c === "-" && this.src[this.pos + 1] !== "]" && this.pos + 1 < this.src.length &&
        lo.length === 2 && lo[0] === lo[1]
      ) {
        this.pos++;
        let hi: number[];
        if (this.src[this.pos] === "\\") {
          this.pos++;
          hi = this.escape(true) as number[];
        } else {
          const cp = this.src.codePointAt(this.pos)!;
          this.pos += cp > 0xffff ? 2 : 1;
          hi = [cp, cp];
        }
        if (hi.length !== 2 || hi[0] !== hi[1]) this.fail("a range ends in a class");
        if (hi[0]! < lo[0]!) this.fail("a range out of order");
        ranges.push(lo[0]!, hi[0]!);
      } else {
        ranges.push(...lo);
      }
    }
    return makeSet(this.ignoreCase ? foldCase(ranges) : ranges, negated);
  }
}

/**
 * Compiles a pattern. `(?i)` at its start makes it case-insensitive; so does the `i` flag
 * of a `/…/i` pattern.
 *
 * @throws {PatternError} for syntax this engine does not run.
 * @example
 * ```ts
 * import { compilePattern } from "./pattern.ts";
 * compilePattern("password=(\\S+)").groups; // 1
 * ```
 */
export function compilePattern(pattern: string): Program {
  let src = pattern;
  let ignoreCase = false;
  const slashes = /^\/(.*)\/([a-z]*)$/s.exec(src);
  if (slashes) {
    src = slashes[1]!;
    for (const flag of slashes[2]!) {
      if (flag === "i") ignoreCase = true;
      else if (flag !== "u" && flag !== "g") {
        throw new PatternError(pattern, `flag ${flag} is not supported`);
      }
    }
  }
  if (src.startsWith("(?i)")) {
    ignoreCase = true;
    src = src.slice(4);
  }
  if (src === "") throw new PatternError(pattern, "it is empty");
  const parser = new _Parser(src, pattern, ignoreCase);
  const tree = parser.parse();
  const insts: Inst[] = [];
  const emit = (inst: Inst): number => {
    if (insts.length >= MAX_PROGRAM) throw new PatternError(pattern, "it is too large");
    insts.push(inst);
    return insts.length - 1;
  };
  const compile = (node: Node): void => {
    switch (node.t) {
      case "set":
        emit({ op: "char", set: node.set, next: insts.length + 1 });
        return;
      case "assert":
        emit({ op: "assert", kind: node.kind, next: insts.length + 1 });
        return;
      case "cat":
        for (const item of node.items) compile(item);
        return;
      case "group":
        if (node.capture > 0) emit({ op: "save", slot: 2 * node.capture, next: insts.length + 1 });
        compile(node.node);
        if (node.capture > 0) {
          emit({ op: "save", slot: 2 * node.capture + 1, next: insts.length + 1 });
        }
        return;
      case "alt": {
        const jumps: number[] = [];
        for (let i = 0; i < node.items.length; i++) {
          if (i < node.items.length - 1) {
            const split = emit({ op: "split", x: insts.length + 1, y: -1 });
            compile(node.items[i]!);
            jumps.push(emit({ op: "jmp", next: -1 }));
            (insts[split] as { y: number }).y = insts.length;
          } else compile(node.items[i]!);
        }
        for (const j of jumps) (insts[j] as { next: number }).next = insts.length;
        return;
      }
      case "rep": {
        const { min, max, lazy } = node;
        for (let i = 0; i < min; i++) compile(node.node);
        if (max === Infinity) {
          const loop = emit({ op: "split", x: -1, y: -1 });
          compile(node.node);
          emit({ op: "jmp", next: loop });
          const inst = insts[loop] as { x: number; y: number };
          [inst.x, inst.y] = lazy ? [insts.length, loop + 1] : [loop + 1, insts.length];
        } else {
          const splits: number[] = [];
          for (let i = min; i < max; i++) {
            splits.push(emit({ op: "split", x: -1, y: -1 }));
            compile(node.node);
          }
          for (const s of splits) {
            const inst = insts[s] as { x: number; y: number };
            [inst.x, inst.y] = lazy ? [insts.length, s + 1] : [s + 1, insts.length];
          }
        }
        return;
      }
    }
  };
  compile(tree);
  emit({ op: "match" });
  if (matchesEmpty(insts)) {
    throw new PatternError(pattern, "it matches empty text (it would match everywhere)");
  }
  return { insts, groups: parser.groups, ignoreCase, source: pattern };
}

/** Whether the program can reach its match without reading a character. */
function matchesEmpty(insts: Inst[]): boolean {
  const seen = new Set<number>();
  const reach = (pc: number): boolean => {
    if (seen.has(pc)) return false;
    seen.add(pc);
    const inst = insts[pc]!;
    switch (inst.op) {
      case "match":
        return true;
      case "char":
        return false;
      case "split":
        return reach(inst.x) || reach(inst.y);
      default:
        return reach(inst.next);
    }
  };
  return reach(0);
}

/** The longest literal prefix taken into a trigger. */
const TRIGGER_PREFIX = 12;

/**
 * A JavaScript regular expression source that finds every position where a match of
 * `program` can begin (and maybe more): the alternatives of its literal prefix when it has
 * one (`(?:[pP][aA][sS][sS]…|…)`), else the class of its first characters. A stream can skip
 * text up to the next such position without running the program on it. Also returns the
 * longest prefix length (how much of a chunk's end must be looked at in case a prefix
 * continues in the next chunk), and the characters that begin it, as the inside of a
 * character class.
 *
 * @example
 * ```ts
 * import { compilePattern, triggerOf } from "./pattern.ts";
 * triggerOf(compilePattern("ghp_[a-z]+")).source; // "ghp_"
 * ```
 */
export function triggerOf(program: Program): { source: string; longest: number; first: string } {
  const prefixes: string[][] = [];
  let ok = true;
  const walk = (pc: number, prefix: string[], seen: Set<number>) => {
    if (!ok) return;
    if (prefixes.length > 32) {
      ok = false;
      return;
    }
    const inst = program.insts[pc]!;
    switch (inst.op) {
      case "char": {
        const unit = prefix.length < TRIGGER_PREFIX ? _literalUnit(inst.set) : undefined;
        if (unit === undefined) {
          if (prefix.length === 0) ok = false;
          else prefixes.push(prefix);
          return;
        }
        walk(inst.next, [...prefix, unit], seen);
        return;
      }
      case "split":
        // Branches are followed only before the first literal character (a leading
        // alternation); after it, the prefix ends where the pattern branches or loops.
        if (prefix.length > 0) {
          prefixes.push(prefix);
          return;
        }
        if (seen.has(pc)) {
          ok = false;
          return;
        }
        seen.add(pc);
        walk(inst.x, prefix, seen);
        walk(inst.y, prefix, seen);
        seen.delete(pc);
        return;
      case "jmp":
      case "save":
      case "assert":
        walk(inst.next, prefix, seen);
        return;
      case "match":
        if (prefix.length === 0) ok = false;
        else prefixes.push(prefix);
        return;
    }
  };
  walk(0, [], new Set());
  if (ok && prefixes.length > 0) {
    return {
      source: prefixes.map((p) => p.join("")).join("|"),
      longest: Math.max(...prefixes.map((p) => p.length)),
      // A unit is `x`, `\u{…}` or `[xy]`: inside a class, the first two stand as they are.
      first: prefixes.map((p) => p[0]!.startsWith("[") ? p[0]!.slice(1, -1) : p[0]!).join(""),
    };
  }
  // No literal prefix: every character that can begin a match.
  const firsts: CharSet[] = [];
  const seen = new Set<number>();
  const first = (pc: number) => {
    if (seen.has(pc)) return;
    seen.add(pc);
    const inst = program.insts[pc]!;
    if (inst.op === "char") firsts.push(inst.set);
    else if (inst.op === "split") {
      first(inst.x);
      first(inst.y);
    } else if (inst.op !== "match") first(inst.next);
  };
  first(0);
  let cls = "";
  let nonAscii = false;
  for (const set of firsts) {
    if (set.negated || set.ranges.some((_, i) => i % 2 === 1 && set.ranges[i]! >= 128)) {
      nonAscii = true;
    }
  }
  for (let c = 0; c < 128; c++) {
    if (firsts.some((set) => setHas(set, c))) cls += `\\x${c.toString(16).padStart(2, "0")}`;
  }
  if (nonAscii) cls += "\\u0080-\\uffff";
  return { source: cls === "" ? "(?!)" : `[${cls}]`, longest: 1, first: cls };
}

/** One literal character of a prefix as regex source: `a`, `[aA]`, or undefined. */
function _literalUnit(set: CharSet): string | undefined {
  if (set.negated) return undefined;
  const r = set.ranges;
  const escape = (c: number) =>
    c < 0x20 || c > 0x7e || /[\\^$.*+?()[\]{}|\/-]/.test(String.fromCharCode(c))
      ? `\\u{${c.toString(16)}}`
      : String.fromCharCode(c);
  if (r.length === 2 && r[0] === r[1]) return escape(r[0]!);
  if (r.length === 4 && r[0] === r[1] && r[2] === r[3]) {
    return `[${escape(r[0]!)}${escape(r[2]!)}]`;
  }
  return undefined;
}
