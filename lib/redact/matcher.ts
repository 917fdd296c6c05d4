/**
 * Streaming matching of redaction patterns: a Pike VM per pattern, fed one character at a
 * time, that finds leftmost-first matches (as JavaScript's regular expressions do) in linear
 * time and says at every point how far back a match could still begin — so the caller knows
 * which characters it must hold back and which it may let through.
 *
 * Characters are code points; {@linkcode BOUNDARY} separates text that is not contiguous on
 * the screen (a cursor jump): it is a line break for `^`/`$`, a non-word character for
 * `\b`, and no pattern character matches it.
 *
 * @module
 */
import { type CharSet, type Inst, type Program, setHas } from "./pattern.ts";

/** Separates runs of text that are not contiguous. */
export const BOUNDARY = -1;
/** The end of the stream (for assertions only). */
const END = -2;

/** A completed match: what to redact, in stream positions. */
export interface PatternMatch {
  /** The pattern's index in the matcher. */
  rule: number;
  /** Start of the whole match. */
  start: number;
  /** End of the whole match (exclusive). */
  end: number;
  /** What is secret: the capturing groups' spans, else the whole match. */
  spans: [number, number][];
}

interface _Thread {
  pc: number;
  caps: number[];
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === BOUNDARY || c === END;
}

function assertHolds(kind: string, prev: number, cur: number): boolean {
  switch (kind) {
    case "^":
      return isLineBreak(prev);
    case "$":
      return isLineBreak(cur);
    case "\\b":
      return isWord(prev) !== isWord(cur);
    default:
      return isWord(prev) === isWord(cur);
  }
}

/** The characters that can start a match of `program` (through splits, saves and asserts). */
function firstSets(program: Program): CharSet[] {
  const sets: CharSet[] = [];
  const seen = new Set<number>();
  const visit = (pc: number) => {
    if (seen.has(pc)) return;
    seen.add(pc);
    const inst = program.insts[pc]!;
    switch (inst.op) {
      case "char":
        sets.push(inst.set);
        return;
      case "split":
        visit(inst.x);
        visit(inst.y);
        return;
      case "jmp":
        visit(inst.next);
        return;
      case "save":
      case "assert":
        visit(inst.next);
        return;
      case "match":
        return;
    }
  };
  visit(0);
  return sets;
}

/** What a pattern can start with: worked out once per program, shared by every matcher. */
interface _Starts {
  readonly first: CharSet[];
  /** `firstAscii[c] === 1`: a match may begin with the ASCII character `c`. */
  readonly firstAscii: Uint8Array;
  /** A pattern that can match empty, or starts with a negated set, may start anywhere. */
  readonly firstAll: boolean;
}

const STARTS = new WeakMap<Program, _Starts>();

function startsOf(program: Program): _Starts {
  let starts = STARTS.get(program);
  if (starts === undefined) {
    const first = firstSets(program);
    const firstAscii = new Uint8Array(128);
    for (let c = 0; c < 128; c++) firstAscii[c] = first.some((set) => setHas(set, c)) ? 1 : 0;
    const firstAll = first.length === 0 || first.some((set) => set.negated);
    starts = { first, firstAscii, firstAll };
    STARTS.set(program, starts);
  }
  return starts;
}

/** One pattern's VM state. */
class _RuleVm {
  readonly insts: Inst[];
  readonly slots: number;
  /** What a match of its pattern can start with (shared by every matcher of the program). */
  readonly starts: _Starts;
  /** Threads waiting for their closure at the next position, in priority order. */
  pending: _Thread[] = [];
  /** The best match so far, not final while higher-priority threads live. */
  best: number[] | undefined;
  /** Closure bookkeeping: `mark[pc] === gen` means pc was reached in this closure. */
  readonly mark: Int32Array;
  gen = 0;

  constructor(readonly program: Program, readonly rule: number) {
    this.insts = program.insts;
    this.mark = new Int32Array(program.insts.length);
    this.slots = 2 + 2 * program.groups;
    this.starts = startsOf(program);
  }

  canStart(c: number): boolean {
    const { first, firstAscii, firstAll } = this.starts;
    if (firstAll) return true;
    if (c >= 0 && c < 128) return firstAscii[c] === 1;
    return c >= 0 && first.some((set) => setHas(set, c));
  }

  /** The earliest position a live thread or the pending match started at. */
  earliest(): number | undefined {
    let min = this.best?.[0];
    for (const t of this.pending) if (min === undefined || t.caps[0]! < min) min = t.caps[0];
    return min;
  }

  reset(): void {
    this.pending = [];
    this.best = undefined;
  }
}

/** For a list of programs: by first character, which of them a match may begin in. */
interface _StartTable {
  /** For each ASCII character, the indices of the programs a match may begin in with it. */
  readonly ascii: number[][];
  /** The indices of the programs that may begin with some non-ASCII character. */
  readonly other: number[];
}

