import { assert, assertEquals, assertThrows } from "../../tests/_assert.ts";
import { randomToken } from "./token.ts";

Deno.test("randomToken makes distinct base62 tokens of the asked length", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const token = randomToken(16);
    assertEquals(token.length, 16);
    assert(/^[0-9A-Za-z]{16}$/.test(token), token);
    seen.add(token);
  }
  assertEquals(seen.size, 200);
  assertEquals(randomToken(24).length, 24);
  assertThrows(() => randomToken(8), RangeError, "at least 16");
});
