import assert from "node:assert/strict";
import { UsageError } from "../../lib/base/errors.ts";
import { destinationsOf, isLoopback, parseTarget, type Target } from "../../lib/base/target.ts";

/** Asserts that parsing `text` throws a one-line UsageError naming `text` and matching `why`. */
function assertBadTarget(text: string, why: RegExp): void {
  let caught: unknown;
  try {
    parseTarget(text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError for ${JSON.stringify(text)}`);
  assert.equal(caught.name, "UsageError");
  assert.ok(!caught.message.includes("\n"), `message is not one line: ${caught.message}`);
  assert.ok(
    caught.message.startsWith(`Invalid target "${text}": `),
    `message does not name ${JSON.stringify(text)}: ${caught.message}`,
  );
  assert.match(caught.message, why);
  assert.match(caught.message, /use HOST:PORT, e\.g\. 127\.0\.0\.1:8080 or \[::1\]:8080$/);
}

Deno.test("parseTarget accepts IPv4 addresses", () => {
  assert.deepEqual(parseTarget("127.0.0.1:8080"), {
    hostname: "127.0.0.1",
    port: 8080,
    label: "127.0.0.1:8080",
  });
  assert.deepEqual(parseTarget("0.0.0.0:1"), { hostname: "0.0.0.0", port: 1, label: "0.0.0.0:1" });
  assert.deepEqual(parseTarget("255.255.255.255:65535"), {
    hostname: "255.255.255.255",
    port: 65535,
    label: "255.255.255.255:65535",
  });
});

Deno.test("parseTarget accepts bracketed IPv6 addresses and labels them with brackets", () => {
  assert.deepEqual(parseTarget("[::1]:8080"), { hostname: "::1", port: 8080, label: "[::1]:8080" });
  assert.deepEqual(parseTarget("[2001:db8::42]:443"), {
    hostname: "2001:db8::42",
    port: 443,
    label: "[2001:db8::42]:443",
  });
  assert.deepEqual(parseTarget("[::ffff:127.0.0.1]:80"), {
    hostname: "::ffff:127.0.0.1",
    port: 80,
    label: "[::ffff:127.0.0.1]:80",
  });
});

Deno.test("parseTarget accepts host names, including trailing-dot names", () => {
  assert.deepEqual(parseTarget("localhost:80"), {
    hostname: "localhost",
    port: 80,
    label: "localhost:80",
  });
  assert.deepEqual(parseTarget("example.com:443"), {
    hostname: "example.com",
    port: 443,
    label: "example.com:443",
  });
  assert.deepEqual(parseTarget("my-host.internal.example:9000"), {
    hostname: "my-host.internal.example",
    port: 9000,
    label: "my-host.internal.example:9000",
  });
  assert.deepEqual(parseTarget("example.com.:443"), {
    hostname: "example.com.",
    port: 443,
    label: "example.com.:443",
  });
  assert.deepEqual(parseTarget("localhost.:8080"), {
    hostname: "localhost.",
    port: 8080,
    label: "localhost.:8080",
  });
});

Deno.test("parseTarget normalizes a zero-padded port in the label", () => {
  assert.deepEqual(parseTarget("127.0.0.1:0080"), {
    hostname: "127.0.0.1",
    port: 80,
    label: "127.0.0.1:80",
  });
});

Deno.test("parseTarget rejects bad ports", async (t) => {
  await t.step("0 is out of range", () => {
    assertBadTarget("127.0.0.1:0", /port 0 is out of range 1-65535/);
  });
  await t.step("65536 is out of range", () => {
    assertBadTarget("127.0.0.1:65536", /port 65536 is out of range 1-65535/);
  });
  await t.step("abc is not a number", () => {
    assertBadTarget("127.0.0.1:abc", /port "abc" is not a number/);
  });
  await t.step("a negative port is not a number", () => {
    assertBadTarget("localhost:-1", /port "-1" is not a number/);
  });
  await t.step("an empty port is not a number", () => {
    assertBadTarget("localhost:", /port "" is not a number/);
    assertBadTarget("[::1]:", /port "" is not a number/);
  });
  await t.step("a bad port after an IPv6 address", () => {
    assertBadTarget("[::1]:70000", /port 70000 is out of range 1-65535/);
  });
});

Deno.test("parseTarget rejects a missing port", () => {
  assertBadTarget("localhost", /: no port;/);
  assertBadTarget("127.0.0.1", /: no port;/);
  assertBadTarget("", /: no port;/);
  assertBadTarget("[::1]", /an IPv6 address needs brackets and a port/);
  assertBadTarget("[::1]8080", /an IPv6 address needs brackets and a port/);
});

Deno.test("parseTarget rejects unbracketed IPv6 addresses", () => {
  assertBadTarget("::1:8080", /put an IPv6 address in brackets/);
  assertBadTarget("2001:db8::1:443", /put an IPv6 address in brackets/);
});

Deno.test("parseTarget rejects a bracketed value that is not IPv6", () => {
  assertBadTarget("[localhost]:80", /"localhost" is not an IPv6 address/);
  assertBadTarget("[]:80", /"" is not an IPv6 address/);
});

Deno.test("parseTarget rejects IPv4 addresses with octets over 255", () => {
  assertBadTarget("256.0.0.1:80", /"256\.0\.0\.1" is not an IPv4 address/);
  assertBadTarget("127.0.0.300:80", /"127\.0\.0\.300" is not an IPv4 address/);
  assertBadTarget("999.999.999.999:80", /"999\.999\.999\.999" is not an IPv4 address/);
});

Deno.test("parseTarget rejects malformed host names", () => {
  assertBadTarget("bad_host:80", /"bad_host" is not a host name/);
  assertBadTarget("-leading.example:80", /"-leading\.example" is not a host name/);
  assertBadTarget("a..b:80", /"a\.\.b" is not a host name/);
  assertBadTarget(":80", /"" is not a host name/);
  assertBadTarget(`${"a".repeat(64)}.example:80`, /is not a host name/);
});

Deno.test("isLoopback recognizes loopback targets only", () => {
  const loopback = (text: string): boolean => isLoopback(parseTarget(text));
  assert.equal(loopback("127.0.0.1:80"), true);
  assert.equal(loopback("127.0.0.9:80"), true);
  assert.equal(loopback("127.255.255.254:80"), true);
  assert.equal(loopback("[::1]:80"), true);
  assert.equal(loopback("localhost:80"), true);
  assert.equal(loopback("LOCALHOST:80"), true);
  assert.equal(loopback("10.0.0.1:80"), false);
  assert.equal(loopback("128.0.0.1:80"), false);
  assert.equal(loopback("[::2]:80"), false);
  assert.equal(loopback("example.com:80"), false);
  assert.equal(loopback("localhost.example.com:80"), false);
  // Host names that merely start with "127." are not loopback addresses.
  assert.equal(loopback("127.example.com:80"), false);
  assert.equal(loopback("127.0.0.1.nip.io:80"), false);
  const literal: Target = { hostname: "127.0.0.1", port: 1, label: "127.0.0.1:1" };
  assert.equal(isLoopback(literal), true);
});

Deno.test("parseTarget spreads a target over several ports", () => {
  const target = parseTarget("127.0.0.1:8080,8081,08082");
  assert.equal(target.hostname, "127.0.0.1");
  assert.equal(target.port, 8080);
  assert.equal(target.label, "127.0.0.1:8080,8081,8082");
  assert.deepEqual(target.destinations, [
    { hostname: "127.0.0.1", port: 8080 },
    { hostname: "127.0.0.1", port: 8081 },
    { hostname: "127.0.0.1", port: 8082 },
  ]);
  assert.deepEqual(destinationsOf(parseTarget("[::1]:80,81")), [
    { hostname: "::1", port: 80 },
    { hostname: "::1", port: 81 },
  ]);
  assert.equal(parseTarget("[::1]:80,81").label, "[::1]:80,81");
  assert.equal(parseTarget("localhost:80,81").destinations?.length, 2);
});

Deno.test("parseTarget spreads a target over an IPv4 range", () => {
  const full = parseTarget("127.0.0.1-127.0.0.4:9000");
  assert.equal(full.label, "127.0.0.1-127.0.0.4:9000");
  assert.deepEqual(full.destinations?.map((d) => d.hostname), [
    "127.0.0.1",
    "127.0.0.2",
    "127.0.0.3",
    "127.0.0.4",
  ]);
  assert.ok(full.destinations?.every((d) => d.port === 9000));
  // The short form names only the last octet; a range may cross an octet.
  assert.deepEqual(parseTarget("127.0.0.1-4:9000").destinations, full.destinations);
  assert.deepEqual(parseTarget("127.0.0.255-127.0.1.0:1").destinations?.map((d) => d.hostname), [
    "127.0.0.255",
    "127.0.1.0",
  ]);
  // Ranges and port lists combine: every address with every port, address first.
  const both = parseTarget("127.0.0.1-2:80,81");
  assert.deepEqual(both.destinations?.map((d) => `${d.hostname}:${d.port}`), [
    "127.0.0.1:80",
    "127.0.0.1:81",
    "127.0.0.2:80",
    "127.0.0.2:81",
  ]);
  // One destination in list form is a plain target.
  assert.deepEqual(parseTarget("127.0.0.1-127.0.0.1:80"), {
    hostname: "127.0.0.1",
    port: 80,
    label: "127.0.0.1:80",
  });
  assert.equal(destinationsOf(parseTarget("127.0.0.1:80")).length, 1);
  assert.equal(parseTarget("127.0.0.0-127.0.0.255:80").destinations?.length, 256);
});

Deno.test("parseTarget rejects bad destination lists in one line each", () => {
  assertBadTarget("127.0.0.1:80,", /port "" is not a number/);
  assertBadTarget("127.0.0.1:80,x", /port "x" is not a number/);
  assertBadTarget("127.0.0.1:80,0", /port 0 is out of range 1-65535/);
  assertBadTarget("127.0.0.1:80,80", /port 80 is given twice/);
  assertBadTarget(
    "127.0.0.4-127.0.0.1:80",
    /the range 127\.0\.0\.4-127\.0\.0\.1 ends before it starts/,
  );
  assertBadTarget("127.0.0.1-300:80", /"300" is not an IPv4 address/);
  assertBadTarget("127.0.0.300-127.0.0.301:80", /"127\.0\.0\.300" is not an IPv4 address/);
  assertBadTarget("127.0.0.0-127.0.1.0:80", /has more than 256 addresses/);
  assertBadTarget("127.0.0.1-127.0.0.128:80,81,82", /384 destinations are more than 256/);
  assertBadTarget("[::1]-[::2]:80", /an IPv6 address needs brackets and a port/);
});

Deno.test("isLoopback holds only when every destination is loopback", () => {
  assert.equal(isLoopback(parseTarget("127.0.0.1-127.0.0.4:80,81")), true);
  assert.equal(isLoopback(parseTarget("127.255.255.255-128.0.0.0:80")), false);
});

Deno.test("a target's label parses back to the same destinations", () => {
  for (const text of ["127.0.0.1-4:80,81", "[::1]:0080,81", "localhost:1,2,3", "127.0.0.1:80"]) {
    const target = parseTarget(text);
    assert.deepEqual(parseTarget(target.label), target);
  }
});
