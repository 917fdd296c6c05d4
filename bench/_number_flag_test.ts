import { assertEquals, assertThrows } from "../tests/_assert.ts";
import { numberFlag } from "./_number_flag.ts";

Deno.test("numberFlag reads the value after the flag or falls back to the default", () => {
  assertEquals(numberFlag(["--runs", "5"], "--runs", { fallback: 300 }), 5);
  assertEquals(numberFlag(["--other", "5"], "--runs", { fallback: 300 }), 300);
  assertEquals(
    numberFlag(["--size-mb", "0.5"], "--size-mb", { fallback: 200, integer: false }),
    0.5,
  );
});

Deno.test("numberFlag rejects a missing, non-positive or fractional value", async (t) => {
  const table: [string[], boolean, string][] = [
    [["--runs"], true, "--runs needs an integer > 0"],
    [["--runs", "0"], true, "--runs needs an integer > 0"],
    [["--runs", "1.5"], true, "--runs needs an integer > 0"],
    [["--runs", "x"], false, "--runs needs a number > 0"],
    [["--runs", "-2"], false, "--runs needs a number > 0"],
  ];
  for (const [args, integer, message] of table) {
    await t.step(`${args.join(" ")} (integer: ${integer})`, () => {
      const error = assertThrows(
        () => numberFlag(args, "--runs", { fallback: 1, integer }),
        RangeError,
      );
      assertEquals(error.message, message);
    });
  }
});
