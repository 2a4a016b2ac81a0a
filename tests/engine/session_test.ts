import assert from "node:assert/strict";
import * as net from "node:net";
import {
  DEFAULT_SESSION_OPTIONS,
  runSession,
  type SessionOptions,
} from "../../lib/engine/session.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import type { Target } from "../../lib/base/target.ts";

const FAST: SessionOptions = { ...DEFAULT_SESSION_OPTIONS, closeTimeoutMs: 300 };

Deno.test("runSession against a well-behaved server ends clean with every phase timed", async () => {
  await using server = await startReferenceServer("well-behaved");
  const record = await runSession(server.target, FAST);
  assert.equal(record.outcome, "clean");
  assert.equal(record.phase, "close");
  assert.ok(record.handshakeUs! > 0 && record.handshakeUs! < 1_000_000);
  assert.ok(record.closeUs! > 0 && record.closeUs! < 300_000);
  assert.equal(record.firstByteUs, undefined);
  assert.ok(record.localPort! >= 1024);
  assert.deepEqual(record.errors, []);
});

Deno.test("runSession times the first byte of the response to a payload", async () => {
  await using server = await startReferenceServer("well-behaved");
  const send = new TextEncoder().encode("PING\r\n");
  const record = await runSession(server.target, { ...FAST, send });
  assert.equal(record.outcome, "clean");
  assert.ok(record.firstByteUs! > 0);
  assert.equal(record.bytesReceived, send.byteLength);
});

Deno.test("runSession reports no-fin when the server keeps its end open (CLOSE_WAIT)", async () => {
  await using server = await startReferenceServer("leaky");
  const started = performance.now();
  const record = await runSession(server.target, FAST);
  assert.equal(record.outcome, "no-fin");
  assert.equal(record.phase, "close");
  assert.equal(record.closeUs, undefined);
  assert.ok(performance.now() - started >= 290, "waited the close timeout");
});

Deno.test("runSession reports reset when the server answers our FIN with an RST", async () => {
  await using server = await startReferenceServer("reset");
  const record = await runSession(server.target, FAST);
  assert.equal(record.outcome, "reset");
  assert.equal(record.phase, "close");
  assert.equal(record.errno, "ECONNRESET");
  assert.deepEqual(record.errors, [{ phase: "close", operation: "read", errno: "ECONNRESET" }]);
});

Deno.test("runSession with a hold sees a server that closes first", async () => {
  await using server = await startReferenceServer("closes-first");
  const record = await runSession(server.target, { ...FAST, holdMs: 200 });
  assert.equal(record.outcome, "server-closed-first");
  assert.equal(record.phase, "hold");
});

Deno.test("runSession reports refused for a port with no listener", async () => {
  const server = await startReferenceServer("well-behaved");
  const target = server.target;
  await server.close();
  const record = await runSession(target, FAST);
  assert.equal(record.outcome, "refused");
  assert.equal(record.errno, "ECONNREFUSED");
  assert.equal(record.handshakeUs, undefined);
});

Deno.test("runSession reports connect-timeout when the accept queue is full", async () => {
  await using server = await startReferenceServer("never-accepts", { backlog: 1 });
  // Linux queues backlog + 1 connections; past that it drops the SYNs.
  const queued: Deno.TcpConn[] = [];
  for (let i = 0; i < 2; i++) queued.push(await Deno.connect(server.target));
  const record = await runSession(server.target, { ...FAST, connectTimeoutMs: 300 });
  for (const conn of queued) conn.close();
  assert.equal(record.outcome, "connect-timeout");
  assert.equal(record.errno, "ETIMEDOUT");
});

Deno.test("runSession stops on the signal with outcome interrupted and closes the socket", async () => {
  await using server = await startReferenceServer("leaky");
  const stop = new AbortController();
  const pending = runSession(server.target, { ...FAST, holdMs: 10_000 }, { signal: stop.signal });
  setTimeout(() => stop.abort(), 100);
  const record = await pending;
  assert.equal(record.outcome, "interrupted");
  assert.equal(record.phase, "hold");
});

Deno.test("runSession times the handshake from the intended start (open loop)", async () => {
  await using server = await startReferenceServer("well-behaved");
  const record = await runSession(server.target, FAST, { intendedStart: performance.now() - 50 });
  assert.ok(
    record.handshakeUs! >= 50_000,
    `handshake ${record.handshakeUs}us includes the 50ms queueing`,
  );
});

Deno.test("runSession records a reset that a write consumed", async () => {
  // An RST is reported once (docs/tcp-facts.md): a server that resets at accept lets
  // our write or read see it; either way the outcome must be reset, not clean.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const target: Target = { hostname: "127.0.0.1", port, label: `127.0.0.1:${port}` };
  try {
    const send = new Uint8Array(64);
    const record = await runSession(target, { ...FAST, send, holdMs: 50 });
    assert.equal(record.outcome, "reset");
    assert.ok(["ECONNRESET", "EPIPE"].includes(record.errno!), record.errno);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/**
 * A server that writes `reply` (if any) right after accept, then closes. It
 * runs in a worker, on an event loop of its own, as a real server would (on
 * the session's own loop its close would wait for that loop's turns), and
 * counts its closes in shared memory, which this thread can watch without
 * an event-loop turn.
 */
async function serverThatClosesAtAccept(reply = "") {
  const code = `
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const reply = new TextEncoder().encode(${JSON.stringify(reply)});
    onmessage = async (e) => {
      const closes = new Int32Array(e.data);
      postMessage(listener.addr.port);
      for await (const conn of listener) {
        if (reply.byteLength > 0) await conn.write(reply).catch(() => {});
        conn.close();
        Atomics.add(closes, 0, 1);
      }
    };`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const closes = new Int32Array(new SharedArrayBuffer(4));
  const port = await new Promise<number>((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.postMessage(closes.buffer);
  });
  URL.revokeObjectURL(url);
  let connects = 0;
  return {
    target: { hostname: "127.0.0.1", port, label: `127.0.0.1:${port}` } as Target,
    /**
     * Holds this event loop right after `session` called connect until the
     * server has closed that connection: its FIN is then queued at our
     * socket before the session sees its connect complete, so who closed
     * first is not a race.
     */
    withFinQueued<T>(session: Promise<T>): Promise<T> {
      // Counted per call: the server may close before this function runs.
      const expected = ++connects;
      const until = performance.now() + 5000;
      while (Atomics.load(closes, 0) < expected && performance.now() < until) {
        Atomics.wait(closes, 0, expected - 1, 1);
      }
      return session;
    },
    [Symbol.dispose]: () => worker.terminate(),
  };
}

Deno.test("runSession without a hold sees a server that closed at accept: server-closed-first", async () => {
  // The server's FIN is in our socket before we half-close: the session must
  // look before sending its own FIN, or it takes the server's FIN for the
  // answer to ours.
  using server = await serverThatClosesAtAccept();
  for (let i = 0; i < 20; i++) {
    const record = await server.withFinQueued(runSession(server.target, FAST));
    assert.equal(record.outcome, "server-closed-first", `session ${i}`);
    assert.equal(record.phase, "handshake");
    assert.equal(record.closeUs, undefined);
  }
});

Deno.test("runSession without a payload sees a server that replied and closed at accept", async () => {
  using server = await serverThatClosesAtAccept("hello\n");
  for (let i = 0; i < 20; i++) {
    const record = await server.withFinQueued(runSession(server.target, FAST));
    assert.equal(record.outcome, "server-closed-first", `session ${i}`);
    assert.equal(record.bytesReceived, 6);
  }
});
