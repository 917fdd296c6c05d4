import { assert, assertEquals } from "../../tests/_assert.ts";
import { INSTALL_ID_RE, readOrCreateInstallId } from "./install_id.ts";

function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("readOrCreateInstallId prefers the state path, then the legacy path, else creates one", async (t) => {
  const home = await Deno.makeTempDir();
  const env = envOf({ HOME: home });
  const statePath = `${home}/.local/state/asciinema/install-id`;
  const legacyPath = `${home}/.config/asciinema/install-id`;
  try {
    await t.step("creates a lower-case UUIDv4 at the state path", async () => {
      const created = await readOrCreateInstallId({ env });
      assertEquals(created.created, true);
      assertEquals(created.path, statePath);
      assert(INSTALL_ID_RE.test(created.id), created.id);
      assertEquals(created.id[14], "4");
      assertEquals((await Deno.readTextFile(statePath)).trim(), created.id);
      const again = await readOrCreateInstallId({ env });
      assertEquals(again, { id: created.id, path: statePath, created: false });
    });
    await t.step(
      "reads the legacy path when the state path is missing, trimming whitespace",
      async () => {
        await Deno.remove(statePath);
        await Deno.mkdir(`${home}/.config/asciinema`, { recursive: true });
        await Deno.writeTextFile(legacyPath, "  0a1b2c3d-0000-4000-8000-00000000abcd\n");
        const got = await readOrCreateInstallId({ env });
        assertEquals(got, {
          id: "0a1b2c3d-0000-4000-8000-00000000abcd",
          path: legacyPath,
          created: false,
        });
      },
    );
    await t.step("the state path wins over the legacy path", async () => {
      await Deno.mkdir(`${home}/.local/state/asciinema`, { recursive: true });
      await Deno.writeTextFile(statePath, "11111111-2222-4333-8444-555555555555");
      assertEquals(
        (await readOrCreateInstallId({ env })).id,
        "11111111-2222-4333-8444-555555555555",
      );
    });
    await t.step("ASCIINEMA_STATE_HOME and XDG_STATE_HOME move the state path", async () => {
      const got = await readOrCreateInstallId({
        env: envOf({ HOME: home, XDG_STATE_HOME: `${home}/xs` }),
      });
      // The legacy file still exists, so it is found before a new one is created.
      assertEquals(got.path, legacyPath);
      assertEquals(got.id, "0a1b2c3d-0000-4000-8000-00000000abcd");
      const own = await readOrCreateInstallId({
        env: envOf({
          HOME: home,
          ASCIINEMA_STATE_HOME: `${home}/as`,
          ASCIINEMA_CONFIG_HOME: `${home}/ac`,
        }),
      });
      assertEquals(own.created, true);
      assertEquals(own.path, `${home}/as/install-id`);
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
