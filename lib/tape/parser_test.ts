import { assert, assertEquals } from "../../tests/_assert.ts";
import { type Diagnostic, formatDiagnostic } from "./command.ts";
import { parseTape, type ParseTapeOptions } from "./parser.ts";
import type { TapeSettings } from "./settings.ts";
import { THEMES } from "../export/theme.ts";

const FILE = "t.tape";

function parse(text: string, options: ParseTapeOptions = {}) {
  return parseTape(text, { file: FILE, ...options });
}

/** The commands without their locations and sources, for comparing. */
function commandsOf(text: string): unknown[] {
  const { tape, errors } = parse(text);
  assertEquals(errors.map(formatDiagnostic), [], `errors in ${JSON.stringify(text)}`);
  return tape.commands.map(({ loc: _loc, source: _source, ...rest }) =>
    "pattern" in rest && rest.pattern instanceof RegExp
      ? { ...rest, pattern: rest.pattern.source }
      : rest
  );
}

function errorsOf(text: string, options: ParseTapeOptions = {}): string[] {
  return parse(text, options).errors.map(formatDiagnostic);
}

Deno.test("parser reads every command", async (t) => {
  const cases: [string, unknown[]][] = [
    ["Output demo.cast", [{ kind: "output", path: "demo.cast" }]],
    ['Output "out dir/demo.gif"', [{ kind: "output", path: "out dir/demo.gif" }]],
    ["Output ../frames/", [{ kind: "output", path: "../frames/" }]],
    ["Require git", [{ kind: "require", program: "git" }]],
    ['Type "echo hi"', [{ kind: "type", text: "echo hi" }]],
    ["Type hello world", [{ kind: "type", text: "hello world" }]],
    ['Type "a" "b"', [{ kind: "type", text: "a b" }]],
    ['Type@.5 "x"', [{ kind: "type", text: "x", speed: 500_000 }]],
    ['Type@500ms "x"', [{ kind: "type", text: "x", speed: 500_000 }]],
    ['Type@1s "x"', [{ kind: "type", text: "x", speed: 1_000_000 }]],
    ["Backspace", [{ kind: "key", key: "Backspace", repeat: 1 }]],
    ["Backspace 2", [{ kind: "key", key: "Backspace", repeat: 2 }]],
    ["Backspace@1 3", [{ kind: "key", key: "Backspace", repeat: 3, speed: 1_000_000 }]],
    ["Enter@100ms 2", [{ kind: "key", key: "Enter", repeat: 2, speed: 100_000 }]],
    ["Sleep 1", [{ kind: "sleep", duration: 1_000_000 }]],
    ["Sleep 500ms", [{ kind: "sleep", duration: 500_000 }]],
    ["Sleep .5", [{ kind: "sleep", duration: 500_000 }]],
    ["Sleep 0.5", [{ kind: "sleep", duration: 500_000 }]],
    ["Sleep 2s", [{ kind: "sleep", duration: 2_000_000 }]],
    ["Sleep 1m", [{ kind: "sleep", duration: 60_000_000 }]],
    ["Sleep 1.5 s", [{ kind: "sleep", duration: 1_500_000 }]],
    ["Hide", [{ kind: "hide" }]],
    ["Show", [{ kind: "show" }]],
    ['Copy "ls -la"', [{ kind: "copy", text: "ls -la" }]],
    ["Paste", [{ kind: "paste" }]],
    ['Env HELLO "world"', [{ kind: "env", name: "HELLO", value: "world" }]],
    ["Screenshot shot.png", [{ kind: "screenshot", path: "shot.png" }]],
    ["Wait", [{ kind: "wait", scope: "Line" }]],
    ["Wait+Screen", [{ kind: "wait", scope: "Screen" }]],
    ["Wait+Line /ready/", [{ kind: "wait", scope: "Line", pattern: "ready" }]],
    ["Wait@10s", [{ kind: "wait", scope: "Line", timeout: 10_000_000 }]],
    [
      "Wait+Screen@500ms /done$/",
      [{ kind: "wait", scope: "Screen", timeout: 500_000, pattern: "done$" }],
    ],
    ["Wait /a\\/b/", [{ kind: "wait", scope: "Line", pattern: "a\\/b" }]],
    ["Ctrl+C", [{ kind: "combo", modifiers: { ctrl: true }, key: "C" }]],
    ["Ctrl+Alt+X", [{ kind: "combo", modifiers: { ctrl: true, alt: true }, key: "X" }]],
    ["Ctrl+Shift+O", [{ kind: "combo", modifiers: { ctrl: true, shift: true }, key: "O" }]],
    [
      "Ctrl+Alt+Shift+P",
      [{ kind: "combo", modifiers: { ctrl: true, alt: true, shift: true }, key: "P" }],
    ],
    ["Ctrl+@", [{ kind: "combo", modifiers: { ctrl: true }, key: "@" }]],
    ["Ctrl+]", [{ kind: "combo", modifiers: { ctrl: true }, key: "]" }]],
    ["Ctrl+\\", [{ kind: "combo", modifiers: { ctrl: true }, key: "\\" }]],
    ["Ctrl+/", [{ kind: "combo", modifiers: { ctrl: true }, key: "/" }]],
    ["Ctrl+Left", [{ kind: "combo", modifiers: { ctrl: true }, key: "Left" }]],
    ["Ctrl+Backspace", [{ kind: "combo", modifiers: { ctrl: true }, key: "Backspace" }]],
    ["Alt+.", [{ kind: "combo", modifiers: { alt: true }, key: "." }]],
    ["Alt+Enter", [{ kind: "combo", modifiers: { alt: true }, key: "Enter" }]],
    ["Alt+Tab", [{ kind: "combo", modifiers: { alt: true }, key: "Tab" }]],
    ["Alt+i", [{ kind: "combo", modifiers: { alt: true }, key: "i" }]],
    ["Shift+Tab", [{ kind: "combo", modifiers: { shift: true }, key: "Tab" }]],
    ["Shift+Enter", [{ kind: "combo", modifiers: { shift: true }, key: "Enter" }]],
    ["Shift+A", [{ kind: "combo", modifiers: { shift: true }, key: "A" }]],
    [
      'Type "make" Sleep 500ms Enter',
      [
        { kind: "type", text: "make" },
        { kind: "sleep", duration: 500_000 },
        { kind: "key", key: "Enter", repeat: 1 },
      ],
    ],
    ['# a comment\nType "x" # and another\n', [{ kind: "type", text: "x" }]],
  ];
  for (const key of ["Delete", "Insert", "Tab", "Space", "Escape", "Up", "Down", "Left"]) {
    cases.push([key, [{ kind: "key", key, repeat: 1 }]]);
  }
  for (const key of ["Right", "PageUp", "PageDown", "Home", "End", "ScrollUp", "ScrollDown"]) {
    cases.push([`${key} 3`, [{ kind: "key", key, repeat: 3 }]]);
  }
  for (const [text, expected] of cases) {
    await t.step(text.replaceAll("\n", "⏎"), () => assertEquals(commandsOf(text), expected));
  }
});

