/**
 * The tape parser: reads a whole `.tape` file (and the tapes it `Source`s) into commands and
 * settings, and lists every error with `FILE:LINE:COL`, the token found and what was
 * expected, before anything runs. After an error it goes on at the next command, so one
 * mistake is reported once and later mistakes are reported too.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { MAX_COLS, MAX_ROWS } from "../asciicast/event.ts";
import {
  type Diagnostic,
  KEY_NAMES,
  type KeyName,
  type Location,
  type Modifiers,
  type OutputCommand,
  type RequireCommand,
  type ScreenshotCommand,
  type SetCommand,
  type TapeCommand,
} from "./command.ts";
import { LineIndex, scanToken, type Token } from "./lexer.ts";
import { compilePattern } from "./pattern.ts";
import {
  applySetting,
  DEFAULT_SETTINGS,
  KNOWN_SHELLS,
  namedTheme,
  normalizeColor,
  parseJsonTheme,
  SETTING_KINDS,
  type TapeSettings,
  terminalSize,
  WINDOW_BARS,
} from "./settings.ts";

/** A parsed tape: its commands in order (sourced tapes expanded) and what they set. */
export interface Tape {
  /** The file, as named. */
  file: string;
  /** Every command, in order, `Source` replaced by the sourced tape's commands. */
  commands: TapeCommand[];
  /**
   * Index of the first command that is not `Set`, `Output` or `Require`: the settings before
   * it apply before the session starts; a `Set` after it (but TypingSpeed) is ignored.
   */
  bodyStart: number;
  /** The settings in effect when the session starts. */
  settings: TapeSettings;
  /** The terminal size the settings give. */
  size: { cols: number; rows: number };
  /** `Set Shell`, when the tape has one (for messages about the shell). */
  shellCommand?: SetCommand;
  /** Every `Output`. */
  outputs: OutputCommand[];
  /** Every `Screenshot`. */
  screenshots: ScreenshotCommand[];
  /** Every `Require` (all are checked before the tape runs). */
  requires: RequireCommand[];
  /** Environment variables from `Env` (all set before the shell starts, as VHS does). */
  env: Record<string, string>;
  /** Things that are allowed but probably not what was meant. */
  warnings: Diagnostic[];
}

/** What {@linkcode parseTape} found. */
export interface ParseResult {
  /** The tape (meaningful when `errors` is empty). */
  tape: Tape;
  /** Every error, in file order (sourced files' errors where the `Source` is). */
  errors: Diagnostic[];
}

/** Options for {@linkcode parseTape}. */
export interface ParseTapeOptions {
  /** The file name used in messages. Default `"tape"`. */
  file?: string;
  /**
   * Reads a sourced tape: returns its name (for messages) and text, or throws an Error whose
   * message says why not. Default: {@linkcode readSourceFile}.
   */
  readSource?: (path: string, from: string) => { file: string; text: string };
}

/**
 * Reads a sourced tape as VHS does (relative to the current directory), falling back to the
 * directory of the tape that sources it.
 *
 * @example
 * ```ts
 * import { readSourceFile } from "./parser.ts";
 * try {
 *   readSourceFile("setup.tape", "demo.tape");
 * } catch (error) {
 *   console.log((error as Error).message); // "file setup.tape not found"
 * }
 * ```
 */
