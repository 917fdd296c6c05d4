import { assert, assertEquals, assertStringIncludes } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { parseTimePoint } from "../asciicast/time_spec.ts";
import type { ExportOptions } from "./options.ts";
import { svgEncoder } from "./svg.ts";

function svg(events: Event[], options: ExportOptions = {}, title?: string): string {
  let out = "";
  const encoder = svgEncoder({
    header: { version: 3, cols: 60, rows: 4, title },
    emit: (s) => out += s,
    options: { lastFrame: 0, ...options },
  });
  for (const e of events) encoder.event(e);
  encoder.finish();
  return out;
}

const o = (time: number, data: string): Event => ({ time, code: "o", data });

Deno.test("svg keeps terminal text as escaped text, never as markup", () => {
  const out = svg([o(0, '</text><script>alert(1)</script> & "q"')], {}, "<title>&");
  assert(!out.includes("<script"), out);
  assertStringIncludes(
    out,
    "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;",
  );
  assertStringIncludes(out, "<title>&lt;title&gt;&amp;</title>");
});

Deno.test("svg defines a row shown in several places once and reuses it", () => {
  // "$ " appears on row 0, then scrolls through rows.
  const events = [o(0, "$ "), o(1e6, "\r\n$ "), o(2e6, "\r\n$ "), o(3e6, "\r\n$ ")];
  const out = svg(events);
  // Two contents ("$" with the cursor after it, and without), each written once, placed 7 times.
  assertEquals((out.match(/>\$<\/text>/g) ?? []).length, 2, out);
  assertEquals((out.match(/<use href="#r\d+"/g) ?? []).length, 7, out);
});

Deno.test("svg animates each changing row with keyframes and puts its last content on page 0", () => {
  const out = svg([o(0, "a"), o(1e6, "b"), o(2e6, "c")], { loop: false, lastFrame: 1 });
  assertStringIncludes(
    out,
    "@keyframes k0{0%{translate:0 -56px}33.333%{translate:0 -112px}66.667%{translate:0}}",
  );
  assertStringIncludes(out, "steps(1,end) 1 forwards");
  assertStringIncludes(out, "@media(prefers-reduced-motion:reduce){g[class]{animation:none}}");
});

Deno.test("svg with --at is a still picture without animation", () => {
  const out = svg([o(0, "a"), o(1e6, "b"), o(2e6, "c")], { at: parseTimePoint("1.5") });
  assert(!out.includes("@keyframes"));
  assertStringIncludes(out, ">ab</text>");
});

Deno.test("svg draws colours, attributes, the cursor and wide characters", () => {
  const out = svg([
    o(
      0,
      "\x1b[1;31mB\x1b[0;3;4mi\x1b[0;9ms\x1b[7mv\x1b[0m\x1b[38;5;208mo\x1b[38;2;1;2;3mt\x1b[0m中",
    ),
  ]);
  assertStringIncludes(out, "fill:#dd3c69;font-weight:bold");
  assertStringIncludes(out, "font-style:italic;text-decoration:underline");
  assertStringIncludes(out, "text-decoration:line-through");
  assertStringIncludes(out, "fill:#ff8700");
  assertStringIncludes(out, "fill:#010203");
  // The wide character has its own position, and the cursor after it two cells on.
  assertStringIncludes(out, '<tspan x="36">中</tspan>');
  assert(/<rect x="48" y="0" width="6"/.test(out), out);
});
