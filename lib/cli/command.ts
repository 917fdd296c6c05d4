/**
 * The command-line parser: the part of commander's API asciirec uses (commands, options with
 * values, parsers, choices, conflicts and defaults, negatable flags, arguments, help, errors
 * in commander's words), written here so that starting asciirec loads nothing it does not
 * need — commander pulls in Node's compatibility layer, which alone costs more than the rest
 * of start-up.
 *
 * @module
 */

/** An error that ends parsing: usage errors, and help or version shown (`code`). */
export class CommanderError extends Error {
  /** `commander.helpDisplayed`, `commander.version`, `commander.unknownOption`… */
  readonly code: string;
  /** The exit status it stands for. */
  readonly exitCode: number;
  /** An error with its code and exit status. */
  constructor(exitCode: number, code: string, message: string) {
    super(message);
    this.name = "CommanderError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Thrown by an option's or argument's parser for a value it refuses. */
export class InvalidArgumentError extends CommanderError {
  /** A refusal, with the reason shown to the user. */
  constructor(message: string) {
    super(1, "commander.invalidArgument", message);
    this.name = "InvalidArgumentError";
  }
}

type Parser = (value: string, previous: unknown) => unknown;

/** One option. */
export class Option {
  readonly flags: string;
  readonly description: string;
  readonly short?: string;
  readonly long?: string;
  /** `required` takes a value, `optional` may, `none` is a flag. */
  readonly value: "required" | "optional" | "none";
  readonly negate: boolean;
  /** The key in `opts()`. */
  readonly attribute: string;
  hidden = false;
  defaultValue: unknown;
  parser: Parser | undefined;
  choiceList: readonly string[] | undefined;
  conflictsWith: string[] = [];

  /** An option from its flags (`-c, --command <command>`) and description. */
  constructor(flags: string, description = "") {
    this.flags = flags;
    this.description = description;
    // `-c, --command <command>`, `--theme <name|file>`, `-r, --remote [ID|URL]`
    const placeholder = /[<[]/.exec(flags);
    const names = placeholder ? flags.slice(0, placeholder.index) : flags;
    let value: Option["value"] = "none";
    if (placeholder) value = placeholder[0] === "<" ? "required" : "optional";
    let short: string | undefined;
    let long: string | undefined;
    for (const word of names.split(/[ ,|]+/).filter(Boolean)) {
      if (word.startsWith("--")) long = word;
      else if (word.startsWith("-")) short = word;
    }
    if (short !== undefined) this.short = short;
    if (long !== undefined) this.long = long;
    this.value = value;
    this.negate = long?.startsWith("--no-") ?? false;
    const name = (long ?? short ?? "").replace(/^--?(no-)?/, "");
    this.attribute = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  }

  /** Values it accepts (others are a usage error). */
  choices(values: readonly string[]): this {
    this.choiceList = values;
    return this;
  }

  /** Options it cannot be used with (their attribute names). */
  conflicts(names: string | string[]): this {
    this.conflictsWith.push(...(Array.isArray(names) ? names : [names]));
    return this;
  }

  /** Leaves it out of the help. */
  hideHelp(hide = true): this {
    this.hidden = hide;
    return this;
  }

  /** Parses its value (`fn(value, previous)`). */
  argParser(fn: Parser): this {
    this.parser = fn;
    return this;
  }

  /** Its value when not given. */
  default(value: unknown): this {
    this.defaultValue = value;
    return this;
  }

  /** `--name`-like name for messages. */
  name(): string {
    return (this.long ?? this.short ?? "").replace(/^--?/, "");
  }
}

interface _Argument {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  parser?: Parser;
}

type Hook = (thisCommand: Command, actionCommand: Command) => void | Promise<void>;

/** A command (or the program), with its options, arguments and subcommands. */
export class Command {
  readonly commands: Command[] = [];
  #name: string;
  #aliases: string[] = [];
  #description = "";
  #options: Option[] = [];
  #arguments: _Argument[] = [];
  #helpAfter: string[] = [];
  #helpBefore: string[] = [];
  #action: ((...args: unknown[]) => unknown) | undefined;
  #hooks: Hook[] = [];
  #values: Record<string, unknown> = {};
  #given = new Set<string>();
  #parent: Command | undefined;
  #version: { text: string; option: Option } | undefined;
  #help = new Option("-h, --help", "display help for command");
  #helpCommand: { name: string; description: string } | undefined;
  #allowUnknown = false;
  #allowExcess = false;
  #suggest = true;

  /** A command called `name`. */
  constructor(name = "") {
    this.#name = name;
  }

  /** Its name (no argument), or sets it. */
  name(): string {
    return this.#name;
  }

  /** Its description. */
  description(text: string): this {
    this.#description = text;
    return this;
  }

  /** Adds another name. */
  alias(name: string): this {
    this.#aliases.push(name);
    return this;
  }

  /** Its other names (no argument), or sets them. */
  aliases(): string[];
  aliases(names: string[]): this;
  aliases(names?: string[]): string[] | this {
    if (names === undefined) return [...this.#aliases];
    this.#aliases.push(...names);
    return this;
  }

  /** Adds an argument: `<name>`, `[name]`, `<name...>`. */
  argument(spec: string, description = "", parser?: Parser): this {
    const m = /^([<[])(.+?)(\.\.\.)?([>\]])$/.exec(spec);
    if (!m) throw new TypeError(`bad argument ${spec}`);
    this.#arguments.push({
      name: m[2]!,
      description,
      required: m[1] === "<",
      variadic: m[3] !== undefined,
      ...(parser ? { parser } : {}),
    });
    return this;
  }

  /** Adds an option: flags, description, then a parser and/or a default. */
  option(flags: string, description = "", parserOrDefault?: unknown, defaultValue?: unknown): this {
    const option = new Option(flags, description);
    if (typeof parserOrDefault === "function") {
      option.argParser(parserOrDefault as Parser);
      if (defaultValue !== undefined) option.default(defaultValue);
    } else if (parserOrDefault !== undefined) option.default(parserOrDefault);
    return this.addOption(option);
  }

  /** Adds a made option. */
  addOption(option: Option): this {
    if (this.#group !== undefined) this.#groupOf.set(option, this.#group);
    this.#options.push(option);
    return this;
  }

  /** Options added after this are listed in help under `heading`. */
  optionsGroup(heading: string): this {
    this.#group = heading.replace(/:$/, "");
    return this;
  }
  #group: string | undefined;
  #groupOf = new Map<Option, string>();

  /** Text shown before or after the generated help. */
  addHelpText(position: "before" | "after", text: string): this {
    (position === "after" ? this.#helpAfter : this.#helpBefore).push(text);
    return this;
  }

  /** Sets the help option's flags and description. */
  helpOption(flags: string, description: string): this {
    this.#help = new Option(flags, description);
    return this;
  }

  /** Adds `help [command]`. */
  helpCommand(spec: string, description: string): this {
    this.#helpCommand = { name: spec.split(" ")[0]!, description: `${description}` };
    this.#helpCommandSpec = spec;
    return this;
  }
  #helpCommandSpec = "";

  /** Adds the version option. */
  version(text: string, flags = "-V, --version", description = "output the version number"): this {
    this.#version = { text, option: new Option(flags, description) };
    return this;
  }

  /** Errors are thrown (as CommanderError) rather than ending the process: always the case. */
  exitOverride(): this {
    return this;
  }

  /** Whether errors suggest a similar option or command. */
  showSuggestionAfterError(show = true): this {
    this.#suggest = show;
    return this;
  }

  /** Lets unknown options through as arguments. */
  allowUnknownOption(allow = true): this {
    this.#allowUnknown = allow;
    return this;
  }

  /** Lets more arguments through than declared. */
  allowExcessArguments(allow = true): this {
    this.#allowExcess = allow;
    return this;
  }

  /** Runs `fn` before the action of this command or a subcommand. */
  hook(event: "preAction", fn: Hook): this {
    if (event === "preAction") this.#hooks.push(fn);
    return this;
  }

  /** What runs: the arguments, then the options, then the command. */
  action(fn: (...args: never[]) => unknown): this {
    this.#action = fn as (...args: unknown[]) => unknown;
    return this;
  }

  /** Adds a subcommand. */
  addCommand(command: Command): this {
    command.#parent = this;
    this.commands.push(command);
    return this;
  }

  /** The parsed option values. */
  opts<T = Record<string, unknown>>(): T {
    return { ...this.#values } as T;
  }

  /** Parses `args` (the user's words, `from: "user"`) and runs the action. */
  parse(args: string[], _options: { from: "user" } = { from: "user" }): this {
    const result = this.#run(args);
    if (result instanceof Promise) throw new TypeError("use parseAsync for an async action");
    return this;
  }

  /** Parses `args` and runs the action, awaiting it. */
  async parseAsync(args: string[], _options: { from: "user" } = { from: "user" }): Promise<this> {
    await this.#run(args);
    return this;
  }

  #path(): string {
    return this.#parent ? `${this.#parent.#path()} ${this.#name}` : this.#name;
  }

  #fail(code: string, message: string): never {
    throw new CommanderError(1, code, message);
  }

  #run(args: string[]): unknown {
    if (this.commands.length > 0) return this.#dispatch(args);
    return this.#parseAndAct(args);
  }

  #dispatch(args: string[]): unknown {
    const first = args[0];
    if (first === undefined) {
      this.#printHelp();
      throw new CommanderError(0, "commander.help", "(outputHelp)");
    }
    if (this.#isHelp(first)) {
      this.#printHelp();
      throw new CommanderError(0, "commander.helpDisplayed", "(outputHelp)");
    }
    if (
      this.#version && (first === this.#version.option.short || first === this.#version.option.long)
    ) {
      console.log(this.#version.text);
      throw new CommanderError(0, "commander.version", this.#version.text);
    }
    if (this.#helpCommand && first === this.#helpCommand.name) {
      const target = args[1] === undefined ? undefined : this.#find(args[1]);
      if (target) target.#printHelp();
      else this.#printHelp();
      throw new CommanderError(0, "commander.helpDisplayed", "(outputHelp)");
    }
    if (first.startsWith("-")) {
      this.#error("commander.unknownOption", `unknown option '${first}'`, this.#optionNames());
    }
    const command = this.#find(first);
    if (!command) {
      this.#error(
        "commander.unknownCommand",
        `unknown command '${first}'`,
        this.commands.flatMap((c) => [c.#name, ...c.#aliases]),
      );
    }
    return command.#run(args.slice(1));
  }

  #find(name: string): Command | undefined {
    return this.commands.find((c) => c.#name === name || c.#aliases.includes(name));
  }

  #isHelp(word: string): boolean {
    return word === this.#help.short || word === this.#help.long;
  }

  #optionNames(): string[] {
    return this.#options.filter((o) => !o.hidden).flatMap((o) => o.long ? [o.long] : []);
  }

  /** Prints `error: message` (with a suggestion) on stderr and throws. */
  #error(code: string, message: string, candidates: string[] = []): never {
    const typed = /'([^']+)'/.exec(message)?.[1] ?? "";
    const suggestion = this.#suggest ? _suggest(typed, candidates) : undefined;
    const text = suggestion ? `${message}\n(Did you mean ${suggestion}?)` : message;
    console.error(`error: ${text}`);
    this.#fail(code, text);
  }

  #parseAndAct(args: string[]): unknown {
    const values: Record<string, unknown> = {};
    const given = new Set<string>();
    for (const o of this.#options) {
      if (o.defaultValue !== undefined) values[o.attribute] = o.defaultValue;
      else if (o.negate && !this.#options.some((p) => p !== o && p.attribute === o.attribute)) {
        values[o.attribute] = true;
      }
    }
    const positional: string[] = [];
    const set = (o: Option, raw: string | undefined) => {
      let value: unknown;
      if (o.value === "none" || raw === undefined) value = o.negate ? false : true;
      else {
        if (o.choiceList && !o.choiceList.includes(raw)) {
          this.#error(
            "commander.invalidArgument",
            `option '${o.flags}' argument '${raw}' is invalid. Allowed choices are ${
              o.choiceList.join(", ")
            }.`,
          );
        }
        value = raw;
        if (o.parser) {
          try {
            value = o.parser(raw, given.has(o.attribute) ? values[o.attribute] : o.defaultValue);
          } catch (error) {
            if (error instanceof InvalidArgumentError) {
              this.#error(
                "commander.invalidArgument",
                `option '${o.flags}' argument '${raw}' is invalid. ${error.message}`,
              );
            }
            throw error;
          }
        }
      }
      values[o.attribute] = value;
      given.add(o.attribute);
    };
    for (let i = 0; i < args.length; i++) {
      const word = args[i]!;
      if (word === "--") {
        positional.push(...args.slice(i + 1));
        break;
      }
      if (this.#isHelp(word)) {
        this.#printHelp();
        throw new CommanderError(0, "commander.helpDisplayed", "(outputHelp)");
      }
      if (word.startsWith("--")) {
        const eq = word.indexOf("=");
        const flag = eq === -1 ? word : word.slice(0, eq);
        const o = this.#options.find((p) => p.long === flag);
        if (!o) {
          if (this.#allowUnknown) {
            positional.push(word);
            continue;
          }
          this.#error("commander.unknownOption", `unknown option '${flag}'`, this.#optionNames());
        }
        if (eq !== -1) {
          if (o.value === "none") {
            this.#error("commander.unknownOption", `option '${o.flags}' does not take a value`);
          }
          set(o, word.slice(eq + 1));
        } else if (o.value === "required") {
          if (i + 1 >= args.length) {
            this.#error("commander.optionMissingArgument", `option '${o.flags}' argument missing`);
          }
          set(o, args[++i]!);
        } else if (o.value === "optional") {
          const next = args[i + 1];
          if (next !== undefined && !next.startsWith("-")) {
            set(o, next);
            i++;
          } else set(o, undefined);
        } else set(o, undefined);
        continue;
      }
      if (word.startsWith("-") && word.length > 1) {
        // -x, -xVALUE, -xyz (flags together)
        let j = 1;
        while (j < word.length) {
          const flag = `-${word[j]}`;
          const o = this.#options.find((p) => p.short === flag);
          if (!o) {
            if (this.#allowUnknown) {
              positional.push(word);
              break;
            }
            this.#error("commander.unknownOption", `unknown option '${flag}'`, this.#optionNames());
          }
          const rest = word.slice(j + 1);
          if (o.value === "required") {
            if (rest !== "") set(o, rest);
            else {
              if (i + 1 >= args.length) {
                this.#error(
                  "commander.optionMissingArgument",
                  `option '${o.flags}' argument missing`,
                );
              }
              set(o, args[++i]!);
            }
            break;
          }
          if (o.value === "optional") {
            if (rest !== "") set(o, rest);
            else {
              const next = args[i + 1];
              if (next !== undefined && !next.startsWith("-")) {
                set(o, next);
                i++;
              } else set(o, undefined);
            }
            break;
          }
          set(o, undefined);
          j++;
        }
        continue;
      }
      positional.push(word);
    }
    for (const o of this.#options) {
      if (!given.has(o.attribute)) continue;
      for (const other of o.conflictsWith) {
        const p = this.#options.find((q) => q.attribute === other);
        if (p && given.has(p.attribute)) {
          this.#error(
            "commander.conflictingOption",
            `option '${o.flags}' cannot be used with option '${p.flags}'`,
          );
        }
      }
    }
    const argValues: unknown[] = [];
    let at = 0;
    for (const arg of this.#arguments) {
      if (arg.variadic) {
        const rest = positional.slice(at);
        at = positional.length;
        if (arg.required && rest.length === 0) {
          this.#error("commander.missingArgument", `missing required argument '${arg.name}'`);
        }
        argValues.push(rest);
        continue;
      }
      const value = positional[at++];
      if (value === undefined && arg.required) {
        this.#error("commander.missingArgument", `missing required argument '${arg.name}'`);
      }
      argValues.push(value !== undefined && arg.parser ? arg.parser(value, undefined) : value);
    }
    if (at < positional.length && !this.#allowExcess) {
      const expected = this.#arguments.length;
      this.#error(
        "commander.excessArguments",
        `too many arguments for '${this.#name}'. Expected ${expected} argument${
          expected === 1 ? "" : "s"
        } but got ${positional.length}.`,
      );
    }
    this.#values = values;
    this.#given = given;
    if (!this.#action) return undefined;
    const hooks: [Command, Hook][] = [];
    for (const c of this.#lineage()) {
      for (const hook of c.#hooks) hooks.unshift([c, hook]);
    }
    const act = () => this.#action!(...argValues, values, this);
    let pending: Promise<void> | undefined;
    for (const [owner, hook] of hooks) {
      pending = pending ? pending.then(() => hook(owner, this)) : _maybe(hook(owner, this));
    }
    return pending ? pending.then(act) : act();
  }

  /** This command, its parent, and so on up to the program. */
  #lineage(): Command[] {
    const list: Command[] = [this];
    while (list.at(-1)!.#parent) list.push(list.at(-1)!.#parent!);
    return list;
  }

  /** Whether the user gave option `attribute` (not a default). */
  given(attribute: string): boolean {
    return this.#given.has(attribute);
  }

  /** The help text. */
  helpInformation(): string {
    const lines: string[] = [];
    const args = this.#arguments.map((a) => {
      const inner = `${a.name}${a.variadic ? "..." : ""}`;
      return a.required ? `<${inner}>` : `[${inner}]`;
    });
    const usage = this.commands.length > 0
      ? "[options] [command]"
      : ["[options]", ...args].join(" ");
    lines.push(
      `Usage: ${this.#path()}${this.#aliases.length ? `|${this.#aliases[0]}` : ""} ${usage}`,
    );
    if (this.#description) lines.push("", ..._wrap(this.#description, 80, 0));
    const rows: [string, string][][] = [];
    const argRows: [string, string][] = this.#arguments.filter((a) => a.description)
      .map((a) => [a.name, a.description]);
    const optionRows: [string, string][] = [];
    const groups = new Map<string, [string, string][]>();
    if (this.#version) {
      optionRows.push([this.#version.option.flags, this.#version.option.description]);
    }
    for (const o of this.#options) {
      if (o.hidden) continue;
      let text = o.description;
      if (o.choiceList) {
        text += ` (choices: ${o.choiceList.map((c) => JSON.stringify(c)).join(", ")})`;
      }
      if (o.defaultValue !== undefined && typeof o.defaultValue !== "boolean") {
        text += ` (default: ${JSON.stringify(o.defaultValue)})`;
      }
      const group = this.#groupOf.get(o);
      if (group === undefined) optionRows.push([o.flags, text]);
      else {
        if (!groups.has(group)) groups.set(group, []);
        groups.get(group)!.push([o.flags, text]);
      }
    }
    optionRows.push([this.#help.flags, this.#help.description]);
    const commandRows: [string, string][] = this.commands.map((c) => [
      [c.#name, ...c.#aliases].join("|") +
      (c.#arguments.length
        ? " " + c.#arguments.map((a) => a.required ? `<${a.name}>` : `[${a.name}]`).join(" ")
        : ""),
      c.#description,
    ]);
    if (this.#helpCommand) commandRows.push([this.#helpCommandSpec, this.#helpCommand.description]);
    rows.push(argRows, optionRows, commandRows, ...groups.values());
    const width = Math.max(...rows.flat().map(([term]) => term.length)) + 2;
    const section = (title: string, list: [string, string][]) => {
      if (list.length === 0) return;
      lines.push("", `${title}:`);
      for (const [term, text] of list) {
        const wrapped = _wrap(text, 80 - width - 2, width + 2);
        lines.push(`  ${term.padEnd(width)}${(wrapped[0] ?? "").trimStart()}`, ...wrapped.slice(1));
      }
    };
    section("Arguments", argRows);
    section("Options", optionRows);
    for (const [title, list] of groups) section(title, list);
    section("Commands", commandRows);
    return [...this.#helpBefore, lines.join("\n") + "\n", ...this.#helpAfter.map((t) => t + "\n")]
      .join("");
  }

  #printHelp(): void {
    Deno.stdout.writeSync(new TextEncoder().encode(this.helpInformation()));
  }
}

function _maybe(value: void | Promise<void>): Promise<void> {
  return value instanceof Promise ? value : Promise.resolve();
}

/** Wraps `text` to `width` columns; later lines indented by `indent`. */
function _wrap(text: string, width: number, indent: number): string[] {
  if (width < 20) return [text];
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      if (line !== "" && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l));
}

/**
 * The candidates closest to `typed` (as commander chooses them: an edit distance with
 * transpositions below 3, and more than 40% of the longer word in common), best first.
 */
function _suggest(typed: string, candidates: string[]): string | undefined {
  const dashes = typed.startsWith("--") ? "--" : "";
  const word = typed.slice(dashes.length);
  let best: string[] = [];
  let bestDistance = 3;
  for (const candidate of candidates) {
    const bare = dashes && candidate.startsWith("--") ? candidate.slice(2) : candidate;
    if (bare.length <= 1) continue;
    const d = _distance(word, bare);
    const length = Math.max(word.length, bare.length);
    if ((length - d) / length <= 0.4) continue;
    if (d < bestDistance) {
      bestDistance = d;
      best = [candidate];
    } else if (d === bestDistance) best.push(candidate);
  }
  best.sort((a, b) => a.localeCompare(b));
  if (best.length === 0) return undefined;
  return best.length === 1 ? best[0] : `one of ${best.join(", ")}`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
function _distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
