/**
 * Tests for lib/census/load.ts: a load with a socket census of the
 * server port around it, against the reference servers on loopback.
 */
import assert from "node:assert/strict";
import { runLoadWithCensus } from "../../lib/census/load.ts";
import { DEFAULT_DRAIN_MS } from "../../lib/census/settings.ts";
import { type LoadProgress, LoadRunner } from "../../lib/engine/runner.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const SESSIONS = 20;
const LOAD = { sessions: SESSIONS, concurrency: 10, closeTimeoutMs: 300, connectTimeoutMs: 2000 };

Deno.test("against the leaky server: every session's CLOSE_WAIT remains, leaked by the handler", async () => {
  await using server = await startReferenceServer("leaky");
  const drains: number[] = [];
  const progress: LoadProgress[] = [];
  const unavailable: string[] = [];
  // Progress by subscription: the caller builds the runner and listens to it.
  const runner = new LoadRunner(server.target, LOAD);
  runner.addEventListener("progress", (event) => progress.push(event.progress));
  const { result, summary } = await runLoadWithCensus(runner, {
    census: { drainMs: 500 },
    onDrain: (windowMs) => drains.push(windowMs),
    onCensusUnavailable: (reason) => unavailable.push(reason),
  });

  assert.deepEqual(drains, [500]);
  // 20 sessions waiting 300 ms each for a FIN, 10 at a time: the run outlasts
  // the workers' 250 ms progress interval.
  assert.ok(progress.length >= 1, "the subscriber got progress events");
  assert.ok(progress.every((p) => p.completed <= SESSIONS), JSON.stringify(progress));
  assert.deepEqual(unavailable, []);

  assert.equal(result.tally.sessions, SESSIONS);
  assert.equal(summary.sessions, SESSIONS);
  assert.equal(summary.outcomes["no-fin"], SESSIONS);

  const sockets = summary.sockets;
  assert.ok(sockets?.available, JSON.stringify(sockets));
  assert.equal(sockets.server.CLOSE_WAIT.drained, SESSIONS);
  assert.equal(sockets.server.CLOSE_WAIT.peak, SESSIONS);
  assert.equal(sockets.drainWindowMs, 500);
  // The leak never settles: the whole window is used.
  assert.ok(sockets.drainedAfterMs >= 500, `drained after ${sockets.drainedAfterMs} ms`);

  assert.deepEqual(summary.lingering?.closeWait, {
    remaining: SESSIONS,
    neverAccepted: 0,
    leakedByHandler: SESSIONS,
    noFinSessions: SESSIONS,
  });
  assert.deepEqual(summary.lingering?.serverTimeWait, {
    serverClosedFirst: 0,
    share: 0,
    serverTimeWait: 0,
  });
  // Read from ip_local_port_range at run time.
  const ports = summary.lingering?.testerTimeWait?.ephemeralPorts;
  assert.ok(ports === null || (ports !== undefined && ports > 0), String(ports));
});

Deno.test("against the well-behaved server: nothing lingers, the drain ends early", async () => {
  await using server = await startReferenceServer("well-behaved");
  const { summary } = await runLoadWithCensus(new LoadRunner(server.target, LOAD), {
    census: { drainMs: 2000 },
  });
  assert.equal(summary.outcomes.clean, SESSIONS);
  assert.ok(summary.sockets?.available);
  assert.equal(summary.sockets.server.CLOSE_WAIT.drained, 0);
  assert.ok(summary.sockets.drainedAfterMs < 2000, `${summary.sockets.drainedAfterMs} ms`);
  assert.equal(summary.lingering?.closeWait?.remaining, 0);
  assert.equal(summary.lingering?.testerTimeWait?.peak, SESSIONS);
});

Deno.test("without a census option: the default census, whose drain ends early", async () => {
  await using server = await startReferenceServer("well-behaved");
  const drains: number[] = [];
  const { summary } = await runLoadWithCensus(new LoadRunner(server.target, LOAD), {
    onDrain: (windowMs) => drains.push(windowMs),
  });
  assert.deepEqual(drains, [DEFAULT_DRAIN_MS]);
  assert.ok(summary.sockets?.available, JSON.stringify(summary.sockets));
  assert.equal(summary.sockets.drainWindowMs, DEFAULT_DRAIN_MS);
  assert.ok(summary.sockets.drainedAfterMs < DEFAULT_DRAIN_MS, `${summary.sockets.drainedAfterMs}`);
  assert.equal(summary.lingering?.closeWait?.remaining, 0);
});

Deno.test("census off: a summary without sockets or lingering", async () => {
  await using server = await startReferenceServer("leaky");
  let drained = false;
  let unavailable = false;
  const { summary } = await runLoadWithCensus(new LoadRunner(server.target, LOAD), {
    census: "off",
    onDrain: () => drained = true,
    onCensusUnavailable: () => unavailable = true,
  });
  assert.equal(summary.outcomes["no-fin"], SESSIONS);
  assert.equal("sockets" in summary, false);
  assert.equal("lingering" in summary, false);
  assert.equal(drained, false);
  assert.equal(unavailable, false);
});

Deno.test("a census command that fails: onCensusUnavailable is told, the load still runs", async () => {
  await using server = await startReferenceServer("leaky");
  const reasons: string[] = [];
  const drains: number[] = [];
  const { summary } = await runLoadWithCensus(new LoadRunner(server.target, LOAD), {
    census: { drainMs: 500, serverSocketsCommand: "exit 3" },
    onCensusUnavailable: (reason) => reasons.push(reason),
    onDrain: (windowMs) => drains.push(windowMs),
  });
  assert.equal(reasons.length, 1);
  assert.match(reasons[0], /exited with code 3/);
  assert.ok(!reasons[0].includes("\n"));
  assert.deepEqual(drains, [], "no drain without a census");
  assert.deepEqual(summary.sockets, { available: false, reason: reasons[0], counters: null });
  assert.equal(summary.outcomes["no-fin"], SESSIONS);
  // The client-side evidence only.
  assert.deepEqual(summary.lingering, {
    closeWait: null,
    serverTimeWait: { serverClosedFirst: 0, share: 0, serverTimeWait: null },
    testerTimeWait: null,
    halfOpen: null,
    oldCloseWait: null,
    noFin: null,
    testerPorts: null,
  });
});

Deno.test("an abort: the partial result, the end census, no drain", async () => {
  await using server = await startReferenceServer("leaky");
  const stop = new AbortController();
  const drains: number[] = [];
  const poll = setInterval(() => {
    if (server.accepted >= 10) stop.abort();
  }, 10);
  try {
    const started = performance.now();
    const runner = new LoadRunner(server.target, {
      concurrency: 10,
      durationMs: 30_000,
      holdMs: 30_000,
      closeTimeoutMs: 300,
      signal: stop.signal,
    });
    const { result, summary } = await runLoadWithCensus(runner, {
      census: { drainMs: 10_000 },
      signal: stop.signal,
      onDrain: (windowMs) => drains.push(windowMs),
    });
    assert.ok(performance.now() - started < 3000);
    assert.equal(result.stoppedBy, "signal");
    assert.equal(summary.stoppedBy, "signal");
    assert.equal(summary.outcomes.interrupted, 10);
    assert.deepEqual(drains, []);
    assert.ok(summary.sockets?.available);
    assert.equal(summary.sockets.drainWindowMs, 0);
    assert.ok(summary.lingering?.closeWait !== null);
  } finally {
    clearInterval(poll);
  }
});