export function readSourceFile(path: string, from: string): { file: string; text: string } {
  const candidates = [path];
  if (!isAbsolute(path)) candidates.push(join(dirname(from), path));
  for (const file of candidates) {
    try {
      return { file, text: Deno.readTextFileSync(file) };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      if (error instanceof Deno.errors.IsADirectory) throw new Error(`${file} is a directory`);
      throw new Error(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  throw new Error(`file ${path} not found`);
}

const COMMAND_WORDS: ReadonlySet<string> = new Set([
  "Type",
  "Sleep",
  "Set",
  "Output",
  "Require",
  "Hide",
  "Show",
  "Wait",
  "Screenshot",
  "Copy",
  "Paste",
  "Env",
  "Source",
  "Ctrl",
  "Alt",
  "Shift",
  ...KEY_NAMES,
]);

const KEY_SET: ReadonlySet<string> = new Set(KEY_NAMES);
const MODIFIER_WORDS: ReadonlySet<string> = new Set(["Ctrl", "Alt", "Shift"]);
/** Named keys that may follow a modifier (`Ctrl+Left`, `Alt+Enter`, `Shift+Tab`). */
const COMBO_KEYS: ReadonlySet<string> = new Set(
  KEY_NAMES.filter((k) => k !== "ScrollUp" && k !== "ScrollDown"),
);
const UNITS: Readonly<Record<string, number>> = { ms: 1_000, s: 1_000_000, m: 60_000_000 };
/** The longest time a tape may name: a day. */
const MAX_TAPE_TIME = 86_400_000_000;

const COMMAND_LIST = "Type, Sleep, Enter, Backspace, Ctrl+…, Wait, Hide, Show, Set, Output…";

/**
 * Parses a tape. Never throws for a bad tape: every problem is in `errors`.
 *
 * @example
 * ```ts
 * import { parseTape } from "./parser.ts";
 * const { tape, errors } = parseTape('Output demo.cast\nType "echo hi" Enter\nSleep 500ms', {
 *   file: "demo.tape",
 * });
 * // errors.length === 0; tape.commands.map((c) => c.kind) → ["output", "type", "key", "sleep"]
 * ```
 */
export function parseTape(text: string, options: ParseTapeOptions = {}): ParseResult {
  const file = options.file ?? "tape";
  const parser = new _Parser(text, file, options.readSource ?? readSourceFile, false);
  parser.parseAll();
  const errors = parser.errors;
  const tape = _resolve(file, parser.commands, parser.warnings, errors);
  return { tape, errors };
}

class _Parser {
  readonly commands: TapeCommand[] = [];
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  #source: string;
  #file: string;
  #index: LineIndex;
  #pos = 0;
  #readSource: NonNullable<ParseTapeOptions["readSource"]>;
  #sourced: boolean;

  constructor(
    source: string,
    file: string,
    readSource: NonNullable<ParseTapeOptions["readSource"]>,
    sourced: boolean,
  ) {
    // A byte-order mark is not part of the first command.
    this.#source = source.startsWith("\ufeff") ? " " + source.slice(1) : source;
    this.#file = file;
    this.#index = new LineIndex(this.#source);
    this.#readSource = readSource;
    this.#sourced = sourced;
  }

  parseAll(): void {
    for (;;) {
      const token = this.#peek();
      if (token.kind === "eof") return;
      this.#command();
    }
  }

  // ---- tokens ---------------------------------------------------------------------------

  #peek(mode: "normal" | "key" = "normal"): Token {
    return scanToken(this.#source, this.#pos, { mode });
  }

  #take(token: Token): Token {
    this.#pos = token.end;
    return token;
  }

  #loc(at: number): Location {
    return { file: this.#file, ...this.#index.at(at) };
  }

  /** No line break between the end of `a` and the start of `b`. */
  #sameLine(a: Token, b: Token): boolean {
    return b.kind !== "eof" && !this.#source.slice(a.end, b.start).includes("\n");
  }

  #error(at: number, message: string): void {
    this.errors.push({ ...this.#loc(at), message });
  }

  /**
   * Reports `found` as not being `expected`: at `found` when it is on the command's line,
   * else just after `after` (the last token of the command), where the missing part goes.
   */
  #expected(after: Token, found: Token, expected: string, hint = ""): void {
    if (found.kind === "error" && this.#sameLine(after, found)) {
      this.#take(found);
      this.#error(found.start, found.text);
      return;
    }
    const here = this.#sameLine(after, found);
    const what = here ? describe(found) : found.kind === "eof" ? "end of file" : "end of line";
    this.#error(here ? found.start : after.end, `${expected}, got ${what}${hint}`);
  }

  /** After an error: skip the rest of the command (what is left on its line, up to a command). */
  #recover(from: Token): void {
    for (;;) {
      const next = this.#peek();
      if (next.kind === "eof" || !this.#sameLine(from, next)) return;
      if (next.kind === "word" && COMMAND_WORDS.has(next.text)) return;
      this.#take(next);
    }
  }

  #push(command: TapeCommand): void {
    this.commands.push(command);
  }

  #sourceText(start: Token): string {
    return this.#source.slice(start.start, this.#pos).trim();
  }

  // ---- commands -------------------------------------------------------------------------

  #command(): void {
    const token = this.#take(this.#peek());
    if (token.kind === "error") {
      this.#error(token.start, token.text);
      return this.#recover(token);
    }
    if (token.kind !== "word") {
      this.#error(token.start, `expected a command (${COMMAND_LIST}), got ${describe(token)}`);
      return this.#recover(token);
    }
    const word = token.text;
    if (KEY_SET.has(word)) return this.#key(token, word as KeyName);
    switch (word) {
      case "Type":
        return this.#type(token);
      case "Sleep":
        return this.#sleep(token);
      case "Set":
        return this.#set(token);
      case "Output":
        return this.#path(token, "output");
      case "Screenshot":
        return this.#path(token, "screenshot");
      case "Require":
        return this.#require(token);
      case "Hide":
      case "Show":
      case "Paste": {
        const kind = word === "Hide" ? "hide" : word === "Show" ? "show" : "paste";
        return this.#push({ kind, loc: this.#loc(token.start), source: word });
      }
      case "Wait":
        return this.#wait(token);
      case "Copy":
        return this.#copy(token);
      case "Env":
        return this.#env(token);
      case "Source":
        return this.#sourceCommand(token);
      case "Ctrl":
      case "Alt":
      case "Shift":
        return this.#combo(token);
    }
    this.#error(token.start, unknownCommand(word));
    this.#recover(token);
  }

  #key(start: Token, key: KeyName): void {
    let last = start;
    let speed: number | undefined;
    const at = this.#peek();
    if (at.kind === "punct" && at.text === "@" && this.#sameLine(start, at)) {
      last = this.#take(at);
      const time = this.#time(last, "after @");
      if (time === undefined) return this.#recover(last);
      speed = time.value;
      last = time.last;
    }
    let repeat = 1;
    const count = this.#peek();
    if (count.kind === "number" && this.#sameLine(last, count)) {
      this.#take(count);
      if (!/^\d+$/.test(count.text) || Number(count.text) < 1) {
        this.#error(
          count.start,
          `${key} repeats a whole number of times (1 or more), got ${count.text}`,
        );
        return this.#recover(count);
      }
      repeat = Number(count.text);
      if (repeat > 100_000) {
        this.#error(count.start, `${key} repeats at most 100000 times, got ${count.text}`);
        return this.#recover(count);
      }
    }
    const command: TapeCommand = {
      kind: "key",
      key,
      repeat,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    };
    if (speed !== undefined) command.speed = speed;
    this.#push(command);
  }

  /**
   * Reads a time (`500ms`, `2s`, `1.5`, `.5`, `1m`; bare numbers are seconds) after `after`,
   * reporting what is wrong; the value is in microseconds.
   */
  #time(after: Token, what: string): { value: number; last: Token } | undefined {
    const number = this.#peek();
    if (number.kind !== "number" || !this.#sameLine(after, number)) {
      this.#expected(after, number, `expected a time ${what} (like 500ms, 2s or .5)`);
      return undefined;
    }
    this.#take(number);
    const value = Number(number.text);
    if (!Number.isFinite(value)) {
      this.#error(number.start, `${JSON.stringify(number.text)} is not a number`);
      return undefined;
    }
    let last = number;
    let scale = UNITS.s!;
    const unit = this.#peek();
    if (unit.kind === "word" && unit.start === number.end) {
      const factor = UNITS[unit.text];
      if (factor === undefined) {
        this.#take(unit);
        this.#error(
          number.start,
          `unknown time unit in ${JSON.stringify(number.text + unit.text)}: expected ms, s or m`,
        );
        return undefined;
      }
      scale = factor;
      last = this.#take(unit);
    } else if (unit.kind === "word" && UNITS[unit.text] && this.#sameLine(number, unit)) {
      scale = UNITS[unit.text]!;
      last = this.#take(unit);
    }
    const micros = Math.round(value * scale);
    if (micros > MAX_TAPE_TIME) {
      this.#error(
        number.start,
        `${last === number ? number.text : number.text + unit.text} is longer than a day`,
      );
      return undefined;
    }
    return { value: micros, last };
  }

  /** Reads one or more strings (quoted, or bare words that are not commands) on the line. */
  #strings(start: Token): { text: string; count: number } {
    const parts: string[] = [];
    let last = start;
    for (;;) {
      const token = this.#peek();
      if (!this.#sameLine(last, token)) break;
      if (token.kind === "string" || (token.kind === "word" && !COMMAND_WORDS.has(token.text))) {
        parts.push(token.text);
        last = this.#take(token);
        continue;
      }
      break;
    }
    return { text: parts.join(" "), count: parts.length };
  }

  #type(start: Token): void {
    let last = start;
    let speed: number | undefined;
    const at = this.#peek();
    if (at.kind === "punct" && at.text === "@" && this.#sameLine(start, at)) {
      last = this.#take(at);
      const time = this.#time(last, "after Type@");
      if (time === undefined) return this.#recover(last);
      speed = time.value;
      last = time.last;
    }
    const { text, count } = this.#strings(last);
    if (count === 0) {
      const found = this.#peek();
      const hint = found.kind === "word" && this.#sameLine(last, found)
        ? ` (to type the word, quote it: Type "${found.text}")`
        : "";
      this.#expected(last, found, "Type expects a string to type", hint);
      return this.#recover(last);
    }
    const command: TapeCommand = {
      kind: "type",
      text,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    };
    if (speed !== undefined) command.speed = speed;
    this.#push(command);
  }

  #copy(start: Token): void {
    const { text, count } = this.#strings(start);
    if (count === 0) {
      this.#expected(start, this.#peek(), "Copy expects a string to put on the clipboard");
      return;
    }
    this.#push({
      kind: "copy",
      text,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    });
  }

  #sleep(start: Token): void {
    const time = this.#time(start, "after Sleep");
    if (time === undefined) return this.#recover(start);
    this.#push({
      kind: "sleep",
      duration: time.value,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    });
  }

  /** A path argument: a string or bare word on the same line. */
  #pathArg(start: Token, what: string): Token | undefined {
    const token = this.#peek();
    if ((token.kind === "string" || token.kind === "word") && this.#sameLine(start, token)) {
      return this.#take(token);
    }
    if (token.kind === "regex" && this.#sameLine(start, token)) {
      this.#take(token);
      this.#error(
        token.start,
        `${what}, got ${describe(token)} (a path that starts with / must be quoted)`,
      );
      this.#recover(token);
      return undefined;
    }
    this.#expected(start, token, what);
    this.#recover(start);
    return undefined;
  }

  #path(start: Token, kind: "output" | "screenshot"): void {
    const word = start.text;
    const token = this.#pathArg(start, `${word} expects a file path`);
    if (!token) return;
    const path = token.text;
    if (kind === "screenshot") {
      if (!/\.png$/i.test(path)) {
        this.#error(
          token.start,
          `Screenshot expects a .png file, got ${JSON.stringify(path)}`,
        );
        return;
      }
    } else if (!path.endsWith("/") && !/\.[^./\\]+$/.test(path)) {
      this.#error(
        token.start,
        `Output expects a file name with an extension (demo.cast, demo.gif, demo.txt) or a ` +
          `folder ending in /, got ${JSON.stringify(path)}`,
      );
      return;
    }
    this.#push({ kind, path, loc: this.#loc(start.start), source: this.#sourceText(start) });
  }

  #require(start: Token): void {
    const token = this.#pathArg(start, "Require expects the name of a program");
    if (!token) return;
    this.#push({
      kind: "require",
      program: token.text,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    });
  }

  #env(start: Token): void {
    let name = this.#peek();
    const nameKinds = ["word", "string", "number"];
    if (!(nameKinds.includes(name.kind) && this.#sameLine(start, name))) {
      this.#expected(start, name, "Env expects a variable name and a value");
      return this.#recover(start);
    }
    this.#take(name);
    // A name like 1X lexes as a number and a word: read it as written.
    for (let next = this.#peek(); nameKinds.includes(next.kind) && next.start === name.end;) {
      this.#take(next);
      const raw = name.raw + next.raw;
      name = { ...name, kind: "word", text: raw, raw, end: next.end };
      next = this.#peek();
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.text)) {
      this.#error(
        name.start,
        `Env expects a variable name (letters, digits, _), got ${JSON.stringify(name.text)}`,
      );
      return this.#recover(name);
    }
    const value = this.#peek();
    if (
      !((value.kind === "string" || value.kind === "word" || value.kind === "number") &&
        this.#sameLine(name, value))
    ) {
      this.#expected(name, value, `Env expects a value for ${name.text}`);
      return this.#recover(name);
    }
    this.#take(value);
    this.#push({
      kind: "env",
      name: name.text,
      value: value.text,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    });
  }

  #wait(start: Token): void {
    let last = start;
    let scope: "Line" | "Screen" = "Line";
    const plus = this.#peek();
    if (plus.kind === "punct" && plus.text === "+" && plus.start === start.end) {
      last = this.#take(plus);
      const which = this.#peek();
      if (which.kind === "word" && (which.text === "Line" || which.text === "Screen")) {
        scope = which.text;
        last = this.#take(which);
      } else {
        this.#expected(last, which, "Wait+ expects Line or Screen");
        return this.#recover(last);
      }
    }
    let timeout: number | undefined;
    const at = this.#peek();
    if (at.kind === "punct" && at.text === "@" && this.#sameLine(last, at)) {
      last = this.#take(at);
      const time = this.#time(last, "after Wait@");
      if (time === undefined) return this.#recover(last);
      if (time.value <= 0) {
        this.#error(at.end, "the Wait timeout must be longer than 0");
        return this.#recover(time.last);
      }
      timeout = time.value;
      last = time.last;
    }
    let pattern: RegExp | undefined;
    const regex = this.#peek();
    if (regex.kind === "regex" && this.#sameLine(last, regex)) {
      this.#take(regex);
      try {
        pattern = compilePattern(regex.text);
      } catch (error) {
        this.#error(
          regex.start,
          `invalid regular expression ${regex.raw}: ${(error as Error).message}`,
        );
        return;
      }
    } else if (regex.kind === "error" && regex.raw.startsWith("/") && this.#sameLine(last, regex)) {
      this.#take(regex);
      this.#error(regex.start, regex.text);
      return;
    }
    const command: TapeCommand = {
      kind: "wait",
      scope,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    };
    if (timeout !== undefined) command.timeout = timeout;
    if (pattern !== undefined) command.pattern = pattern;
    this.#push(command);
  }

  #combo(start: Token): void {
    const modifiers: Modifiers = {};
    const hold = (word: string) => {
      if (word === "Ctrl") modifiers.ctrl = true;
      else if (word === "Alt") modifiers.alt = true;
      else modifiers.shift = true;
    };
    hold(start.text);
    let last = start;
    let key: string | undefined;
    for (;;) {
      const plus = this.#peek();
      if (!(plus.kind === "punct" && plus.text === "+" && plus.start === last.end)) break;
      if (key !== undefined) {
        this.#take(plus);
        this.#error(
          plus.start,
          `the key (${key}) must come last in ${start.text}+…; modifiers first`,
        );
        // The rest of the chain belongs to this command.
        for (let end = plus.end;;) {
          const part = this.#peek("key");
          if (part.start !== end || part.kind === "eof") break;
          this.#take(part);
          const next = this.#peek();
          if (!(next.kind === "punct" && next.text === "+" && next.start === part.end)) break;
          end = this.#take(next).end;
        }
        return this.#recover(plus);
      }
      last = this.#take(plus);
      const part = this.#peek("key");
      if (part.kind === "eof" || !this.#sameLine(last, part) || part.start !== last.end) {
        this.#expected(last, this.#peek(), `expected a key after "${this.#sourceText(start)}"`);
        return this.#recover(last);
      }
      this.#take(part);
      last = part;
      if (MODIFIER_WORDS.has(part.text)) {
        const next = this.#peek();
        if (next.kind === "punct" && next.text === "+" && next.start === part.end) {
          hold(part.text);
          continue;
        }
      }
      const name = part.text;
      const isChar = [...name].length === 1 && name.trim() !== "";
      if (!isChar && !COMBO_KEYS.has(name)) {
        this.#error(
          part.start,
          `${JSON.stringify(name)} is not a key for ${
            this.#source.slice(start.start, part.start)
          }: ` +
            `expected one character (a letter, digit or symbol) or one of ` +
            `${[...COMBO_KEYS].join(", ")}`,
        );
        return this.#recover(part);
      }
      key = name;
    }
    if (key === undefined) {
      this.#expected(
        last,
        this.#peek(),
        `expected "+" and a key after ${start.text} (like ${start.text}+C)`,
      );
      return this.#recover(last);
    }
    this.#push({
      kind: "combo",
      modifiers,
      key,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    });
  }

  #set(start: Token): void {
    const nameToken = this.#peek();
    if (nameToken.kind !== "word" || !this.#sameLine(start, nameToken)) {
      this.#expected(start, nameToken, "expected a setting name after Set");
      return this.#recover(start);
    }
    this.#take(nameToken);
    const name = nameToken.text;
    const kind = SETTING_KINDS[name];
    if (kind === undefined) {
      const close = Object.keys(SETTING_KINDS).find((k) => k.toLowerCase() === name.toLowerCase());
      this.#error(
        nameToken.start,
        close
          ? `unknown setting ${
            JSON.stringify(name)
          }: settings are case-sensitive; did you mean ${close}?`
          : `unknown setting ${JSON.stringify(name)}: expected one of ${
            Object.keys(SETTING_KINDS).join(", ")
          }`,
      );
      return this.#recover(nameToken);
    }
    const value = this.#settingValue(nameToken, name, kind);
    if (value === _INVALID) return this.#recover(nameToken);
    this.#push({
      kind: "set",
      name,
      value,
      loc: this.#loc(start.start),
      source: this.#sourceText(start),
    });
  }

  #settingValue(after: Token, name: string, kind: string): unknown {
    const what = `Set ${name} expects`;
    const token = this.#peek();
    const onLine = this.#sameLine(after, token);
    const text = () => {
      if ((token.kind === "string" || token.kind === "word") && onLine) {
        this.#take(token);
        return token.text;
      }
      return undefined;
    };
    const fail = (expected: string): typeof _INVALID => {
      if (onLine && token.kind !== "eof") {
        this.#take(token);
        this.#error(token.start, `${what} ${expected}, got ${describe(token)}`);
      } else this.#expected(after, token, `${what} ${expected}`);
      return _INVALID;
    };
    switch (kind) {
      case "shell": {
        const shell = text();
        if (shell === undefined) return fail("a shell name");
        if (!KNOWN_SHELLS.includes(shell)) {
          this.#error(
            token.start,
            `unknown shell ${JSON.stringify(shell)}: expected one of ${KNOWN_SHELLS.join(", ")}`,
          );
          return _INVALID;
        }
        return shell;
      }
      case "string": {
        const value = text();
        return value === undefined ? fail("a string") : value;
      }
      case "number":
      case "integer":
      case "cols":
      case "rows": {
        let sign = 1;
        let number = token;
        if (token.kind === "punct" && token.text === "-" && onLine && name === "LetterSpacing") {
          this.#take(token);
          sign = -1;
          number = this.#peek();
          if (number.start !== token.end) return fail("a number");
        }
        const integer = kind !== "number";
        if (number.kind !== "number" || !this.#sameLine(after, number)) {
          return fail(integer ? "a whole number" : "a number");
        }
        this.#take(number);
        const value = sign * Number(number.text);
        if (!Number.isFinite(value) || (integer && !/^\d+$/.test(number.text))) {
          this.#error(
            number.start,
            `${what} ${integer ? "a whole number" : "a number"}, got ${number.text}`,
          );
          return _INVALID;
        }
        const bounds: Record<string, [number, number]> = {
          cols: [1, MAX_COLS],
          rows: [1, MAX_ROWS],
        };
        const [min, max] = bounds[kind] ?? (
          name === "LetterSpacing"
            ? [-1000, 1000]
            : ["Padding", "Margin", "WindowBarSize", "BorderRadius"].includes(name)
            ? [0, 10_000]
            : name === "Framerate"
            ? [1, 1000]
            : [Number.MIN_VALUE, name === "Width" || name === "Height" ? 100_000 : 1000]
        );
        if (value < min || value > max) {
          const range = min === Number.MIN_VALUE
            ? `more than 0 and at most ${max}`
            : `${min} to ${max}`;
          this.#error(number.start, `${what} ${range}, got ${number.text}`);
          return _INVALID;
        }
        return value;
      }
      case "time": {
        const time = this.#time(after, `after Set ${name}`);
        if (time === undefined) return _INVALID;
        if (name === "WaitTimeout" && time.value <= 0) {
          this.#error(token.start, "Set WaitTimeout expects a time longer than 0");
          return _INVALID;
        }
        return time.value;
      }
      case "theme": {
        if (token.kind === "json" && onLine) {
          this.#take(token);
          try {
            return parseJsonTheme(token.text);
          } catch (error) {
            this.#error(token.start, `Set Theme: ${(error as Error).message}`);
            return _INVALID;
          }
        }
        if (token.kind === "error" && token.raw.startsWith("{")) {
          this.#take(token);
          this.#error(token.start, token.text);
          return _INVALID;
        }
        const value = text();
        if (value === undefined) return fail("a theme name or a JSON theme");
        const colors = namedTheme(value);
        return colors ? { name: value, colors } : { name: value };
      }
      case "loopOffset": {
        if (token.kind !== "number" || !onLine) return fail("a number or a percentage");
        this.#take(token);
        const value = Number(token.text);
        if (!Number.isFinite(value) || value < 0) {
          this.#error(token.start, `${what} a number or a percentage, got ${token.text}`);
          return _INVALID;
        }
        const percent = this.#peek();
        if (percent.kind === "punct" && percent.text === "%" && percent.start === token.end) {
          this.#take(percent);
        }
        return value;
      }
      case "color": {
        const value = text();
        if (value === undefined) return fail('a colour ("#rrggbb")');
        if (value.startsWith("#")) {
          const color = normalizeColor(value);
          if (color === undefined) {
            this.#error(token.start, `${what} a colour like "#6b50ff", got ${describe(token)}`);
            return _INVALID;
          }
          return color;
        }
        return value;
      }
      case "windowBar": {
        const value = text();
        if (value === undefined) return fail(`one of ${WINDOW_BARS.join(", ")}`);
        if (value !== "" && !WINDOW_BARS.includes(value)) {
          this.#error(
            token.start,
            `${JSON.stringify(value)} is not a window bar style: expected ${
              WINDOW_BARS.join(", ")
            }`,
          );
          return _INVALID;
        }
        return value;
      }
      case "boolean": {
        if (token.kind === "word" && onLine && (token.text === "true" || token.text === "false")) {
          this.#take(token);
          return token.text === "true";
        }
        return fail("true or false");
      }
      case "regex": {
        let source: string | undefined;
        let raw = "";
        if (token.kind === "regex" && onLine) {
          this.#take(token);
          source = token.text;
          raw = token.raw;
        } else {
          source = text();
          raw = JSON.stringify(source);
        }
        if (source === undefined) return fail("a regular expression (/…/)");
        try {
          return compilePattern(source);
        } catch (error) {
          this.#error(
            token.start,
            `invalid regular expression ${raw}: ${(error as Error).message}`,
          );
          return _INVALID;
        }
      }
    }
    throw new Error(`unhandled setting kind ${kind}`);
  }

  #sourceCommand(start: Token): void {
    const token = this.#pathArg(start, "Source expects the path of a .tape file");
    if (!token) return;
    const path = token.text;
    if (this.#sourced) {
      this.#error(start.start, "a sourced tape may not itself use Source");
      return;
    }
    if (!/\.tape$/.test(path)) {
      this.#error(
        token.start,
        `Source expects a file ending in .tape, got ${JSON.stringify(path)}`,
      );
      return;
    }
    let loaded: { file: string; text: string };
    try {
      loaded = this.#readSource(path, this.#file);
    } catch (error) {
      this.#error(token.start, `Source: ${(error as Error).message}`);
      return;
    }
    if (loaded.text.trim() === "") {
      this.#error(token.start, `Source: ${loaded.file} is empty`);
      return;
    }
    const inner = new _Parser(loaded.text, loaded.file, this.#readSource, true);
    inner.parseAll();
    this.errors.push(...inner.errors);
    this.warnings.push(...inner.warnings);
    for (const command of inner.commands) {
      if (command.kind === "output") {
        this.warnings.push({
          ...command.loc,
          message: `Output in a sourced tape is ignored (it is sourced from ${this.#file}:${
            this.#loc(start.start).line
          })`,
        });
        continue;
      }
      this.#push(command);
    }
  }
}