Deno.test("parser reads the three quote styles without escapes", () => {
  assertEquals(commandsOf(`Type "Double Quote"`), [{ kind: "type", text: "Double Quote" }]);
  assertEquals(commandsOf(`Type '"Single" Quote'`), [{ kind: "type", text: '"Single" Quote' }]);
  assertEquals(commandsOf("Type `\"Backtick\" 'Quote'`"), [
    { kind: "type", text: `"Backtick" 'Quote'` },
  ]);
  assertEquals(commandsOf(`Type "a\\nb"`), [{ kind: "type", text: "a\\nb" }]);
});

Deno.test("parser records each command's place and source text", () => {
  const { tape } = parse('Set FontSize 20\n\n  Type "ls" Enter\n');
  assertEquals(tape.commands.map((c) => [c.loc.line, c.loc.col, c.source]), [
    [1, 1, "Set FontSize 20"],
    [3, 3, 'Type "ls"'],
    [3, 13, "Enter"],
  ]);
});

Deno.test("parser applies every setting", async (t) => {
  const cases: [string, Partial<TapeSettings>][] = [
    ["Set Shell fish", { shell: "fish" }],
    ['Set Shell "zsh"', { shell: "zsh" }],
    ['Set FontFamily "Hack"', { fontFamily: "Hack" }],
    ["Set FontSize 14", { fontSize: 14 }],
    ["Set Framerate 30", { framerate: 30 }],
    ["Set Height 800", { height: 800 }],
    ["Set Width 1000", { width: 1000 }],
    ["Set LetterSpacing 2", { letterSpacing: 2 }],
    ["Set LetterSpacing -1", { letterSpacing: -1 }],
    ["Set LineHeight 1.2", { lineHeight: 1.2 }],
    ["Set PlaybackSpeed 2", { playbackSpeed: 2 }],
    ["Set TypingSpeed .1", { typingSpeed: 100_000 }],
    ["Set TypingSpeed 10ms", { typingSpeed: 10_000 }],
    ["Set Padding 0", { padding: 0 }],
    ['Set Theme "Catppuccin Mocha"', { theme: { name: "Catppuccin Mocha" } }],
    [
      "Set Theme Dracula",
      { theme: { name: "Dracula", colors: THEMES.dracula } },
    ],
    ["Set LoopOffset 20%", { loopOffset: 20 }],
    ["Set LoopOffset 60.4", { loopOffset: 60.4 }],
    ['Set MarginFill "#6B50FF"', { marginFill: "#6b50ff" }],
    ["Set Margin 20", { margin: 20 }],
    ["Set WindowBar Colorful", { windowBar: "Colorful" }],
    ["Set WindowBarSize 40", { windowBarSize: 40 }],
    ["Set BorderRadius 8", { borderRadius: 8 }],
    ["Set CursorBlink false", { cursorBlink: false }],
    ["Set WaitTimeout 5s", { waitTimeout: 5_000_000 }],
    ["Set Cols 100", { cols: 100 }],
    ["Set Rows 30", { rows: 30 }],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => {
      const { tape, errors } = parse(text);
      assertEquals(errors, []);
      const actual = Object.fromEntries(
        Object.keys(expected).map((k) => [k, tape.settings[k as keyof TapeSettings]]),
      );
      assertEquals(actual, expected);
    });
  }
  await t.step("Set WaitPattern /\\$ $/", () => {
    assertEquals(parse("Set WaitPattern /\\$ $/").tape.settings.waitPattern.source, "\\$ $");
  });
  await t.step("Set Theme with inline JSON (purple for magenta)", () => {
    const { tape, errors } = parse(
      'Set Theme { "name": "Whimsy", "black": "#535178", "purple": "#AA7FF0", ' +
        '"background": "#29283b", "foreground": "#b3b0d6" }',
    );
    assertEquals(errors, []);
    assertEquals(tape.settings.theme.name, "Whimsy");
    assertEquals(tape.settings.theme.colors?.bg, "#29283b");
    assertEquals(tape.settings.theme.colors?.fg, "#b3b0d6");
    assertEquals(tape.settings.theme.colors?.palette[0], "#535178");
    assertEquals(tape.settings.theme.colors?.palette[5], "#aa7ff0");
  });
  await t.step("Cols and Rows decide the size", () => {
    assertEquals(parse("Set Cols 100\nSet Rows 30").tape.size, { cols: 100, rows: 30 });
  });
});

