/**
 * Tests for lib/engine/raw/socket_calls.ts on real loopback sockets: what a
 * nonblocking connect() that returned -1 means when errno was overwritten
 * between the call and its read.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeSockaddr, type Libc, LINUX, openLibc } from "../../../lib/engine/raw/libc.ts";
import { SocketCalls } from "../../../lib/engine/raw/socket_calls.ts";
import { listenBelowEphemeral } from "../../../lib/testing/reference_servers.ts";

/** A nonblocking socket whose connect() to `to` returned -1, then errno set to EBADF. */
function connectThenClobber(libc: Libc, to: Uint8Array<ArrayBuffer>): number {
  const c = libc.symbols;
  const family = to.byteLength === 16 ? LINUX.AF_INET : LINUX.AF_INET6;
  const fd = c.socket(family, LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC, 0);
  assert.equal(c.connect(fd, to, to.byteLength), -1);
  assert.equal(c.close(-1), -1); // what other code on this thread may do to errno
  assert.equal(libc.errno(), LINUX.EBADF);
  return fd;
}

Deno.test("connectErrno: a connect under way is EINPROGRESS whatever errno says", () => {
  const listener = listenBelowEphemeral();
  const libc = openLibc();
  const to = encodeSockaddr("127.0.0.1", (listener.addr as Deno.NetAddr).port);
  const fd = connectThenClobber(libc, to);
  try {
    assert.equal(new SocketCalls(libc).connectErrno(fd), LINUX.EINPROGRESS);
  } finally {
    libc.symbols.close(fd);
    libc.close();
    listener.close();
  }
});

Deno.test("connectErrno: a handshake already refused says ECONNREFUSED, not errno", () => {
  const listener = listenBelowEphemeral();
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const libc = openLibc();
  const fd = connectThenClobber(libc, encodeSockaddr("127.0.0.1", port));
  try {
    assert.equal(new SocketCalls(libc).connectErrno(fd), LINUX.ECONNREFUSED);
  } finally {
    libc.symbols.close(fd);
    libc.close();
  }
});

Deno.test("connectErrno: a connect the kernel refused at once keeps its errno", () => {
  const libc = openLibc();
  const c = libc.symbols;
  const fd = c.socket(
    LINUX.AF_INET,
    LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC,
    0,
  );
  try {
    // An IPv6 address on an IPv4 socket: refused inside connect(), nothing under way.
    const to = encodeSockaddr("::1", 9);
    assert.equal(c.connect(fd, to, to.byteLength), -1);
    const errno = libc.errno();
    assert.notEqual(errno, LINUX.EINPROGRESS);
    assert.equal(new SocketCalls(libc).connectErrno(fd), errno);
  } finally {
    c.close(fd);
    libc.close();
  }
});
