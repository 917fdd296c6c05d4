/**
 * Interop with the real asciinema 2.2 (Debian package `asciinema`): recordings it makes are
 * read correctly, and v2 files asciirec writes are accepted by `asciinema cat`, whose output
 * bytes equal the recorded output.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import type { Event } from "../lib/asciicast/event.ts";
import { skipWithoutPeer } from "./_peers.ts";

const ASCIINEMA = "/usr/bin/asciinema";

/** Runs a shell command line, under script(1) when it needs a terminal. */
async function sh(line: string, options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const [cmd, args] = options.tty ? ["script", ["-qec", line, "/dev/null"]] : ["sh", ["-c", line]];
  const out = await new Deno.Command(cmd, {
    args,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert(out.success, `${line} failed (${out.code}): ${text}`);
}

async function readEvents(path: string) {
  const warnings: string[] = [];
  const recording = await openRecording(path, { onWarning: (w) => warnings.push(w) });
  const events: Event[] = [];
  for await (const event of recording.events) events.push(event);
  return { header: recording.header, events, warnings };
}

// The program asciinema records: UTF-8, an emoji, escape sequences, control bytes, pauses.
const PROGRAM = String.raw`printf 'h\303\251llo \360\237\216\211\n'; sleep 0.3; ` +
  String.raw`printf '\033[1mbold\033[0m\ttab\a\n'; sleep 0.2; printf 'end'`;
const EXPECTED_OUTPUT = "héllo 🎉\r\n\x1b[1mbold\x1b[0m\ttab\x07\r\nend";

Deno.test({
  name: "recordings made by asciinema 2.2 rec are read correctly",
  ignore: skipWithoutPeer(ASCIINEMA),
}, async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-interop-" });
  const env = { ASCIINEMA_CONFIG_HOME: `${dir}/config`, SHELL: "/bin/sh", TERM: "xterm" };
  try {
    await t.step("without a terminal", async () => {
      await sh(`${ASCIINEMA} rec -q -c "${PROGRAM}" ${dir}/plain.cast`, { env });
      const { header, events, warnings } = await readEvents(`${dir}/plain.cast`);
      assertEquals([header.version, header.cols > 0, header.rows > 0], [2, true, true]);
      assertEquals(header.env?.SHELL, "/bin/sh");
      assertEquals(warnings, []);
      const output = events.filter((e) => e.code === "o").map((e) => e.data).join("");
      assertEquals(output, EXPECTED_OUTPUT);
      const times = events.map((e) => e.time);
      assert(times.every((time, i) => i === 0 || time >= times[i - 1]!), "times only grow");
      assert(times.at(-1)! >= 400_000, `the pauses are in the times: ${times}`);
    });
    await t.step("under script, where it writes a 0x0 size", async () => {
      await sh(`${ASCIINEMA} rec -q -c "${PROGRAM}" ${dir}/script.cast`, { env, tty: true });
      const { header, events, warnings } = await readEvents(`${dir}/script.cast`);
      const raw = JSON.parse((await Deno.readTextFile(`${dir}/script.cast`)).split("\n")[0]!);
      // script's terminal has no size when its stdin is not a terminal.
      assertEquals([raw.width, raw.height], [0, 0]);
      assertEquals([header.cols, header.rows], [80, 24]);
      assertStringIncludes(warnings.join("\n"), "terminal size 0x0; assuming 80x24");
      assertEquals(
        events.filter((e) => e.code === "o").map((e) => e.data).join(""),
        EXPECTED_OUTPUT,
      );
      const converted = await runCli(["convert", `${dir}/script.cast`, "-"]);
      assertEquals(converted.code, 0, converted.stderr);
      const lines = converted.stdout.trim().split("\n");
      assertEquals(JSON.parse(lines[0]!).version, 3);
      assertEquals(lines.slice(1).map((l) => JSON.parse(l)[2]).join(""), EXPECTED_OUTPUT);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a v2 file written by asciirec is accepted by asciinema 2.2 cat, which prints the recorded output",
  ignore: skipWithoutPeer(ASCIINEMA),
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-interop-" });
  try {
    const outputs = [
      "plain\r\n",
      "é€ 中文 🎉👍🏽\r\n",
      "\x1b[31mred\x1b[0m \x07\x08\t\x0b\x0c\x1b]0;title\x07\r\n",
      '"quotes" \\ and \u2028 \x7f\r\n',
      "x".repeat(10_000),
    ];
    const lines = [
      '{"version":3,"term":{"cols":100,"rows":30,"type":"xterm-256color"},"title":"interop","tags":["t"],"x_extra":1}',
    ];
    for (const [i, data] of outputs.entries()) {
      lines.push(JSON.stringify([0.123, "o", data]));
      lines.push(JSON.stringify([0.001, ["i", "m", "r", "x", "i"][i]!, i === 2 ? "90x20" : "k"]));
    }
    await Deno.writeTextFile(`${dir}/ours.cast`, lines.join("\n") + "\n");
    const converted = await runCli([
      "convert",
      "-f",
      "asciicast-v2",
      `${dir}/ours.cast`,
      `${dir}/v2.cast`,
    ]);
    assertEquals(converted.code, 0, converted.stderr);
    // asciinema 2.2's cat opens /dev/tty, so it runs under script; its stdout goes to a file.
    await sh(`${ASCIINEMA} cat ${dir}/v2.cast > ${dir}/cat.out`, { tty: true });
    const printed = await Deno.readFile(`${dir}/cat.out`);
    assertEquals(printed, new TextEncoder().encode(outputs.join("")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
