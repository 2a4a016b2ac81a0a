/**
 * Several destinations and source addresses, on real loopback sockets:
 * sessions spread round-robin over the ports or addresses of a target (both
 * engines), and over source addresses (raw engine), as the servers see them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { UsageError } from "../../lib/base/errors.ts";
import { parseTarget } from "../../lib/base/target.ts";
import { ENGINES } from "../../lib/engine/load.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { rawEngineUnavailable } from "../../lib/engine/raw/libc.ts";
import { type ReferenceServer, startReferenceServer } from "../../lib/testing/reference_servers.ts";

const QUICK = { closeTimeoutMs: 1000, connectTimeoutMs: 2000 };
const RAW = rawEngineUnavailable() === undefined;

async function closeAll(servers: ReferenceServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.close()));
}

/** A listener on `hostname` that counts each accepted connection by its peer's address. */
function peerCounter(hostname = "127.0.0.1") {
  const listener = Deno.listen({ hostname, port: 0 });
  const peers = new Map<string, number>();
  const handlers: Promise<void>[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      const peer = conn.remoteAddr.hostname;
      peers.set(peer, (peers.get(peer) ?? 0) + 1);
      handlers.push((async () => {
        try {
          while ((await conn.read(new Uint8Array(64))) !== null) { /* until our FIN */ }
        } catch { /* a reset */ }
        conn.close();
      })());
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    peers,
    async close() {
      listener.close();
      await served;
      await Promise.all(handlers);
    },
  };
}

for (const engine of ENGINES) {
  const ignore = engine === "raw" && !RAW;

  Deno.test({
    name: `${engine} engine: sessions spread evenly over the ports of a target`,
    ignore,
    async fn() {
      const servers = await Promise.all(
        [1, 2, 3, 4].map(() => startReferenceServer("well-behaved")),
      );
      try {
        const target = parseTarget(`127.0.0.1:${servers.map((s) => s.target.port).join(",")}`);
        const result = await new LoadRunner(target, {
          ...QUICK,
          engine,
          sessions: 40,
          concurrency: 4,
          workers: 1,
        }).run();
        assert.equal(result.tally.outcomes.clean, 40);
        assert.deepEqual(servers.map((s) => s.accepted), [10, 10, 10, 10]);
      } finally {
        await closeAll(servers);
      }
    },
  });

  Deno.test({
    name: `${engine} engine: sessions spread over an address range, workers included`,
    ignore,
    async fn() {
      const first = await startReferenceServer("well-behaved");
      const servers = [first];
      try {
        const port = first.target.port;
        for (const hostname of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
          servers.push(await startReferenceServer("well-behaved", { hostname, port }));
        }
        const target = parseTarget(`127.0.0.1-127.0.0.4:${port}`);
        const result = await new LoadRunner(target, {
          ...QUICK,
          engine,
          sessions: 80,
          concurrency: 8,
          workers: 2,
          sessionsPerEventLoop: 4,
        }).run();
        assert.equal(result.tally.outcomes.clean, 80);
        // Each worker starts at its own destination and takes them in turn.
        assert.deepEqual(servers.map((s) => s.accepted), [20, 20, 20, 20]);
      } finally {
        await closeAll(servers);
      }
    },
  });
}

Deno.test({
  name: "raw engine: each connection is bound to the next source address",
  ignore: !RAW,
  async fn() {
    const counter = peerCounter();
    try {
      const target = parseTarget(`127.0.0.1:${counter.port}`);
      const sources = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
      const result = await new LoadRunner(target, {
        ...QUICK,
        engine: "raw",
        sources,
        sessions: 40,
        concurrency: 4,
        workers: 1,
      }).run();
      assert.equal(result.tally.outcomes.clean, 40);
      // The server sees each source as the peer; the ports were the kernel's.
      assert.deepEqual(
        Object.fromEntries([...counter.peers].sort()),
        Object.fromEntries(sources.map((s) => [s, 10])),
      );
    } finally {
      await counter.close();
    }
  },
});

Deno.test({
  name: "raw engine: sources and destinations combine",
  ignore: !RAW,
  async fn() {
    const counters = [peerCounter(), peerCounter()];
    try {
      const target = parseTarget(`127.0.0.1:${counters.map((c) => c.port).join(",")}`);
      const result = await new LoadRunner(target, {
        ...QUICK,
        engine: "raw",
        sources: ["127.0.0.7", "127.0.0.8", "127.0.0.9"],
        sessions: 60,
        concurrency: 6,
        workers: 1,
      }).run();
      assert.equal(result.tally.outcomes.clean, 60);
      for (const counter of counters) {
        assert.equal([...counter.peers.values()].reduce((a, b) => a + b, 0), 30);
        assert.equal(counter.peers.size, 3, "every source reached every destination");
      }
    } finally {
      await Promise.all(counters.map((c) => c.close()));
    }
  },
});

Deno.test("deno engine: source addresses are a usage error naming why", () => {
  assert.throws(
    () => new LoadRunner(parseTarget("127.0.0.1:1"), { engine: "deno", sources: ["127.0.0.2"] }),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message ===
        "Cannot use --source with --engine deno: Deno.connect cannot bind a source address; " +
          "use --engine raw",
  );
  // Without sources the deno engine is fine.
  new LoadRunner(parseTarget("127.0.0.1:1"), { engine: "deno", sources: [] });
});

Deno.test({
  name: "raw engine: a source that is not this machine's fails before any connect",
  ignore: !RAW,
  async fn() {
    await using server = await startReferenceServer("well-behaved");
    // 192.0.2.1 (TEST-NET-1) is on no interface here: bind fails, nothing is sent.
    const runner = new LoadRunner(server.target, {
      engine: "raw",
      sources: ["127.0.0.2", "192.0.2.1"],
      sessions: 5,
    });
    await assert.rejects(
      () => runner.run(),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message ===
          "Cannot bind source address 192.0.2.1: it is not an address of this machine " +
            "(EADDRNOTAVAIL)",
    );
    assert.equal(server.accepted, 0);
  },
});
