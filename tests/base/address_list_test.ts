import assert from "node:assert/strict";
import { UsageError } from "../../lib/base/errors.ts";
import { expandIpv4, ipv4Value, parseSourceAddresses } from "../../lib/base/address_list.ts";

function sourceError(text: string): string {
  try {
    parseSourceAddresses(text);
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.ok(!error.message.includes("\n"), error.message);
    return error.message;
  }
  throw new Error(`"${text}" was accepted`);
}

Deno.test("ipv4Value reads dotted addresses only", () => {
  assert.equal(ipv4Value("0.0.0.0"), 0);
  assert.equal(ipv4Value("255.255.255.255"), 0xffffffff);
  assert.equal(ipv4Value("127.0.0.256"), undefined);
  assert.equal(ipv4Value("localhost"), undefined);
});

Deno.test("expandIpv4 expands ranges in order and says why it cannot", () => {
  assert.deepEqual(expandIpv4("127.0.0.9"), ["127.0.0.9"]);
  assert.deepEqual(expandIpv4("127.0.0.254-127.0.1.1"), [
    "127.0.0.254",
    "127.0.0.255",
    "127.0.1.0",
    "127.0.1.1",
  ]);
  assert.equal(
    expandIpv4("127.0.0.1-127.0.0.8", 4),
    "the range 127.0.0.1-127.0.0.8 has more than 4 addresses",
  );
  assert.equal(expandIpv4("x-127.0.0.1"), '"x" is not an IPv4 address');
});

Deno.test("parseSourceAddresses takes ranges and comma lists", () => {
  assert.deepEqual(parseSourceAddresses("127.0.0.2-127.0.0.4"), [
    "127.0.0.2",
    "127.0.0.3",
    "127.0.0.4",
  ]);
  assert.deepEqual(parseSourceAddresses("127.0.0.2,127.0.0.9-10"), [
    "127.0.0.2",
    "127.0.0.9",
    "127.0.0.10",
  ]);
});

Deno.test("parseSourceAddresses rejects bad input in one line naming it", () => {
  assert.match(sourceError(""), /^Invalid --source "": an address is missing; give IPv4/);
  assert.match(sourceError("127.0.0.2,"), /an address is missing/);
  assert.match(sourceError("::1"), /"::1" is not an IPv4 address/);
  assert.match(sourceError("localhost"), /"localhost" is not an IPv4 address/);
  assert.match(sourceError("127.0.0.9-127.0.0.2"), /ends before it starts/);
  assert.match(sourceError("127.0.0.2,127.0.0.1-3"), /127\.0\.0\.2 is given twice/);
  assert.match(sourceError("127.0.0.0-127.0.0.255,127.0.1.0"), /more than 256 addresses/);
});
