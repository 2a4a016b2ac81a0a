/**
 * Tests for lib/engine/raw/session_slot.ts on real loopback sockets: the
 * handshake seen over right after `connect()`, a payload written until
 * the socket would block, and the server's bytes and FIN read.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeSockaddr, LINUX, openLibc } from "../../../lib/engine/raw/libc.ts";
import {
  newSlot,
  noteHandshakeOver,
  receive,
  ReceiveEnd,
  sendPayload,
} from "../../../lib/engine/raw/session_slot.ts";
import { SocketCalls } from "../../../lib/engine/raw/socket_calls.ts";
import { TcpInfoReader } from "../../../lib/engine/raw/tcp_info.ts";
import { listenBelowEphemeral } from "../../../lib/testing/reference_servers.ts";

/** A nonblocking socket whose connect() to 127.0.0.1:`port` was called. */
function connecting(libc: ReturnType<typeof openLibc>, port: number): number {
  const c = libc.symbols;
  const flags = LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC;
  const fd = c.socket(LINUX.AF_INET, flags, 0);
  const to = encodeSockaddr("127.0.0.1", port);
  assert.equal(c.connect(fd, to, to.byteLength), -1);
  assert.equal(libc.errno(), LINUX.EINPROGRESS);
  return fd;
}

Deno.test("noteHandshakeOver: a loopback handshake is over when connect() returns, with its TCP_INFO", () => {
  const listener = listenBelowEphemeral();
  const libc = openLibc();
  const fd = connecting(libc, (listener.addr as Deno.NetAddr).port);
  try {
    const slot = newSlot(fd, undefined, performance.now());
    noteHandshakeOver(slot, new TcpInfoReader(libc));
    assert.ok(slot.establishedAt !== undefined && slot.establishedAt >= slot.calledAt);
    assert.deepEqual(slot.kernel && slot.kernel.synRetransmits, 0);
  } finally {
    libc.symbols.close(fd);
    libc.close();
    listener.close();
  }
});

Deno.test("noteHandshakeOver: a refused connect is not noted as established", () => {
  const listener = listenBelowEphemeral();
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const libc = openLibc();
  const fd = connecting(libc, port);
  try {
    const slot = newSlot(fd, undefined, performance.now());
    noteHandshakeOver(slot, new TcpInfoReader(libc));
    assert.equal(slot.establishedAt, undefined);
    assert.equal(slot.kernel, undefined);
  } finally {
    libc.symbols.close(fd);
    libc.close();
  }
});

Deno.test("sendPayload: writes until the socket would block, then resumes where it stopped", async () => {
  const listener = listenBelowEphemeral();
  const libc = openLibc();
  const calls = new SocketCalls(libc);
  const fd = connecting(libc, (listener.addr as Deno.NetAddr).port);
  const accepted = await listener.accept();
  try {
    // Far more than both socket buffers hold while nobody reads.
    const payload = new Uint8Array(64 << 20);
    const slot = newSlot(fd, undefined, performance.now());
    assert.equal(sendPayload(slot, calls, payload), "blocked");
    const first = slot.sent;
    assert.ok(first > 0 && first < payload.byteLength);
    const reader = accepted.readable.getReader();
    let read = 0;
    while (read < first) read += (await reader.read()).value?.byteLength ?? 0;
    assert.equal(sendPayload(slot, calls, payload), "blocked");
    assert.ok(slot.sent > first, "the rest continues from where the first call stopped");
    reader.releaseLock();
  } finally {
    libc.symbols.close(fd);
    libc.close();
    accepted.close();
    listener.close();
  }
});

/** SocketCalls on the same real sockets, counting its recv() calls. */
class CountingCalls extends SocketCalls {
  recvs = 0;
  override recv(fd: number): number {
    this.recvs++;
    return super.recv(fd);
  }
}

Deno.test("receive: bytes then the server's FIN, with and without epoll's word that the FIN is queued", async () => {
  const listener = listenBelowEphemeral();
  const libc = openLibc();
  try {
    for (const finQueued of [true, false]) {
      const calls = new CountingCalls(libc);
      const fd = connecting(libc, (listener.addr as Deno.NetAddr).port);
      const accepted = await listener.accept();
      await accepted.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\n"));
      accepted.close(); // the FIN behind the bytes
      await new Promise((resolve) => setTimeout(resolve, 20));
      const slot = newSlot(fd, undefined, performance.now());
      receive(slot, calls, 7, true, finQueued);
      assert.equal(slot.bytesReceived, 19);
      assert.equal(slot.end, ReceiveEnd.Eof);
      assert.equal(slot.endAt, 7);
      // A short read with the FIN queued is the end; otherwise recv() reads the 0.
      assert.equal(calls.recvs, finQueued ? 1 : 2, `finQueued ${finQueued}`);
      libc.symbols.close(fd);
    }
  } finally {
    libc.close();
    listener.close();
  }
});