const _INVALID = Symbol("invalid");

/** How a token is named in a message. */
function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of file";
    case "string":
      return token.raw;
    case "word":
      return KEY_SET.has(token.text)
        ? `the key ${JSON.stringify(token.text)}`
        : COMMAND_WORDS.has(token.text)
        ? `the command ${JSON.stringify(token.text)}`
        : JSON.stringify(token.text);
    case "regex":
      return `the regular expression ${token.raw}`;
    case "json":
      return "a JSON object";
    default:
      return JSON.stringify(token.raw);
  }
}

function unknownCommand(word: string): string {
  const close = [...COMMAND_WORDS].find((k) => k.toLowerCase() === word.toLowerCase());
  if (close) {
    return `unknown command ${
      JSON.stringify(word)
    }: commands are case-sensitive; did you mean ${close}?`;
  }
  if (SETTING_KINDS[word] !== undefined) {
    return `unknown command ${JSON.stringify(word)}: it is a setting; write Set ${word} …`;
  }
  return `unknown command ${JSON.stringify(word)}: expected a command (${COMMAND_LIST})`;
}

const SIZE_SETTINGS = new Set([
  "Width",
  "Height",
  "FontSize",
  "Padding",
  "Margin",
  "LetterSpacing",
  "LineHeight",
  "WindowBar",
  "WindowBarSize",
  "Cols",
  "Rows",
]);

