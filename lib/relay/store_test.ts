import { assertEquals } from "../../tests/_assert.ts";
import { RelayStore } from "./store.ts";

const OWNER = "0a1b2c3d-0000-4000-8000-000000000001";
const OTHER = "0a1b2c3d-0000-4000-8000-000000000002";

Deno.test("RelayStore keeps streams and recordings across reopening", async () => {
  const dir = await Deno.makeTempDir();
  try {
    {
      using store = RelayStore.open(`${dir}/relay.db`);
      store.registerInstallId(OWNER);
      const s = store.createStream(OWNER, "AAAAbbbbCCCCdddd", "producer-token-0000000001", {
        title: "t",
        live: true,
      });
      assertEquals([s.id, s.live, s.title, s.visibility], [1, true, "t", "unlisted"]);
      store.addRecording({
        token: "RRRRrrrrRRRRrrrr",
        owner: OWNER,
        streamId: null,
        fileName: "a.cast",
        size: 10,
        title: null,
      });
    }
    using store = RelayStore.open(`${dir}/relay.db`);
    const s = store.streamByPublicToken("AAAAbbbbCCCCdddd")!;
    assertEquals([s.id, s.live, s.title], [1, true, "t"]);
    assertEquals(store.streamByProducerToken("producer-token-0000000001")?.id, 1);
    assertEquals(store.recordingByToken("RRRRrrrrRRRRrrrr")?.size, 10);
    assertEquals(store.countLiveStreams(OWNER), 1);
    assertEquals(store.updateStream(1, { live: false, env: '{"A":"b"}' })?.live, false);
    assertEquals(store.liveStreams(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RelayStore lists one owner's streams by case-sensitive token prefix, after an id", () => {
  using store = RelayStore.open(":memory:");
  store.createStream(OWNER, "abc0000000000000", "p1p1p1p1p1p1p1p1", {});
  store.createStream(OTHER, "abc1111111111111", "p2p2p2p2p2p2p2p2", {});
  store.createStream(OWNER, "abd2222222222222", "p3p3p3p3p3p3p3p3", {});
  store.createStream(OWNER, "ABC3333333333333", "p4p4p4p4p4p4p4p4", {});
  const ids = (prefix: string, after = 0, limit = 10) =>
    store.listStreams(OWNER, prefix, after, limit).map((s) => s.id);
  assertEquals(ids(""), [1, 3, 4]);
  assertEquals(ids("ab"), [1, 3]);
  assertEquals(ids("abc"), [1]);
  assertEquals(ids("ABC"), [4]);
  assertEquals(ids("", 1, 1), [3]);
  assertEquals(store.deleteStream(3), true);
  assertEquals(store.deleteStream(3), false);
  assertEquals(ids(""), [1, 4]);
});
