import assert from "node:assert/strict";
import { isAddressLiteral, resolveAddress } from "../../../lib/engine/raw/address.ts";
import { TargetUnreachableError } from "../../../lib/base/errors.ts";

Deno.test("isAddressLiteral: canonical IPv4 and IPv6 literals only", () => {
  for (const host of ["127.0.0.1", "10.1.2.3", "::1", "fe80::1", "2001:db8::8a2e:370:7334"]) {
    assert.ok(isAddressLiteral(host), host);
  }
  for (
    const host of [
      "localhost",
      "127.1",
      "0x7f.0.0.1",
      "0:0:0:0:0:0:0:1",
      "a.example",
      "1.2.3.256",
      "",
    ]
  ) {
    assert.ok(!isAddressLiteral(host), host);
  }
});

Deno.test("resolveAddress: a literal as it is, other spellings and names through the resolver (a literal comes back unchanged)", async () => {
  const at = (hostname: string) => ({ hostname, port: 80, label: `${hostname}:80` });
  assert.equal(await resolveAddress(at("127.0.0.1")), "127.0.0.1");
  assert.equal(await resolveAddress(at("::1")), "::1");
  assert.equal(await resolveAddress(at("127.1")), "127.0.0.1");
  assert.equal(await resolveAddress(at("0:0:0:0:0:0:0:1")), "0:0:0:0:0:0:0:1");
  assert.match(await resolveAddress(at("localhost")), /^(127\.0\.0\.1|::1)$/);
  await assert.rejects(
    () => resolveAddress(at("no-such-host.invalid")),
    (error: unknown) =>
      error instanceof TargetUnreachableError &&
      error.message ===
        "Cannot resolve no-such-host.invalid:80: host name not found (ENOTFOUND); " +
          "check the spelling or use an IP address",
  );
});
