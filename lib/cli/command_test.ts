import { assert, assertEquals, assertMatch, assertThrows } from "../../tests/_assert.ts";
import { Command, CommanderError, InvalidArgumentError, Option } from "./command.ts";

/** Runs `program` on `args`, returning what the action saw, or the error's code and message. */
function run(
  program: Command,
  args: string[],
): { seen?: unknown[]; code?: string; message?: string } {
  let seen: unknown[] | undefined;
  const quiet = console.error;
  console.error = () => {};
  try {
    program.action((...all: unknown[]) => {
      seen = all.slice(0, -1); // the arguments and the options, not the command
    }).parse(args);
    return { seen };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { code: error.code, message: error.message };
  } finally {
    console.error = quiet;
  }
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError("It must be positive.");
  return n;
}

function rec(): Command {
  return new Command("rec")
    .argument("<file>", "where to write")
    .option("-c, --command <command>", "what to run")
    .option("-i, --idle-time-limit <secs>", "limit", positive)
    .option("-q, --quiet", "be quiet")
    .option("-y, --yes", "answer yes")
    .option("--no-loop", "play once")
    .option("-l, --local [IP:PORT|PORT]", "serve locally")
    .option("--theme <name|file>", "colours")
    .addOption(new Option("-f, --format <name>", "format").choices(["v2", "v3"]))
    .addOption(new Option("--append", "append").conflicts("overwrite"))
    .option("--overwrite", "overwrite")
    .option("--label <text>", "repeatable", (v: string, prev: unknown) => [
      ...(prev as string[]),
      v,
    ], []);
}

Deno.test("options: long, long=value, short, short joined to its value, flags together", () => {
  const { seen } = run(rec(), ["-qy", "--command=ls -l", "-i2.5", "out.cast", "--label", "a"]);
  assertEquals(seen, ["out.cast", {
    command: "ls -l",
    idleTimeLimit: 2.5,
    quiet: true,
    yes: true,
    loop: true,
    label: ["a"],
  }]);
  const again = run(rec(), [
    "x",
    "-c",
    "-dash-first",
    "--no-loop",
    "--label",
    "a",
    "--label",
    "b",
    "--theme",
    "nord",
  ]);
  assertEquals(again.seen, ["x", {
    command: "-dash-first",
    loop: false,
    label: ["a", "b"],
    theme: "nord",
  }]);
});

Deno.test("an optional value is taken when the next word is not an option", () => {
  assertEquals(run(rec(), ["x", "--local"]).seen?.[1], { local: true, loop: true, label: [] });
  assertEquals(run(rec(), ["x", "-l", "0.0.0.0:8"]).seen?.[1], {
    local: "0.0.0.0:8",
    loop: true,
    label: [],
  });
  assertEquals((run(rec(), ["-l", "-q", "x"]).seen?.[1] as { local: unknown }).local, true);
});

Deno.test("`--` ends the options", () => {
  assertEquals(run(rec(), ["--", "-q"]).seen?.[0], "-q");
});

Deno.test("usage errors are commander's words, with a suggestion", () => {
  const cases: [string[], string, RegExp][] = [
    [
      ["x", "--quite"],
      "commander.unknownOption",
      /^unknown option '--quite'\n\(Did you mean --quiet\?\)$/,
    ],
    [["x", "-z"], "commander.unknownOption", /^unknown option '-z'$/],
    [
      ["x", "-c"],
      "commander.optionMissingArgument",
      /^option '-c, --command <command>' argument missing$/,
    ],
    [[], "commander.missingArgument", /^missing required argument 'file'$/],
    [
      ["a", "b"],
      "commander.excessArguments",
      /^too many arguments for 'rec'. Expected 1 argument but got 2.$/,
    ],
    [
      ["x", "-i", "0"],
      "commander.invalidArgument",
      /argument '0' is invalid. It must be positive.$/,
    ],
    [["x", "-f", "v1"], "commander.invalidArgument", /Allowed choices are v2, v3.$/],
    [
      ["x", "--append", "--overwrite"],
      "commander.conflictingOption",
      /'--append' cannot be used with option '--overwrite'$/,
    ],
    [["x", "--quiet=1"], "commander.unknownOption", /does not take a value/],
  ];
  for (const [args, code, message] of cases) {
    const result = run(rec(), args);
    assertEquals(result.code, code, args.join(" "));
    assertMatch(result.message!, message);
  }
});

Deno.test("subcommands: names, aliases, unknown commands with suggestions, hooks first", async () => {
  const order: string[] = [];
  const program = new Command("prog").exitOverride();
  program.hook("preAction", () => {
    order.push("hook");
  });
  program.addCommand(
    new Command("play").alias("p").argument("<file>").action((file: string) => {
      order.push(`play ${file}`);
    }),
  );
  program.addCommand(new Command("rec").action(() => {
    order.push("rec");
  }));
  await program.parseAsync(["p", "a.cast"]);
  assertEquals(order, ["hook", "play a.cast"]);
  const quiet = console.error;
  console.error = () => {};
  try {
    const error = assertThrows(() => program.parse(["plya"]), CommanderError) as CommanderError;
    assertEquals(error.code, "commander.unknownCommand");
    assertEquals(error.message, "unknown command 'plya'\n(Did you mean play?)");
    assertEquals(
      assertThrows(() => program.parse(["zzzzzz"]), CommanderError).message,
      "unknown command 'zzzzzz'",
    );
  } finally {
    console.error = quiet;
  }
});

Deno.test("given() tells a flag the user gave from a default", () => {
  const cmd = rec();
  run(cmd, ["x", "-i", "3"]);
  assert(cmd.given("idleTimeLimit"));
  assert(!cmd.given("label"));
});

Deno.test("help: usage, arguments, options with choices and defaults, groups, wrapped text", () => {
  const cmd = new Command("convert")
    .description("convert a recording")
    .argument("<input>", "recording to read")
    .option("-q, --quiet", "hide warnings")
    .addOption(new Option("-f, --format <name>", "format").choices(["a", "b"]))
    .optionsGroup("Picture options (svg, gif):")
    .option("--fps <n>", "frames a second", positive, 30)
    .option(
      "--theme <name>",
      "colours: one of the many themes asciirec knows, which is a long enough list to wrap " +
        "onto the next line",
    )
    .addOption(new Option("--secret", "hidden").hideHelp())
    .addHelpText("after", "\nExamples:\n  convert a b");
  assertEquals(
    cmd.helpInformation(),
    `Usage: convert [options] <input>

convert a recording

Arguments:
  input                recording to read

Options:
  -q, --quiet          hide warnings
  -f, --format <name>  format (choices: "a", "b")
  -h, --help           display help for command

Picture options (svg, gif):
  --fps <n>            frames a second (default: 30)
  --theme <name>       colours: one of the many themes asciirec knows, which is
                       a long enough list to wrap onto the next line

Examples:
  convert a b
`,
  );
});