Deno.test("parser reports each mistake with its place, the token and what was expected", async (t) => {
  const cases: [string, string[]][] = [
    ["Set", ["t.tape:1:4: expected a setting name after Set, got end of file"]],
    [
      "Set fontsize 12",
      [
        't.tape:1:5: unknown setting "fontsize": settings are case-sensitive; did you mean FontSize?',
      ],
    ],
    ["Set FontSize big", ['t.tape:1:14: Set FontSize expects a number, got "big"']],
    ["Set FontSize 0", ["t.tape:1:14: Set FontSize expects more than 0 and at most 1000, got 0"]],
    ["Set Framerate 1.5", ["t.tape:1:15: Set Framerate expects a whole number, got 1.5"]],
    ["Set CursorBlink yes", ['t.tape:1:17: Set CursorBlink expects true or false, got "yes"']],
    [
      "Set WindowBar Foo",
      [
        't.tape:1:15: "Foo" is not a window bar style: expected Colorful, ColorfulRight, Rings, RingsRight',
      ],
    ],
    [
      'Set MarginFill "#12"',
      ['t.tape:1:16: Set MarginFill expects a colour like "#6b50ff", got "#12"'],
    ],
    [
      'Set Theme {"black": "red"}',
      ['t.tape:1:11: Set Theme: theme colour black is "red": expected #rrggbb'],
    ],
    ['Set Theme { "name": "x"', ["t.tape:1:11: unterminated JSON object: expected a closing }"]],
    [
      "Set Shell tcsh",
      [
        't.tape:1:11: unknown shell "tcsh": expected one of bash, zsh, fish, sh, powershell, pwsh, cmd, nu, osh, xonsh',
      ],
    ],
    ["Set Cols 0", ["t.tape:1:10: Set Cols expects 1 to 720, got 0"]],
    ["Set Rows 500", ["t.tape:1:10: Set Rows expects 1 to 200, got 500"]],
    [
      "Set TypingSpeed fast",
      [
        't.tape:1:17: expected a time after Set TypingSpeed (like 500ms, 2s or .5), got "fast"',
      ],
    ],
    ["Set WaitTimeout 0", ["t.tape:1:17: Set WaitTimeout expects a time longer than 0"]],
    [
      "Set WaitPattern /(/",
      ["t.tape:1:17: invalid regular expression /(/: Unterminated group"],
    ],
    ["Set LoopOffset x", ['t.tape:1:16: Set LoopOffset expects a number or a percentage, got "x"']],
    [
      'type "x"',
      ['t.tape:1:1: unknown command "type": commands are case-sensitive; did you mean Type?'],
    ],
    [
      "FontSize 12",
      ['t.tape:1:1: unknown command "FontSize": it is a setting; write Set FontSize …'],
    ],
    ["Type", ["t.tape:1:5: Type expects a string to type, got end of file"]],
    [
      "Type Enter",
      [
        't.tape:1:6: Type expects a string to type, got the key "Enter" (to type the word, quote it: Type "Enter")',
      ],
    ],
    ["Type 123", ['t.tape:1:6: Type expects a string to type, got "123"']],
    [
      'Type "abc',
      ['t.tape:1:6: unterminated string: expected a closing " before the end of the line'],
    ],
    ["Sleep", ["t.tape:1:6: expected a time after Sleep (like 500ms, 2s or .5), got end of file"]],
    ["Sleep 5h", ['t.tape:1:7: unknown time unit in "5h": expected ms, s or m']],
    ["Sleep 1.2.3", ['t.tape:1:7: "1.2.3" is not a number']],
    ["Sleep abc", ['t.tape:1:7: expected a time after Sleep (like 500ms, 2s or .5), got "abc"']],
    ["Enter 1.5", ["t.tape:1:7: Enter repeats a whole number of times (1 or more), got 1.5"]],
    ["Enter 0", ["t.tape:1:7: Enter repeats a whole number of times (1 or more), got 0"]],
    ["Ctrl", ['t.tape:1:5: expected "+" and a key after Ctrl (like Ctrl+C), got end of file']],
    ["Ctrl+", ['t.tape:1:6: expected a key after "Ctrl+", got end of file']],
    [
      "Ctrl+Foo",
      [
        't.tape:1:6: "Foo" is not a key for Ctrl+: expected one character (a letter, digit or symbol) or one of Enter, Backspace, Delete, Insert, Tab, Space, Escape, Up, Down, Left, Right, PageUp, PageDown, Home, End',
      ],
    ],
    ["Ctrl+C+Alt", ["t.tape:1:7: the key (C) must come last in Ctrl+…; modifiers first"]],
    ["Alt+", ['t.tape:1:5: expected a key after "Alt+", got end of file']],
    ["Wait+Foo", ['t.tape:1:6: Wait+ expects Line or Screen, got "Foo"']],
    ["Wait@0s", ["t.tape:1:6: the Wait timeout must be longer than 0"]],
    ["Wait /(/", ["t.tape:1:6: invalid regular expression /(/: Unterminated group"]],
    [
      "Wait /abc",
      [
        "t.tape:1:6: unterminated regular expression: expected a closing / before the end of the line",
      ],
    ],
    ["Output", ["t.tape:1:7: Output expects a file path, got end of file"]],
    [
      "Output demo",
      [
        't.tape:1:8: Output expects a file name with an extension (demo.cast, demo.gif, demo.txt) or a folder ending in /, got "demo"',
      ],
    ],
    [
      "Output /tmp/x.gif",
      [
        "t.tape:1:8: Output expects a file path, got the regular expression /tmp/ (a path that starts with / must be quoted)",
      ],
    ],
    ["Screenshot x.jpg", ['t.tape:1:12: Screenshot expects a .png file, got "x.jpg"']],
    ["Env", ["t.tape:1:4: Env expects a variable name and a value, got end of file"]],
    ['Env 1X "v"', ['t.tape:1:5: Env expects a variable name (letters, digits, _), got "1X"']],
    ["Env FOO", ["t.tape:1:8: Env expects a value for FOO, got end of file"]],
    ["Require", ["t.tape:1:8: Require expects the name of a program, got end of file"]],
    ["Copy", ["t.tape:1:5: Copy expects a string to put on the clipboard, got end of file"]],
    ["Type 'x' !", ['t.tape:1:10: unexpected character "!"']],
    [
      "Set Width 100",
      [
        "t.tape:1:1: the terminal would have no room: Width 100 and Height 600 less padding leave 0x16 cells at FontSize 22; make them larger, or set Cols and Rows",
      ],
    ],
    ["Source x.txt", ['t.tape:1:8: Source expects a file ending in .tape, got "x.txt"']],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => assertEquals(errorsOf(text), expected));
  }
});

