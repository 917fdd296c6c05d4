import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import {
  parseAddMarker,
  parseDropKinds,
  parseRangeOperation,
  parseSeconds,
  parseSpeed,
  refersToMarkers,
} from "./operations.ts";

const S = 1_000_000;

Deno.test("--speed takes a factor, alone or with a range", () => {
  assertEquals(parseSpeed("2"), { factor: 2, text: "2" });
  assertEquals(parseSpeed("0.5@1:00..m2").range, {
    from: { kind: "time", time: 60 * S },
    to: { kind: "markerNumber", number: 2 },
  });
  assertThrows(() => parseSpeed("fast"), SyntaxError, '"fast" is not a speed');
  assertThrows(() => parseSpeed("0"), SyntaxError, "out of range");
  assertThrows(() => parseSpeed("2@10"), SyntaxError, "is not a range");
});

Deno.test("--drop takes kinds separated by commas, singular or plural", () => {
  assertEquals(parseDropKinds("input,markers"), ["input", "markers"]);
  assertEquals(parseDropKinds("resize, marker,resizes"), ["resizes", "markers"]);
  assertThrows(() => parseDropKinds("output"), SyntaxError, "one of input, markers, resizes");
  assertThrows(() => parseDropKinds(","), SyntaxError, "name the event kinds");
});

Deno.test("--add-marker's time is the longest leading part that reads as a time", () => {
  const at = (text: string) => {
    const m = parseAddMarker(text);
    return [m.at, m.label];
  };
  assertEquals(at("12.5"), [{ kind: "time", time: 12.5 * S }, ""]);
  assertEquals(at("1:30:intro"), [{ kind: "time", time: 90 * S }, "intro"]);
  assertEquals(at("1:02:03:deploy"), [{ kind: "time", time: 3723 * S }, "deploy"]);
  assertEquals(at("90:build: step 2"), [{ kind: "time", time: 90 * S }, "build: step 2"]);
  assertEquals(at("m2:after setup"), [{ kind: "markerNumber", number: 2 }, "after setup"]);
  assertEquals(at("marker:setup"), [{ kind: "marker", label: "setup" }, ""]);
  assertThrows(() => parseAddMarker("soon:x"), SyntaxError, "is not a time");
});

Deno.test("ranges must name a time; seconds must be positive", () => {
  assertThrows(() => parseRangeOperation(".."), SyntaxError, "names no time");
  assertThrows(() => parseRangeOperation("12x..20"), SyntaxError, '"12x" is not a time');
  assertEquals(parseSeconds("2.5"), 2.5 * S);
  assertThrows(() => parseSeconds("0"), SyntaxError, "more than 0");
  assertThrows(() => parseSeconds("m1"), SyntaxError, "not a number of seconds");
});

Deno.test("refersToMarkers tells when the markers must be read first", () => {
  const base = { keep: [], cut: [], speed: [], drop: [], addMarkers: [] };
  assertEquals(refersToMarkers({ ...base, cut: [parseRangeOperation("1..2")] }), false);
  assertEquals(refersToMarkers({ ...base, keep: [parseRangeOperation("m1..")] }), true);
  assertEquals(refersToMarkers({ ...base, speed: [parseSpeed("2@..marker:x")] }), true);
  assertEquals(refersToMarkers({ ...base, addMarkers: [parseAddMarker("m1:x")] }), true);
});