const START_TABLES = new WeakMap<readonly Program[], _StartTable>();

/** The start table of `programs`, built once per list (each redactor makes matchers of one). */
function startTableOf(programs: readonly Program[]): _StartTable {
  let table = START_TABLES.get(programs);
  if (table === undefined) {
    const starts = programs.map(startsOf);
    const indices = starts.map((_, i) => i);
    table = {
      ascii: Array.from(
        { length: 128 },
        (_, c) => indices.filter((i) => starts[i]!.firstAll || starts[i]!.firstAscii[c] === 1),
      ),
      other: indices.filter((i) =>
        starts[i]!.firstAll ||
        starts[i]!.first.some((set) => set.negated || set.ranges.some((r) => r >= 128))
      ),
    };
    START_TABLES.set(programs, table);
  }
  return table;
}

/**
 * Matches several patterns over one stream of characters.
 *
 * @example
 * ```ts
 * import { compilePattern } from "./pattern.ts";
 * import { StreamMatcher } from "./matcher.ts";
 * const m = new StreamMatcher([compilePattern("ghp_[A-Za-z0-9]{4}")]);
 * const text = "x ghp_abcd y";
 * for (const ch of text) m.push(ch.codePointAt(0)!);
 * m.finish();
 * m.takeMatches(); // [{ rule: 0, start: 2, end: 10, spans: [[2, 10]] }]
 * ```
 */
export class StreamMatcher {
  readonly #vms: _RuleVm[];
  /** Code points from `#base` on that a VM may need again (after a match, it resumes there). */
  #buffer: number[] = [];
  #base = 0;
  #pos = 0;
  #prev = BOUNDARY;
  #matches: PatternMatch[] = [];
  /** The VMs with a match under way. */
  #active: _RuleVm[] = [];
  /** For each ASCII character, the VMs a match may begin in with it. */
  readonly #startAscii: _RuleVm[][];
  /** The VMs that may begin with some non-ASCII character. */
  readonly #startOther: _RuleVm[];

  /** A matcher for `programs` (each match names its index). */
  constructor(programs: readonly Program[]) {
    const vms = programs.map((p, i) => new _RuleVm(p, i));
    this.#vms = vms;
    const table = startTableOf(programs);
    this.#startAscii = table.ascii.map((indices) => indices.map((i) => vms[i]!));
    this.#startOther = table.other.map((i) => vms[i]!);
  }

  /** Position of the next character. */
  get position(): number {
    return this.#pos;
  }

  /**
   * The earliest position where a match could still begin or is pending: characters before
   * it are settled (inside a completed match or in none). `position` when nothing is open.
   */
  get settled(): number {
    let min = this.#pos;
    for (const vm of this.#active) {
      const e = vm.earliest();
      if (e !== undefined && e < min) min = e;
    }
    return min;
  }

  /** Whether a match completed since the last {@linkcode StreamMatcher.takeMatches}. */
  get hasMatches(): boolean {
    return this.#matches.length > 0;
  }

  /** Completed matches since the last call, in no particular order. */
  takeMatches(): PatternMatch[] {
    const out = this.#matches;
    this.#matches = [];
    return out;
  }

  /** Feeds one code point (or {@linkcode BOUNDARY}). */
  push(c: number): void {
    const i = this.#pos;
    this.#buffer.push(c);
    this.#pos = i + 1;
    const prev = this.#prev;
    this.#prev = c;
    // Only the VMs with a match under way, and those one may begin in with `c`.
    const starters = c >= 0 && c < 128 ? this.#startAscii[c]! : c >= 128 ? this.#startOther : [];
    const active = this.#active;
    if (active.length === 0 && starters.length === 0) {
      if ((i & 1023) === 0) this.#trim();
      return;
    }
    const next: _RuleVm[] = [];
    for (const vm of active) {
      this.#step(vm, i, prev, c);
      if (vm.best !== undefined || vm.pending.length > 0) next.push(vm);
    }
    for (const vm of starters) {
      if (active.includes(vm)) continue;
      this.#step(vm, i, prev, c);
      if (vm.best !== undefined || vm.pending.length > 0) next.push(vm);
    }
    this.#active = next;
    if ((i & 1023) === 0) this.#trim();
  }

  /** Whether no match is under way (every character so far is settled). */
  get idle(): boolean {
    return this.#active.length === 0;
  }

  /**
   * Whether `c` could begin a match of some pattern (when idle, text without such characters
   * can be {@linkcode StreamMatcher.skip}ped).
   */
  canStart(c: number): boolean {
    return this.#vms.some((vm) => vm.canStart(c));
  }

  /**
   * Advances over `count` characters, the last of them `last`, without looking at them: for
   * text known to start no match while nothing is under way.
   */
  skip(count: number, last: number): void {
    if (count === 0) return;
    this.#pos += count;
    this.#prev = last;
    this.#buffer = [];
    this.#base = this.#pos;
  }

