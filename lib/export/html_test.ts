import { assert, assertEquals, assertStringIncludes } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { parseTimePoint } from "../asciicast/time_spec.ts";
import { htmlEncoder } from "./html.ts";
import type { ExportOptions } from "./options.ts";

async function page(events: Event[], options: ExportOptions = {}): Promise<string> {
  let out = "";
  const encoder = htmlEncoder({
    header: { version: 3, cols: 30, rows: 4, title: "</title><b>t</b>" },
    emit: (s) => out += s,
    options: { ...options },
  });
  for (const e of events) encoder.event(e);
  await encoder.finish();
  return out;
}

/** The asciicast text the page embeds. */
function embedded(html: string): string[] {
  const literal = /const cast = ("(?:[^"\\]|\\.)*");/.exec(html)![1]!;
  return (JSON.parse(literal) as string).trim().split("\n");
}

const o = (time: number, data: string): Event => ({ time, code: "o", data });

Deno.test("html embeds the recording and options, with nothing able to close its script", async () => {
  const html = await page([o(0, "</script><script>alert(1)</script><!--")], { speed: 2 });
  // One closing tag per script element: the player's and ours.
  assertEquals((html.match(/<\/script/gi) ?? []).length, 2);
  assert(!/<!--/.test(html.slice(html.indexOf("<body>"))));
  assertStringIncludes(html, "<title>&lt;/title&gt;&lt;b&gt;t&lt;/b&gt;</title>");
  assertStringIncludes(html, '"speed":2');
  assertStringIncludes(html, "AsciinemaPlayer.create");
  const cast = embedded(html);
  assertEquals(JSON.parse(cast[1]!), [0, "o", "</script><script>alert(1)</script><!--"]);
});

Deno.test("html --from starts with a snapshot of the screen, --to cuts the rest", async () => {
  const html = await page([
    o(0, "\x1b[31mred\r\n"),
    { time: 1_000_000, code: "m", data: "go" },
    o(2_000_000, "next"),
    o(9_000_000, "late"),
  ], { from: parseTimePoint("marker:go"), to: parseTimePoint("5") });
  const cast = embedded(html);
  const [, first, ...rest] = cast.map((l) => JSON.parse(l));
  assertEquals(first[0], 0);
  assertStringIncludes(first[2], "red");
  assertStringIncludes(first[2], "\x1b[");
  assertEquals(rest.map((e: unknown[]) => e[2]), ["go", "next"]);
  assertEquals(rest[1][0], 1); // 2 s, one second after --from
  assert(!cast.join("").includes("late"));
});
