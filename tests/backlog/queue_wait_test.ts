/**
 * Before each burst the sweep waits, within a bound, until the listener's
 * accept queue is back to its baseline: a burst that starts with the previous
 * burst's connections still queued has less room and would lower the
 * capacity. A queue that never drains makes the estimate unreliable.
 */
import assert from "node:assert/strict";
import { estimateBacklog } from "../../lib/backlog/estimate.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import { judgeSweep } from "../../lib/backlog/verdict.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

Deno.test("sweepBacklog: each burst starts once the accept queue has drained, and says how long that took", async () => {
  // listen(4), one accept per 150 ms: an overflowing burst leaves 5 or more
  // connections queued (and syncookie-completed ones joining late), 750 ms
  // and more of accepts, longer than this burst's 200 ms drain window.
  await using server = await startReferenceServer("slow-accept", {
    backlog: 4,
    acceptDelayMs: 150,
  });
  const sweep = await sweepBacklog(server.target, {
    sizes: [16],
    holdMs: 200,
    connectTimeoutMs: 1300,
    closeTimeoutMs: 200,
    census: { drainMs: 200 },
    pauseMs: 0,
    maxRefineBursts: 2,
    queueWaitMs: 5000,
  });
  const seen = JSON.stringify(
    sweep.bursts.map((b) => [b.size, b.acceptQueueAtStart, b.queueWaitMs, b.synRetransmitted]),
  );
  assert.equal(sweep.settings.queueWaitMs, 5000);
  assert.equal(sweep.acceptQueueBaseline, 0);
  assert.equal(sweep.stoppedBy, "sizes", seen);
  assert.equal(sweep.bursts.length, 3, seen);
  assert.equal(sweep.bursts[0].queueWaitMs, 0, "nothing to wait for before the first burst");
  for (const burst of sweep.bursts) {
    assert.equal(
      burst.acceptQueueAtStart,
      0,
      `burst ${burst.size} started on a full queue: ${seen}`,
    );
  }
  // The bisection's first burst followed a failing one: its queue took a while.
  assert.ok(sweep.bursts[1].queueWaitMs! >= 100, seen);
  assert.ok(sweep.bursts[1].queueWaitMs! < 5000, seen);
  const estimate = estimateBacklog(sweep);
  assert.equal(estimate.unreliable, null);
  assert.deepEqual(estimate.queueNotEmptyAtStart, []);
  assert.equal(judgeSweep(sweep, estimate).kind, "measured");
});

Deno.test("sweepBacklog: a queue that never drains within the bound ends the sweep, estimate unreliable", async () => {
  await using server = await startReferenceServer("never-accepts", { backlog: 2 });
  const started = performance.now();
  const sweep = await sweepBacklog(server.target, {
    sizes: [2, 8],
    holdMs: 100,
    connectTimeoutMs: 1300,
    closeTimeoutMs: 100,
    census: { drainMs: 100 },
    pauseMs: 0,
    queueWaitMs: 400,
  });
  const elapsed = performance.now() - started;
  assert.equal(sweep.stoppedBy, "queue-not-drained");
  assert.deepEqual(sweep.bursts.map((b) => b.size), [2], "burst 8 is not fired on a full queue");
  const undrained = sweep.queueNotDrained!;
  assert.equal(undrained.nextBurst, 8);
  assert.equal(undrained.baseline, 0);
  assert.equal(undrained.held, 2, "the first burst's two connections, never accepted");
  assert.ok(undrained.waitedMs >= 400 && undrained.waitedMs < 1500, `${undrained.waitedMs} ms`);
  assert.ok(elapsed < 5000, `${elapsed} ms`);
  const estimate = estimateBacklog(sweep);
  assert.equal(estimate.capacity, null, "no number");
  assert.equal(estimate.limit, "unknown");
  assert.match(
    estimate.unreliable ?? "",
    /^estimate unreliable: the accept queue held 2 connections of the previous burst after (\d+ms|\d\.\d+s)$/,
  );
  const verdict = judgeSweep(sweep, estimate);
  assert.equal(verdict.kind, "unreliable");
  assert.match(
    verdict.message ?? "",
    /^Estimate unreliable: the accept queue of 127\.0\.0\.1:\d+ held 2 connections of the previous burst after (\d+ms|\d\.\d+s); /,
  );
});

Deno.test("sweepBacklog: queueWaitMs 0 fires at once; a burst on a non-empty queue makes the estimate unreliable", async () => {
  await using server = await startReferenceServer("never-accepts", { backlog: 2 });
  const sweep = await sweepBacklog(server.target, {
    sizes: [2, 8],
    holdMs: 100,
    connectTimeoutMs: 1300,
    closeTimeoutMs: 100,
    census: { drainMs: 100 },
    pauseMs: 0,
    refine: false,
    queueWaitMs: 0,
  });
  assert.equal(sweep.stoppedBy, "sizes");
  assert.deepEqual(sweep.bursts.map((b) => [b.size, b.queueWaitMs]), [[2, 0], [8, 0]]);
  assert.ok(sweep.bursts[1].acceptQueueAtStart! >= 2);
  const estimate = estimateBacklog(sweep);
  assert.equal(estimate.capacity, null);
  assert.deepEqual(estimate.queueNotEmptyAtStart, [8]);
  assert.match(
    estimate.unreliable ?? "",
    /^estimate unreliable: the accept queue held \d+ connections of the previous burst after 0ms$/,
  );
});
