/** Tests for lib/engine/raw/libc.ts: sockaddr layouts, errno names, and real calls. */

import assert from "node:assert/strict";
import {
  encodeSockaddr,
  errnoName,
  LINUX,
  openLibc,
  rawEngineUnavailable,
  sockaddrPort,
} from "../../../lib/engine/raw/libc.ts";

Deno.test("encodeSockaddr lays out sockaddr_in: family LE, port and address BE, 8 zero bytes", () => {
  assert.deepEqual(
    [...encodeSockaddr("127.0.0.2", 0x1f90)],
    [2, 0, 0x1f, 0x90, 127, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0],
  );
});

Deno.test("encodeSockaddr lays out sockaddr_in6 with the address at byte 8", () => {
  const bytes = encodeSockaddr("::1", 443);
  assert.equal(bytes.byteLength, 28);
  assert.deepEqual([...bytes.subarray(0, 4)], [10, 0, 0x01, 0xbb]);
  assert.deepEqual([...bytes.subarray(8, 24)], [...Array(15).fill(0), 1]);
  assert.deepEqual(
    [...encodeSockaddr("fe80::1:2", 1).subarray(8, 24)],
    [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2],
  );
  assert.throws(() => encodeSockaddr("::1::2", 1), TypeError);
  assert.equal(sockaddrPort(bytes), 443);
});

Deno.test("errnoName names the errnos the engine reports", () => {
  assert.equal(errnoName(104), "ECONNRESET");
  assert.equal(errnoName(24), "EMFILE");
  assert.equal(errnoName(99), "EADDRNOTAVAIL");
  assert.equal(errnoName(12345), "E12345");
});

Deno.test("openLibc reads errno right after a failing call", () => {
  assert.equal(rawEngineUnavailable(), undefined);
  const libc = openLibc();
  try {
    assert.equal(libc.symbols.close(-1), -1);
    assert.equal(errnoName(libc.errno()), "EBADF");
    const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
    assert.ok(fd >= 0);
    const refused = encodeSockaddr("127.0.0.1", 1);
    assert.equal(libc.symbols.connect(fd, refused, refused.byteLength), -1);
    assert.equal(errnoName(libc.errno()), "ECONNREFUSED");
    assert.equal(libc.symbols.close(fd), 0);
  } finally {
    libc.close();
  }
});
