/**
 * Tests for lib/census/with_census.ts: how the census sources are chosen
 * for a target (watchServerSockets), and the census around a run
 * (withCensus), against the reference servers and captured tables.
 */

import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { CENSUS_STATES } from "../../lib/census/census.ts";
import { SocketWatch } from "../../lib/census/watch.ts";
import { watchServerSockets, withCensus } from "../../lib/census/with_census.ts";
import {
  CAT_PROC,
  CAT_SS,
  changedStates,
  halfCloseSessions,
  remoteTarget,
} from "./watch_fixtures.ts";

Deno.test("watchServerSockets", async (t) => {
  await t.step("a host that is not this one, without a command: unavailable", async () => {
    const result = await watchServerSockets(remoteTarget("192.0.2.1", 8080));
    assert.equal(result instanceof SocketWatch, false);
    assert.ok(!(result instanceof SocketWatch));
    assert.equal(result.available, false);
    assert.match(result.reason, /192\.0\.2\.1/);
    assert.match(result.reason, /--server-sockets/);
    assert.ok(!result.reason.includes("\n"));
    assert.equal(result.counters, null);
  });

  await t.step("a local target: a watch on the local table, baseline taken", async () => {
    await using server = await startReferenceServer("well-behaved");
    const watch = await watchServerSockets(server.target, { intervalMs: 50 });
    assert.ok(watch instanceof SocketWatch);
    await watch.stop();
    const report = await watch.drain(500);
    assert.equal(report.source, `local ss (port ${server.target.port})`);
    assert.equal(report.intervalMs, 50);
    assert.equal(report.samples, 2);
    assert.deepEqual(changedStates(report.server), []);
    assert.ok(report.drainedAfterMs < 500);
    assert.equal(report.acceptQueue?.backlog, 4096);
    assert.ok(report.counters !== null);
  });

  await t.step(
    "--server-sockets with a captured /proc table: its counts are the baseline",
    async () => {
      // The captured 20003: server CLOSE_WAIT 1, LISTEN with an empty queue.
      const watch = await watchServerSockets(remoteTarget("192.0.2.1", 20003), {
        serverSocketsCommand: CAT_PROC,
      });
      assert.ok(watch instanceof SocketWatch, JSON.stringify(watch));
      watch.start();
      await watch.stop();
      const report = await watch.drain(1000);
      assert.ok(report.source.startsWith("command:"), report.source);
      assert.equal(report.source, `command: ${CAT_PROC}`);
      assert.equal(report.testerSource, "local /proc/net/tcp");
      for (const state of CENSUS_STATES) {
        assert.equal(report.server[state].baseline, state === "CLOSE_WAIT" ? 1 : 0, state);
      }
      // The table never changes: no deltas, settled at once.
      assert.deepEqual(changedStates(report.server), []);
      assert.ok(report.drainedAfterMs < 1000, `drained after ${report.drainedAfterMs} ms`);
      // /proc has no backlog, and a remote server gives no counters.
      assert.deepEqual(report.acceptQueue, {
        backlog: null,
        baseline: 0,
        peak: 0,
        end: 0,
        drained: 0,
      });
      assert.equal(report.counters, null);
      assert.equal(report.readErrors, 0);
      assert.ok(report.samples >= 2);
    },
  );

  await t.step("--server-sockets with captured ss output: the backlog from Send-Q", async () => {
    // The captured 20001: two ESTABLISHED server sockets, one never accepted.
    const watch = await watchServerSockets(remoteTarget("192.0.2.1", 20001), {
      serverSocketsCommand: CAT_SS,
    });
    assert.ok(watch instanceof SocketWatch);
    await watch.stop();
    const report = await watch.drain(300);
    assert.equal(report.server.ESTABLISHED.baseline, 2);
    assert.equal(report.server.CLOSE_WAIT.baseline, 0);
    assert.deepEqual(report.acceptQueue, {
      backlog: 5,
      baseline: 1,
      peak: 1,
      end: 1,
      drained: 1,
    });
  });

  await t.step("--server-sockets with a failing command: unavailable, with its error", async () => {
    const result = await watchServerSockets(remoteTarget("192.0.2.1", 20001), {
      serverSocketsCommand: "echo 'Permission denied (publickey)' >&2; exit 255",
    });
    assert.ok(!(result instanceof SocketWatch));
    assert.equal(result.available, false);
    assert.match(result.reason, /exited with code 255: Permission denied \(publickey\)$/);
    assert.equal(result.counters, null);
  });
});

Deno.test("withCensus", async (t) => {
  await t.step('"off": the run alone, no census and no hooks', async () => {
    const told: string[] = [];
    const around = await withCensus(remoteTarget("192.0.2.1", 8080), "off", () => {
      told.push("run");
      return Promise.resolve(42);
    }, {
      onCensusUnavailable: (reason) => told.push(`unavailable ${reason}`),
      onDrain: (ms) => told.push(`drain ${ms}`),
    });
    assert.deepEqual(around, { result: 42, sockets: null });
    assert.deepEqual(told, ["run"]);
  });

  await t.step("no census possible: told why, the run still goes ahead, no drain", async () => {
    const told: string[] = [];
    const around = await withCensus(
      remoteTarget("192.0.2.1", 20001),
      { drainMs: 500, serverSocketsCommand: "exit 3" },
      () => {
        told.push("run");
        return Promise.resolve("done");
      },
      {
        onCensusUnavailable: () => told.push("unavailable"),
        onDrain: (ms) => told.push(`drain ${ms}`),
      },
    );
    assert.deepEqual(told, ["unavailable", "run"]);
    assert.equal(around.result, "done");
    assert.ok(around.sockets && !around.sockets.available);
    assert.match(around.sockets.reason, /exited with code 3/);
  });

  await t.step("around a run that leaks: the baseline before, the drain after", async () => {
    await using server = await startReferenceServer("leaky");
    const drains: number[] = [];
    const around = await withCensus(
      server.target,
      { drainMs: 400 },
      () => halfCloseSessions(server.target.port, 3).then(() => "three"),
      { onDrain: (ms) => drains.push(ms) },
    );
    assert.equal(around.result, "three");
    assert.deepEqual(drains, [400]);
    assert.ok(around.sockets?.available, JSON.stringify(around.sockets));
    assert.equal(around.sockets.server.CLOSE_WAIT.baseline, 0);
    assert.equal(around.sockets.server.CLOSE_WAIT.drained, 3);
    assert.equal(around.sockets.drainWindowMs, 400);
    assert.ok(around.sockets.drainedAfterMs >= 400, "a leak never settles");
  });

  await t.step("a run that throws: the census stops, the error goes through", async () => {
    await using server = await startReferenceServer("well-behaved");
    await assert.rejects(
      withCensus(server.target, { drainMs: 400 }, () => Promise.reject(new Error("boom"))),
      /boom/,
    );
  });

  await t.step(
    "a signal aborted by the end of the run: no drain, the end census kept",
    async () => {
      await using server = await startReferenceServer("leaky");
      const stop = new AbortController();
      const drains: number[] = [];
      const around = await withCensus(server.target, { drainMs: 10_000 }, async () => {
        await halfCloseSessions(server.target.port, 2);
        stop.abort();
      }, { signal: stop.signal, onDrain: (ms) => drains.push(ms) });
      assert.deepEqual(drains, []);
      assert.ok(around.sockets?.available);
      assert.equal(around.sockets.drainWindowMs, 0);
      assert.equal(around.sockets.server.CLOSE_WAIT.end, 2);
    },
  );
});