/** Works out the settings, outputs and environment of a parsed command list. */
function _resolve(
  file: string,
  commands: TapeCommand[],
  warnings: Diagnostic[],
  errors: Diagnostic[],
): Tape {
  const settings: TapeSettings = { ...DEFAULT_SETTINGS };
  let bodyStart = commands.findIndex((c) =>
    c.kind !== "set" && c.kind !== "output" && c.kind !== "require"
  );
  if (bodyStart === -1) bodyStart = commands.length;
  const tape: Tape = {
    file,
    commands,
    bodyStart,
    settings,
    size: { cols: 80, rows: 24 },
    outputs: [],
    screenshots: [],
    requires: [],
    env: {},
    warnings,
  };
  let sizeSet: SetCommand | undefined;
  let copied = false;
  commands.forEach((command, i) => {
    switch (command.kind) {
      case "set":
        if (i < bodyStart || command.name === "Shell") {
          applySetting(settings, command.name, command.value);
          if (command.name === "Shell") tape.shellCommand = command;
          if (SIZE_SETTINGS.has(command.name)) sizeSet = command;
        } else if (command.name !== "TypingSpeed") {
          warnings.push({
            ...command.loc,
            message: `${command.source} is ignored: settings take effect before the session ` +
              `starts (only TypingSpeed may change later); move it to the top of the tape`,
          });
        }
        break;
      case "output":
        tape.outputs.push(command);
        break;
      case "screenshot":
        tape.screenshots.push(command);
        break;
      case "require":
        tape.requires.push(command);
        break;
      case "env":
        tape.env[command.name] = command.value;
        break;
      case "copy":
        copied = true;
        break;
      case "paste":
        if (!copied) {
          warnings.push({
            ...command.loc,
            message: "Paste before any Copy types nothing (the clipboard is empty)",
          });
        }
        break;
    }
  });
  try {
    tape.size = terminalSize(settings);
  } catch (error) {
    const at = sizeSet?.loc ?? { file, line: 1, col: 1 };
    errors.push({ ...at, message: (error as Error).message });
  }
  return tape;
}
