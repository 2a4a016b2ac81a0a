/** Tests for lib/base/errno.ts: errno names of errors, and errors in words. */

import assert from "node:assert/strict";
import { describeError, ERRNO_WORDS, errnoOf, errnoOfAny } from "../../lib/base/errno.ts";

Deno.test("errnoOf names each Deno error class", () => {
  const cases: [Error, string][] = [
    [new Deno.errors.ConnectionRefused("x"), "ECONNREFUSED"],
    [new Deno.errors.ConnectionReset("x"), "ECONNRESET"],
    [new Deno.errors.ConnectionAborted("x"), "ECONNABORTED"],
    [new Deno.errors.BrokenPipe("x"), "EPIPE"],
    [new Deno.errors.TimedOut("x"), "ETIMEDOUT"],
    [new Deno.errors.AddrNotAvailable("x"), "EADDRNOTAVAIL"],
    [new Deno.errors.AddrInUse("x"), "EADDRINUSE"],
    [new Deno.errors.NotConnected("x"), "ENOTCONN"],
    [new Deno.errors.Interrupted("x"), "EINTR"],
    [new Deno.errors.NetworkUnreachable("x"), "ENETUNREACH"],
    [new Deno.errors.PermissionDenied("x"), "EACCES"],
  ];
  for (const [error, errno] of cases) assert.equal(errnoOf(error), errno, error.name);
});

Deno.test("errnoOf names DOMException timeouts and aborts", () => {
  assert.equal(errnoOf(new DOMException("signal timed out", "TimeoutError")), "ETIMEDOUT");
  assert.equal(errnoOf(new DOMException("aborted", "AbortError")), "EINTR");
  assert.equal(errnoOf(new DOMException("other", "NetworkError")), "EUNKNOWN");
});

Deno.test("errnoOf names the reason of a timed-out or aborted signal", () => {
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(errnoOf(aborted.signal.reason), "EINTR");
  const timedOut = AbortSignal.abort(new DOMException("signal timed out", "TimeoutError"));
  assert.equal(errnoOf(timedOut.reason), "ETIMEDOUT");
});

Deno.test("errnoOf uses an errno-shaped `code`", () => {
  const withCode = (code: unknown, message = "boom") =>
    Object.assign(new Error(message), { code }) as Error;
  assert.equal(errnoOf(withCode("EMFILE")), "EMFILE");
  assert.equal(errnoOf(withCode("ENOBUFS")), "ENOBUFS");
  assert.equal(errnoOf(withCode("EAI_AGAIN")), "EUNKNOWN"); // not /^E[A-Z0-9]+$/
  assert.equal(errnoOf(withCode("emfile")), "EUNKNOWN");
  assert.equal(errnoOf(withCode(24)), "EUNKNOWN");
  // A node-style error from another realm still counts.
  assert.equal(errnoOf(Object.assign(new TypeError("x"), { code: "EHOSTDOWN" })), "EHOSTDOWN");
});

Deno.test("errnoOf reads the resolver's and the kernel's messages", () => {
  assert.equal(
    errnoOf(new Error("failed to lookup address information: Name or service not known")),
    "ENOTFOUND",
  );
  assert.equal(
    errnoOf(new Error("failed to lookup address information: nodename nor servname provided")),
    "ENOTFOUND",
  );
  assert.equal(errnoOf(new Error("lookup example.invalid: no such host")), "ENOTFOUND");
  assert.equal(errnoOf(new Error("Too many open files (os error 24)")), "EMFILE");
  assert.equal(errnoOf(new Error("Host is unreachable (os error 113)")), "EHOSTUNREACH");
});

Deno.test("errnoOf gives EUNKNOWN for anything else", () => {
  assert.equal(errnoOf(new Error("something odd")), "EUNKNOWN");
  assert.equal(errnoOf(new Deno.errors.NotFound("x")), "EUNKNOWN");
  assert.equal(errnoOf("ECONNRESET"), "EUNKNOWN");
  assert.equal(errnoOf(undefined), "EUNKNOWN");
  assert.equal(errnoOf(null), "EUNKNOWN");
  assert.equal(errnoOf(42), "EUNKNOWN");
});

Deno.test("describeError puts the errno's words before its name", () => {
  assert.equal(
    describeError(new Deno.errors.ConnectionRefused("x")),
    "connection refused (ECONNREFUSED)",
  );
  assert.equal(describeError(new Deno.errors.NotFound("x")), "no such file or directory (ENOENT)");
  assert.equal(describeError(new Deno.errors.IsADirectory("x")), "is a directory (EISDIR)");
  assert.equal(describeError(new Deno.errors.PermissionDenied("x")), "permission denied (EACCES)");
});

Deno.test("describeError names the permission to grant when Deno refused", () => {
  const refused = new Deno.errors.NotCapable("Requires read access");
  assert.equal(
    describeError(refused, "--allow-read"),
    "not allowed by Deno's permissions (grant --allow-read)",
  );
  assert.equal(describeError(refused), "not allowed by Deno's permissions");
});

Deno.test("describeError keeps the message of an error without a known errno", () => {
  assert.equal(describeError(new Error("something odd")), "something odd");
  assert.equal(describeError("plain text"), "plain text");
});

Deno.test("errnoOfAny adds the file and permission errors to errnoOf's names", () => {
  assert.equal(errnoOfAny(new Deno.errors.NotFound("x")), "ENOENT");
  assert.equal(errnoOfAny(new Deno.errors.AlreadyExists("x")), "EEXIST");
  assert.equal(errnoOfAny(new Deno.errors.IsADirectory("x")), "EISDIR");
  assert.equal(errnoOfAny(new Deno.errors.NotCapable("x")), "ENOTCAPABLE");
  assert.equal(errnoOfAny(new Deno.errors.PermissionDenied("x")), "EACCES");
  assert.equal(errnoOfAny(new Deno.errors.ConnectionRefused("x")), "ECONNREFUSED");
  assert.equal(errnoOfAny(new Error("something odd")), "EUNKNOWN");
  for (const errno of ["ENOENT", "EEXIST", "EISDIR", "ENOTCAPABLE", "EACCES", "ECONNREFUSED"]) {
    assert.ok(ERRNO_WORDS[errno], `${errno} has words`);
  }
});