  /** The stream ended (or a hard boundary): completes what can complete, drops the rest. */
  finish(): void {
    for (const vm of this.#vms) {
      this.#closure(vm, this.#pos, this.#prev, END, false);
      if (vm.best) this.#report(vm);
      vm.reset();
    }
    this.#active = [];
    this.#prev = BOUNDARY;
    this.#trim();
  }

  /**
   * Gives up on everything open before `position`: a pending match is taken as it stands,
   * threads that began before it are dropped (their characters were let through).
   */
  settleBefore(position: number): void {
    for (const vm of this.#vms) {
      if (vm.best && vm.best[0]! < position) {
        this.#report(vm);
        vm.reset();
        continue;
      }
      vm.pending = vm.pending.filter((t) => t.caps[0]! >= position);
    }
    this.#active = this.#vms.filter((vm) => vm.best !== undefined || vm.pending.length > 0);
    this.#trim();
  }

  #charAt(i: number): number {
    return this.#buffer[i - this.#base]!;
  }

  #trim(): void {
    const keep = this.settled;
    if (keep - this.#base > 4096) {
      this.#buffer = this.#buffer.slice(keep - this.#base);
      this.#base = keep;
    }
  }

  /** One character at position `i` for one VM; re-feeds after a final match. */
  #step(vm: _RuleVm, i: number, prev: number, c: number): void {
    if (!vm.best && c !== BOUNDARY && vm.canStart(c)) {
      const caps = new Array(vm.slots).fill(-1);
      caps[0] = i;
      vm.pending.push({ pc: 0, caps });
    }
    if (vm.pending.length === 0) return;
    const threads = this.#closure(vm, i, prev, c, true);
    const next: _Thread[] = [];
    for (const t of threads) {
      const inst = vm.insts[t.pc] as { set: CharSet; next: number };
      if (c >= 0 && setHas(inst.set, c)) next.push({ pc: inst.next, caps: t.caps });
    }
    vm.pending = next;
    if (next.length > 0 && vm.insts[next[0]!.pc]!.op === "match") {
      // The best thread matches right here and nothing could take priority over it: final
      // now, without waiting for the next character.
      const caps = next[0]!.caps.slice();
      caps[1] = i + 1;
      vm.best = caps;
      this.#report(vm);
      vm.reset();
      return;
    }
    if (next.length === 0 && vm.best) {
      const end = vm.best[1]!;
      this.#report(vm);
      vm.reset();
      // Resume right after the match: the characters since are looked at again.
      for (let j = end; j <= i; j++) {
        this.#step(vm, j, j === 0 ? BOUNDARY : this.#charAt(j - 1), this.#charAt(j));
      }
    }
  }

  /**
   * Expands the pending threads at position `i` (before `cur` is read) in priority order;
   * records a match (cutting lower-priority threads); returns the threads at char insts.
   */
  #closure(vm: _RuleVm, i: number, prev: number, cur: number, _live: boolean): _Thread[] {
    const out: _Thread[] = [];
    vm.gen++;
    for (const t of vm.pending) {
      if (this.#add(vm, t.pc, t.caps, i, prev, cur, out)) break;
    }
    return out;
  }

  /** Follows `pc` to char instructions; true when a match was reached. */
  #add(
    vm: _RuleVm,
    pc: number,
    caps: number[],
    i: number,
    prev: number,
    cur: number,
    out: _Thread[],
  ): boolean {
    for (;;) {
      if (vm.mark[pc] === vm.gen) return false;
      vm.mark[pc] = vm.gen;
      const inst = vm.insts[pc]!;
      switch (inst.op) {
        case "char":
          out.push({ pc, caps });
          return false;
        case "jmp":
          pc = inst.next;
          continue;
        case "split":
          if (this.#add(vm, inst.x, caps, i, prev, cur, out)) return true;
          pc = inst.y;
          continue;
        case "save": {
          const copy = caps.slice();
          copy[inst.slot] = i;
          caps = copy;
          pc = inst.next;
          continue;
        }
        case "assert":
          if (!assertHolds(inst.kind, prev, cur)) return false;
          pc = inst.next;
          continue;
        case "match": {
          const match = caps.slice();
          match[1] = i;
          vm.best = match;
          return true;
        }
      }
    }
  }

  #report(vm: _RuleVm): void {
    const caps = vm.best!;
    const start = caps[0]!;
    const end = caps[1]!;
    const spans: [number, number][] = [];
    for (let g = 1; 2 * g + 1 < caps.length; g++) {
      const s = caps[2 * g]!;
      const e = caps[2 * g + 1]!;
      if (s >= 0 && e > s) spans.push([s, e]);
    }
    if (vm.program.groups === 0 && end > start) spans.push([start, end]);
    if (spans.length > 0) this.#matches.push({ rule: vm.rule, start, end, spans });
  }
}
