/**
 * Tests for lib/engine/idle_probe.ts, against real servers on loopback.
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { MAX_IDLE_CONNECTIONS, probeIdleTimeout } from "../../lib/engine/idle_probe.ts";
import { listenBelowEphemeral, startReferenceServer } from "../../lib/testing/reference_servers.ts";
import type { Target } from "../../lib/base/target.ts";

const N = 5;

const loopback = (port: number): Target => ({
  hostname: "127.0.0.1",
  port,
  label: `127.0.0.1:${port}`,
});

/**
 * A node:net server that resets (RST, via SO_LINGER 0) every connection
 * `resetAfterMs` after accepting it. The reference `reset` server only resets
 * after reading EOF, so it never resets an idle connection.
 */
async function startIdleResetServer(resetAfterMs: number) {
  const sockets = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    const timer = setTimeout(() => {
      timers.delete(timer);
      socket.resetAndDestroy();
    }, resetAfterMs);
    timers.add(timer);
  });
  let port = 0;
  for (let attempt = 0; attempt < 200 && port === 0; attempt++) {
    const candidate = 20000 + Math.floor(Math.random() * 12768);
    port = await new Promise<number>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE") resolve(0);
        else reject(error);
      };
      server.once("error", onError);
      server.listen({ host: "127.0.0.1", port: candidate }, () => {
        server.off("error", onError);
        resolve(candidate);
      });
    });
  }
  assert.ok(port !== 0, "found a free port");
  return {
    target: loopback(port),
    async [Symbol.asyncDispose]() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that was just listened on, then closed: connects are refused. */
function refusedPort(): number {
  const listener = listenBelowEphemeral();
  const port = listener.addr.port;
  listener.close();
  return port;
}

Deno.test("probeIdleTimeout: the idle-timeout server drops every connection with a FIN", async () => {
  await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 300 });
  const result = await probeIdleTimeout(server.target, { connections: N, boundMs: 3000 });
  assert.equal(result.connections, N);
  assert.equal(result.opened, N);
  assert.deepEqual(result.connectErrors, {});
  assert.equal(result.finAfterMs.length, N, `FIN after ${result.finAfterMs}`);
  for (const ms of result.finAfterMs) assert.ok(ms >= 250 && ms <= 2000, `FIN after ${ms} ms`);
  assert.deepEqual(result.finAfterMs, [...result.finAfterMs].sort((a, b) => a - b), "sorted");
  assert.ok(result.finAfterMs.every(Number.isInteger), "rounded to ms");
  assert.deepEqual(result.resetAfterMs, []);
  assert.equal(result.stillOpen, 0);
  assert.deepEqual(result.otherErrors, {});
  assert.equal(result.interrupted, false);
  assert.equal(result.boundMs, 3000);
  // Every connection ended: the probe returns without waiting for the bound.
  assert.ok(result.elapsedMs < 2500, `ran ${result.elapsedMs} ms`);
  assert.ok(result.elapsedMs >= result.finAfterMs[N - 1]);
});

Deno.test("probeIdleTimeout: the well-behaved server keeps idle connections past the bound", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await probeIdleTimeout(server.target, { connections: N, boundMs: 500 });
  assert.equal(result.opened, N);
  assert.equal(result.stillOpen, N);
  assert.deepEqual(result.finAfterMs, []);
  assert.deepEqual(result.resetAfterMs, []);
  assert.deepEqual(result.otherErrors, {});
  assert.deepEqual(result.connectErrors, {});
  assert.equal(result.interrupted, false);
  assert.ok(result.elapsedMs >= 490 && result.elapsedMs < 2000, `ran ${result.elapsedMs} ms`);
  // The probe closed its sockets: the server saw each one go.
  for (let i = 0; i < 50 && server.open > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(server.open, 0);
});

Deno.test("probeIdleTimeout: a server that resets idle connections", async () => {
  await using server = await startIdleResetServer(200);
  const result = await probeIdleTimeout(server.target, { connections: N, boundMs: 3000 });
  assert.equal(result.opened, N);
  assert.equal(result.resetAfterMs.length, N, `reset after ${result.resetAfterMs}`);
  for (const ms of result.resetAfterMs) assert.ok(ms >= 150 && ms <= 2000, `RST after ${ms} ms`);
  assert.deepEqual(result.finAfterMs, []);
  assert.equal(result.stillOpen, 0);
  assert.deepEqual(result.otherErrors, {});
  assert.ok(result.elapsedMs < 2500, `ran ${result.elapsedMs} ms`);
});

Deno.test("probeIdleTimeout: an AbortSignal stops the probe early", async (t) => {
  await using server = await startReferenceServer("well-behaved");

  await t.step("aborted while the connections are idle: they count as still open", async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    try {
      const result = await probeIdleTimeout(server.target, {
        connections: N,
        boundMs: 10_000,
        signal: controller.signal,
      });
      assert.equal(result.interrupted, true);
      assert.equal(result.opened, N);
      assert.equal(result.stillOpen, N);
      assert.deepEqual(result.finAfterMs, []);
      assert.ok(result.elapsedMs >= 250 && result.elapsedMs < 2000, `ran ${result.elapsedMs} ms`);
    } finally {
      clearTimeout(timer);
    }
  });

  await t.step("aborted before it starts: nothing opened", async () => {
    const result = await probeIdleTimeout(server.target, {
      connections: N,
      boundMs: 10_000,
      signal: AbortSignal.abort(),
    });
    assert.equal(result.interrupted, true);
    assert.equal(result.opened, 0);
    assert.equal(result.stillOpen, 0);
    assert.equal(Object.values(result.connectErrors).reduce((a, b) => a + b, 0), N);
    assert.ok(result.elapsedMs < 1000, `ran ${result.elapsedMs} ms`);
  });
});

Deno.test("probeIdleTimeout: a refused port opens nothing", async () => {
  const port = refusedPort();
  const result = await probeIdleTimeout(loopback(port), { connections: N, boundMs: 3000 });
  assert.equal(result.connections, N);
  assert.equal(result.opened, 0);
  assert.deepEqual(result.connectErrors, { ECONNREFUSED: N });
  assert.deepEqual(result.finAfterMs, []);
  assert.deepEqual(result.resetAfterMs, []);
  assert.equal(result.stillOpen, 0);
  assert.equal(result.interrupted, false);
  assert.ok(result.elapsedMs < 1000, `ran ${result.elapsedMs} ms`);
});

Deno.test(`probeIdleTimeout holds at most ${MAX_IDLE_CONNECTIONS} connections`, async () => {
  assert.equal(MAX_IDLE_CONNECTIONS, 100);
  const port = refusedPort();
  const result = await probeIdleTimeout(loopback(port), { connections: 150, boundMs: 3000 });
  assert.equal(result.connections, MAX_IDLE_CONNECTIONS);
  assert.deepEqual(result.connectErrors, { ECONNREFUSED: MAX_IDLE_CONNECTIONS });
});
