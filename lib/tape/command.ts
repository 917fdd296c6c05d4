/**
 * What a parsed tape is made of: commands with their place in the file, and the errors and
 * warnings found while reading it, each printed as `FILE:LINE:COL: message`.
 *
 * @module
 */

/** Where something is in a tape file (1-based line and column). */
export interface Location {
  /** The file, as the user named it. */
  file: string;
  /** Line, from 1. */
  line: number;
  /** Column, from 1. */
  col: number;
}

/** An error or warning about a tape, at a place in it. */
export interface Diagnostic extends Location {
  /** What is wrong, with the token found and what was expected. */
  message: string;
}

/**
 * Formats a diagnostic as `FILE:LINE:COL: message`.
 *
 * @example
 * ```ts
 * import { formatDiagnostic } from "./command.ts";
 * formatDiagnostic({ file: "demo.tape", line: 3, col: 1, message: 'unknown command "Foo"' });
 * // 'demo.tape:3:1: unknown command "Foo"'
 * ```
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

/** The keys that are commands of their own (`Enter`, `Up 3`, `Backspace@100ms 2`). */
export const KEY_NAMES = [
  "Enter",
  "Backspace",
  "Delete",
  "Insert",
  "Tab",
  "Space",
  "Escape",
  "Up",
  "Down",
  "Left",
  "Right",
  "PageUp",
  "PageDown",
  "Home",
  "End",
  "ScrollUp",
  "ScrollDown",
] as const;

/** A key that is a command of its own. */
export type KeyName = typeof KEY_NAMES[number];

/** Modifier keys held while a key is pressed. */
export interface Modifiers {
  /** Ctrl held. */
  ctrl?: boolean;
  /** Alt (Meta) held. */
  alt?: boolean;
  /** Shift held. */
  shift?: boolean;
}

/** Fields every command has. */
interface CommandBase {
  /** Where the command starts. */
  loc: Location;
  /** The command as written in the file (for messages and progress). */
  source: string;
}

/** `Output PATH`. */
export interface OutputCommand extends CommandBase {
  kind: "output";
  /** The path as written. */
  path: string;
}

/** `Require PROGRAM`. */
export interface RequireCommand extends CommandBase {
  kind: "require";
  /** The program that must be on `$PATH`. */
  program: string;
}

/** `Set NAME VALUE`. */
export interface SetCommand extends CommandBase {
  kind: "set";
  /** The setting's name. */
  name: string;
  /** Its value, already checked and converted (see `settings.ts`). */
  value: unknown;
}

/** `Type[@TIME] "text"`. */
export interface TypeCommand extends CommandBase {
  kind: "type";
  /** The text to type. */
  text: string;
  /** Time per character, in microseconds; the TypingSpeed setting when absent. */
  speed?: number;
}

/** `KEY[@TIME] [N]`. */
export interface KeyCommand extends CommandBase {
  kind: "key";
  /** The key. */
  key: KeyName;
  /** Time per key press, in microseconds; the TypingSpeed setting when absent. */
  speed?: number;
  /** How many times it is pressed. */
  repeat: number;
}

/** `Ctrl+X`, `Alt+X`, `Shift+X` and their combinations. */
export interface ComboCommand extends CommandBase {
  kind: "combo";
  /** The modifiers held. */
  modifiers: Modifiers;
  /** The key: a {@linkcode KeyName} or one character as written. */
  key: string;
}

/** `Sleep TIME`. */
export interface SleepCommand extends CommandBase {
  kind: "sleep";
  /** How long, in microseconds. */
  duration: number;
}

/** `Hide` or `Show`. */
export interface VisibilityCommand extends CommandBase {
  kind: "hide" | "show";
}

/** `Wait[+Line|+Screen][@TIMEOUT] [/regex/]`. */
export interface WaitCommand extends CommandBase {
  kind: "wait";
  /** Match the line the cursor is on, or the whole screen. */
  scope: "Line" | "Screen";
  /** Timeout in microseconds; the WaitTimeout setting when absent. */
  timeout?: number;
  /** The pattern; the WaitPattern setting when absent. */
  pattern?: RegExp;
}

/** `Screenshot PATH.png`. */
export interface ScreenshotCommand extends CommandBase {
  kind: "screenshot";
  /** The path as written. */
  path: string;
}

/** `Copy "text"`. */
export interface CopyCommand extends CommandBase {
  kind: "copy";
  /** What goes on the clipboard. */
  text: string;
}

/** `Paste`. */
export interface PasteCommand extends CommandBase {
  kind: "paste";
}

/** `Env NAME "value"`. */
export interface EnvCommand extends CommandBase {
  kind: "env";
  /** The variable. */
  name: string;
  /** Its value. */
  value: string;
}

/** One command of a tape. */
export type TapeCommand =
  | OutputCommand
  | RequireCommand
  | SetCommand
  | TypeCommand
  | KeyCommand
  | ComboCommand
  | SleepCommand
  | VisibilityCommand
  | WaitCommand
  | ScreenshotCommand
  | CopyCommand
  | PasteCommand
  | EnvCommand;

/**
 * Where a command is, as `FILE:LINE` (for runtime messages, which name the command rather
 * than a column).
 *
 * @example
 * ```ts
 * import { commandPlace } from "./command.ts";
 * commandPlace({ loc: { file: "demo.tape", line: 7, col: 1 } }); // "demo.tape:7"
 * ```
 */
export function commandPlace(command: { loc: Location }): string {
  return `${command.loc.file}:${command.loc.line}`;
}
