import { assertEquals, assertMatch, assertThrows } from "../../tests/_assert.ts";
import { skipWithoutPeer } from "../../tests/_peers.ts";
import { certificateFingerprint, ipBytes, selfSignedCertificate } from "./self_signed.ts";

Deno.test("ipBytes reads IPv4, IPv6 and IPv4-in-IPv6 addresses", () => {
  assertEquals([...ipBytes("10.1.2.3")], [10, 1, 2, 3]);
  assertEquals([...ipBytes("::1")], [...new Array(15).fill(0), 1]);
  assertEquals([...ipBytes("fe80::1:2%eth0")].slice(0, 2), [0xfe, 0x80]);
  assertEquals([...ipBytes("::ffff:1.2.3.4")].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assertThrows(() => ipBytes("1:2:3"));
});

Deno.test({
  name: "a self-signed certificate is valid X.509 for openssl, with its names and fingerprint",
  ignore: skipWithoutPeer("/usr/bin/openssl"),
  async fn() {
    const made = await selfSignedCertificate({
      dnsNames: ["localhost", "build-box"],
      ipAddresses: ["127.0.0.1", "192.168.7.9", "::1"],
    });
    assertMatch(made.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assertEquals(await certificateFingerprint(made.cert), made.fingerprint);
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/cert.pem`, made.cert);
      await Deno.writeTextFile(`${dir}/key.pem`, made.key);
      const run = async (...args: string[]) => {
        const out = await new Deno.Command("openssl", { args, stderr: "piped" }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 0, text);
        return text;
      };
      // Self-signed: its own signature verifies, as a trust anchor of itself.
      assertMatch(await run("verify", "-CAfile", `${dir}/cert.pem`, `${dir}/cert.pem`), /: OK/);
      const text = await run("x509", "-in", `${dir}/cert.pem`, "-noout", "-text");
      assertMatch(
        text,
        /DNS:localhost, DNS:build-box, IP Address:127\.0\.0\.1, IP Address:192\.168\.7\.9/,
      );
      assertMatch(text, /CA:FALSE/);
      assertMatch(text, /TLS Web Server Authentication/);
      const fp = await run("x509", "-in", `${dir}/cert.pem`, "-noout", "-fingerprint", "-sha256");
      assertEquals(fp.trim().split("=")[1], made.fingerprint);
      // The key belongs to the certificate.
      const keyPub = await run("pkey", "-in", `${dir}/key.pem`, "-pubout");
      const certPub = await run("x509", "-in", `${dir}/cert.pem`, "-noout", "-pubkey");
      assertEquals(keyPub, certPub);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