Deno.test("parser lists every mistake of VHS's examples/errors/parser.tape", () => {
  const text = "Set Foo Bar\n\nFoo\n\nType Enter\n\nBar Backspace@\n\nfoo\n";
  const errors = errorsOf(text);
  assertEquals(errors.length, 6);
  assert(errors[0]!.startsWith('t.tape:1:5: unknown setting "Foo": expected one of Shell,'));
  assert(errors[1]!.startsWith('t.tape:3:1: unknown command "Foo": expected a command'));
  assertEquals(
    errors[2],
    't.tape:5:6: Type expects a string to type, got the key "Enter" (to type the word, quote it: Type "Enter")',
  );
  assert(errors[3]!.startsWith('t.tape:7:1: unknown command "Bar"'));
  assertEquals(
    errors[4],
    "t.tape:7:15: expected a time after @ (like 500ms, 2s or .5), got end of line",
  );
  assert(errors[5]!.startsWith('t.tape:9:1: unknown command "foo"'));
});

Deno.test("parser reads a sourced tape in place, with its own file in messages", () => {
  const files: Record<string, string> = {
    "setup.tape": 'Output ignored.cast\nType "cd /tmp" Enter\n',
    "bad.tape": "Sleep\nFoo\n",
    "nested.tape": "Source setup.tape\n",
    "empty.tape": "\n",
  };
  const readSource = (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`file ${path} not found`);
    return { file: path, text };
  };
  const ok = parse('Source setup.tape\nType "ls"', { readSource });
  assertEquals(ok.errors, []);
  assertEquals(ok.tape.commands.map((c) => c.kind), ["type", "key", "type"]);
  assertEquals(ok.tape.commands[0]!.loc, { file: "setup.tape", line: 2, col: 1 });
  assertEquals(ok.tape.outputs, []);
  assertEquals(
    ok.tape.warnings.map(formatDiagnostic),
    ["setup.tape:1:1: Output in a sourced tape is ignored (it is sourced from t.tape:1)"],
  );
  assertEquals(errorsOf("Source bad.tape", { readSource }), [
    "bad.tape:1:6: expected a time after Sleep (like 500ms, 2s or .5), got end of line",
    'bad.tape:2:1: unknown command "Foo": expected a command (Type, Sleep, Enter, Backspace, Ctrl+…, Wait, Hide, Show, Set, Output…)',
  ]);
  assertEquals(errorsOf("Source nested.tape", { readSource }), [
    "nested.tape:1:1: a sourced tape may not itself use Source",
  ]);
  assertEquals(errorsOf("Source missing.tape", { readSource }), [
    "t.tape:1:8: Source: file missing.tape not found",
  ]);
  assertEquals(errorsOf("Source empty.tape", { readSource }), [
    "t.tape:1:8: Source: empty.tape is empty",
  ]);
});

