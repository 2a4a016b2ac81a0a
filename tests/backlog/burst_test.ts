/**
 * Tests for lib/backlog/burst.ts: one burst of simultaneous connects against the
 * reference servers on loopback, with the socket census around it.
 */
import assert from "node:assert/strict";
import { BURST_DEFAULTS, runBurst, SYN_RETRANSMIT_AFTER_US } from "../../lib/backlog/burst.ts";
import { planWorkers } from "../../lib/engine/plan.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

/** Short bounds: each burst takes well under a second against a healthy server. */
const QUICK = { holdMs: 300, census: { drainMs: 300 }, closeTimeoutMs: 300 };

/** Event loops the load runner uses for a burst of `size` on this machine. */
const loopsFor = (size: number) =>
  planWorkers(
    { concurrency: size, sessions: size, durationMs: null, rate: null, synchronizedStart: true },
    navigator.hardwareConcurrency || 1,
  ).length;

Deno.test("SYN_RETRANSMIT_AFTER_US sits just under Linux's initial 1 s RTO", () => {
  assert.equal(SYN_RETRANSMIT_AFTER_US, 900_000);
});

Deno.test("BURST_DEFAULTS: the hold sees a half-open connection twice; a short drain", () => {
  assert.deepEqual(BURST_DEFAULTS, {
    holdMs: 1500,
    connectTimeoutMs: 3000,
    closeTimeoutMs: 1000,
    drainMs: 2000,
  });
  assert.ok(Object.isFrozen(BURST_DEFAULTS));
});

Deno.test("without a census option: the default census, drained for BURST_DEFAULTS.drainMs at most", async () => {
  await using server = await startReferenceServer("well-behaved");
  const burst = await runBurst(server.target, 8, { holdMs: 100, closeTimeoutMs: 300 });
  assert.ok(burst.sockets.available, JSON.stringify(burst.sockets));
  assert.equal(burst.sockets.drainWindowMs, BURST_DEFAULTS.drainMs);
  assert.ok(burst.sockets.drainedAfterMs < BURST_DEFAULTS.drainMs, "a healthy server settles");
});

Deno.test("a burst of 64 against the well-behaved server: all on the first SYN, all clean", async () => {
  await using server = await startReferenceServer("well-behaved");
  const burst = await runBurst(server.target, 64, QUICK);

  assert.equal(burst.size, 64);
  assert.equal(burst.firstSyn, 64);
  assert.equal(burst.synRetransmitted, 0);
  assert.equal(burst.tally.sessions, 64);
  assert.equal(burst.tally.outcomes.clean, 64);
  assert.deepEqual(burst.tally.errors, []);
  assert.equal(burst.tally.histograms.handshake.count, 64);
  assert.equal(burst.interrupted, false);
  assert.equal(server.accepted, 64);

  assert.ok(burst.eventLoops >= 1);
  assert.equal(burst.eventLoops, loopsFor(64));
  // Every connect is fired at one shared instant.
  assert.ok(burst.spreadMs >= 0 && burst.spreadMs < 1000, `spread ${burst.spreadMs} ms`);
  // Each session held its connection 300 ms.
  assert.ok(burst.durationMs >= 300, `duration ${burst.durationMs} ms`);

  const sockets = burst.sockets;
  assert.ok(sockets.available, JSON.stringify(sockets));
  assert.equal(sockets.halfOpen, 0);
  assert.equal(sockets.server.CLOSE_WAIT.drained, 0);
  assert.equal(sockets.server.ESTABLISHED.drained, 0);
  assert.equal(sockets.drainWindowMs, 300);
  // We sent the first FIN of every session: the TIME_WAIT is ours.
  assert.equal(sockets.tester?.TIME_WAIT.end, 64);
  assert.equal(sockets.server.TIME_WAIT.peak, 0);
  assert.ok(sockets.counters !== null, "a local server gives the namespace counters");
  assert.equal(sockets.acceptQueue?.backlog, 4096);
});

Deno.test('census "off": no census, the reason says so', async () => {
  await using server = await startReferenceServer("well-behaved");
  const burst = await runBurst(server.target, 8, { ...QUICK, census: "off" });
  assert.deepEqual(burst.sockets, {
    available: false,
    reason: "census turned off",
    counters: null,
  });
  assert.equal(burst.sockets.available, false);
  assert.equal(burst.tally.outcomes.clean, 8);
  assert.equal(burst.firstSyn, 8);
});

Deno.test("a burst of 40 against slow-accept with backlog 2: SYNs retransmitted, the queue overflows", async () => {
  // The accept queue holds backlog + 1 = 3; the server takes one every 50 ms,
  // so most of the burst's SYNs are dropped and retried about 1 s later.
  await using server = await startReferenceServer("slow-accept", { backlog: 2 });
  const burst = await runBurst(server.target, 40, { ...QUICK, connectTimeoutMs: 2500 });

  assert.ok(burst.synRetransmitted > 0, `${burst.synRetransmitted} retransmitted`);
  assert.equal(
    burst.tally.histograms.handshake.countAtOrAbove(SYN_RETRANSMIT_AFTER_US),
    burst.synRetransmitted,
  );
  assert.ok(burst.firstSyn >= 1, `${burst.firstSyn} on the first SYN`);
  assert.equal(burst.firstSyn + burst.synRetransmitted, burst.tally.histograms.handshake.count);
  assert.ok(burst.firstSyn < 40);
  assert.equal(burst.tally.sessions, 40);
  assert.equal(burst.interrupted, false);

  const counters = burst.sockets.counters;
  assert.ok(counters !== null, "a local server gives the namespace counters");
  assert.ok(counters.listenOverflows > 0, `ListenOverflows +${counters.listenOverflows}`);
  assert.ok(burst.sockets.available);
  assert.equal(burst.sockets.acceptQueue?.backlog, 2);
  assert.ok(burst.sockets.acceptQueue.peak >= 1, `queue peak ${burst.sockets.acceptQueue.peak}`);
});

Deno.test("an abort mid-burst: interrupted, every held session interrupted, no drain", async () => {
  await using server = await startReferenceServer("leaky");
  const stop = new AbortController();
  // Abort once the server has every connection: all 32 sessions are holding.
  const poll = setInterval(() => {
    if (server.accepted === 32) stop.abort();
  }, 10);
  try {
    const started = performance.now();
    const burst = await runBurst(server.target, 32, {
      holdMs: 10_000,
      closeTimeoutMs: 300,
      census: { drainMs: 10_000 },
      signal: stop.signal,
    });
    const elapsed = performance.now() - started;
    assert.equal(burst.interrupted, true);
    assert.ok(elapsed < 3000, `stopped after ${elapsed} ms of a 10 s hold`);
    assert.equal(burst.tally.sessions, 32);
    assert.equal(burst.tally.outcomes.interrupted, 32);
    assert.equal(burst.firstSyn, 32);
    // The census is still reported, with the drain skipped.
    assert.ok(burst.sockets.available);
    assert.equal(burst.sockets.drainWindowMs, 0);
    assert.ok(burst.sockets.drainedAfterMs < 100, `drained after ${burst.sockets.drainedAfterMs}`);
  } finally {
    clearInterval(poll);
  }
});
