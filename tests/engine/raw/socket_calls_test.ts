/**
 * Tests for lib/engine/raw/socket_calls.ts on real loopback sockets: what a
 * nonblocking connect(), recv() or send() that returned -1 means when errno
 * was overwritten between the call and its read.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeSockaddr, type Libc, LINUX, openLibc } from "../../../lib/engine/raw/libc.ts";
import { SocketCalls } from "../../../lib/engine/raw/socket_calls.ts";
import {
  listenBelowEphemeral,
  startReferenceServer,
} from "../../../lib/testing/reference_servers.ts";

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

/** A blocking libc socket connected to `listener`, and the server's side of it. */
async function connectedPair(libc: Libc, listener: Deno.Listener) {
  const to = encodeSockaddr("127.0.0.1", (listener.addr as Deno.NetAddr).port);
  const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
  assert.equal(libc.symbols.connect(fd, to, to.byteLength), 0);
  return { fd, server: await listener.accept() };
}

Deno.test("checkedErrno: on a live socket any error was a would-block", async () => {
  const listener = listenBelowEphemeral();
  const libc = openLibc();
  const calls = new SocketCalls(libc);
  const { fd, server } = await connectedPair(libc, listener);
  try {
    assert.equal(calls.checkedErrno(fd, LINUX.EAGAIN, true), LINUX.EAGAIN);
    assert.equal(calls.checkedErrno(fd, LINUX.ECONNRESET, true), LINUX.EAGAIN);
    assert.equal(calls.checkedErrno(fd, LINUX.EBADF, false), LINUX.EAGAIN);
    // The server's FIN leaves the socket in CLOSE_WAIT: still not an error.
    server.close();
    const one = new Uint8Array(1);
    while (Number(libc.symbols.recv(fd, one, 1n, 0)) !== 0) { /* until the FIN */ }
    assert.equal(calls.checkedErrno(fd, LINUX.ETIMEDOUT, true), LINUX.EAGAIN);
  } finally {
    libc.symbols.close(fd);
    libc.close();
    listener.close();
  }
});

Deno.test("checkedErrno: a would-block on a reset socket was the reset", async () => {
  await using server = await startReferenceServer("reset");
  const libc = openLibc();
  const calls = new SocketCalls(libc);
  const to = encodeSockaddr("127.0.0.1", server.target.port);
  const c = libc.symbols;
  // Nonblocking: the server runs on this thread's event loop.
  const fd = c.socket(
    LINUX.AF_INET,
    LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC,
    0,
  );
  const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
  try {
    c.connect(fd, to, to.byteLength);
    while (server.accepted === 0) await tick();
    // This server answers our FIN with an RST.
    assert.equal(c.shutdown(fd, LINUX.SHUT_WR), 0);
    const one = new Uint8Array(1);
    // The recv that sees the reset takes it out of the socket, as a clobbered errno would lose it.
    let errno: number = LINUX.EAGAIN;
    for (let i = 0; i < 300 && errno === LINUX.EAGAIN; i++) {
      assert.equal(Number(c.recv(fd, one, 1n, 0)), -1);
      errno = libc.errno();
      if (errno === LINUX.EAGAIN) await tick();
    }
    assert.equal(errno, LINUX.ECONNRESET);
    assert.equal(calls.checkedErrno(fd, LINUX.EAGAIN, true), LINUX.ECONNRESET);
    assert.equal(calls.checkedErrno(fd, LINUX.ECONNRESET, true), LINUX.ECONNRESET);
    // Told only data was reported, a would-block is believed without asking.
    assert.equal(calls.checkedErrno(fd, LINUX.EAGAIN, false), LINUX.EAGAIN);
  } finally {
    libc.symbols.close(fd);
    libc.close();
  }
});

Deno.test("checkedErrno: not a socket, errno is all there is", () => {
  const libc = openLibc();
  try {
    assert.equal(new SocketCalls(libc).checkedErrno(-1, LINUX.EBADF, true), LINUX.EBADF);
  } finally {
    libc.close();
  }
});