Deno.test("parser applies leading settings and warns about later ones, except TypingSpeed", () => {
  const { tape, errors } = parse(
    "Output a.cast\nSet FontSize 30\nType 'x'\nSet FontSize 10\nSet TypingSpeed 10ms\nSet Shell zsh\n",
  );
  assertEquals(errors, []);
  assertEquals(tape.bodyStart, 2);
  assertEquals(tape.settings.fontSize, 30);
  assertEquals(tape.settings.typingSpeed, 50_000, "TypingSpeed later changes while running");
  assertEquals(tape.settings.shell, "zsh", "Shell applies wherever it is, as in VHS");
  assertEquals(tape.warnings.map((w: Diagnostic) => formatDiagnostic(w)), [
    "t.tape:4:1: Set FontSize 10 is ignored: settings take effect before the session starts " +
    "(only TypingSpeed may change later); move it to the top of the tape",
  ]);
});

Deno.test("parser collects outputs, requirements and the environment", () => {
  const { tape } = parse(
    'Output a.cast\nOutput b.txt\nRequire git\nEnv A "1"\nType "x"\nEnv B "2"\nScreenshot s.png\nPaste\n',
  );
  assertEquals(tape.outputs.map((o) => o.path), ["a.cast", "b.txt"]);
  assertEquals(tape.requires.map((r) => r.program), ["git"]);
  assertEquals(tape.env, { A: "1", B: "2" });
  assertEquals(tape.screenshots.map((s) => s.path), ["s.png"]);
  assertEquals(tape.warnings.map(formatDiagnostic), [
    "t.tape:8:1: Paste before any Copy types nothing (the clipboard is empty)",
  ]);
});

Deno.test("parser translates RE2 spellings in Wait patterns", () => {
  const { tape } = parse("Wait /(?i)(?P<word>done)\\z/");
  const wait = tape.commands[0]!;
  assert(wait.kind === "wait" && wait.pattern);
  assert(wait.pattern.test("all DONE"));
  assert(!wait.pattern.test("done!"));
});
