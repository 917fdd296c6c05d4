/**
 * `edit` on recordings made by the real asciinema 2.2 (Debian package `asciinema`), and its
 * v2 output read back by `asciinema cat`, which must accept it and print exactly the output
 * the edit kept (the snapshot included); the edited screen ends as the source's does.
 */
import { assert, assertEquals } from "./_assert.ts";
import { runCli } from "./_cli.ts";
import { skipWithoutPeer } from "./_peers.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { type Event, type Header, parseSize } from "../lib/asciicast/event.ts";
import { Vt } from "../lib/vt/vt.ts";
import { diffScreens } from "../lib/vt/screen.ts";

const ASCIINEMA = "/usr/bin/asciinema";

async function sh(line: string, env: Record<string, string> = {}): Promise<void> {
  const out = await new Deno.Command("sh", {
    args: ["-c", line],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, `${line} failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
}

async function readEvents(path: string): Promise<{ header: Header; events: Event[] }> {
  const recording = await openRecording(path);
  const events: Event[] = [];
  for await (const event of recording.events) events.push(event);
  return { header: recording.header, events };
}

function finalScreen(header: Header, events: Event[]) {
  const vt = new Vt(header.cols, header.rows, { sync: true });
  for (const e of events) {
    if (e.code === "o") vt.feed(e.data);
    const size = e.code === "r" ? parseSize(e.data) : undefined;
    if (size) vt.resize(size.cols, size.rows);
  }
  const screen = vt.screen();
  vt.dispose();
  return screen;
}

// A session that draws, clears and redraws, with pauses between the steps.
const PROGRAM = [
  String.raw`printf 'one \033[1mbold\033[0m\n'`,
  String.raw`printf '\033[2J\033[Htwo \033[31mred\033[0m\n\342\224\214\342\224\200\342\224\220\n'`,
  String.raw`printf '\033[3;1Hthree \360\237\216\211\n'`,
  String.raw`printf 'four'`,
].join("; sleep 0.4; ");

Deno.test({
  name: "recordings by asciinema 2.2 are edited, and asciinema 2.2 cat plays the v2 result",
  ignore: skipWithoutPeer(ASCIINEMA),
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-edit-interop-" });
  const env = { ASCIINEMA_CONFIG_HOME: `${dir}/config`, SHELL: "/bin/sh", TERM: "xterm" };
  try {
    await sh(`${ASCIINEMA} rec -q -c "${PROGRAM}" ${dir}/rec.cast`, env);
    const source = await readEvents(`${dir}/rec.cast`);
    assertEquals(source.header.version, 2);
    const outputs = source.events.filter((e) => e.code === "o");
    // Keep from between "two" and "three" to the end: the screen must be rebuilt there.
    const two = outputs.find((e) => e.data.includes("two"))!;
    const three = outputs.find((e) => e.data.includes("three"))!;
    const from = ((two.time + three.time) / 2 / 1e6).toFixed(3);
    const edited = await runCli([
      "edit",
      `${dir}/rec.cast`,
      `${dir}/out.cast`,
      "-f",
      "asciicast-v2",
      "--keep",
      `${from}..`,
      "--cut",
      `${(three.time / 1e6 + 0.05).toFixed(3)}..${(three.time / 1e6 + 0.2).toFixed(3)}`,
    ]);
    assertEquals(edited.code, 0, edited.stderr);
    const out = await readEvents(`${dir}/out.cast`);
    assertEquals(out.header.version, 2);
    assert(out.events[0]!.data.includes("two"), "the first event is the screen at the start");
    assertEquals(
      diffScreens(finalScreen(source.header, source.events), finalScreen(out.header, out.events)),
      [],
    );
    // asciinema 2.2's cat opens /dev/tty, so it runs under script; its stdout goes to a file.
    await sh(`script -qec "${ASCIINEMA} cat ${dir}/out.cast > ${dir}/cat.out" /dev/null`);
    const printed = new TextDecoder().decode(await Deno.readFile(`${dir}/cat.out`));
    assertEquals(printed, out.events.filter((e) => e.code === "o").map((e) => e.data).join(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
