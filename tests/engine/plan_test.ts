import assert from "node:assert/strict";
import {
  type LoadShape,
  MAX_SESSIONS_PER_EVENT_LOOP,
  planWorkers,
  type WorkerPlan,
} from "../../lib/engine/plan.ts";

function shape(overrides: Partial<LoadShape>): LoadShape {
  return { concurrency: 100, sessions: null, durationMs: 5000, rate: null, ...overrides };
}

const sum = (values: number[]): number => values.reduce((total, v) => total + v, 0);

Deno.test("MAX_SESSIONS_PER_EVENT_LOOP is 100", () => {
  assert.equal(MAX_SESSIONS_PER_EVENT_LOOP, 100);
});

Deno.test("C=1000: 10 workers of 100", () => {
  const plans = planWorkers(shape({ concurrency: 1000 }));
  assert.equal(plans.length, 10);
  assert.deepEqual(
    plans.map((p) => p.index),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  for (const plan of plans) {
    assert.deepEqual(plan, {
      index: plan.index,
      concurrency: 100,
      sessions: null,
      durationMs: 5000,
      rate: null,
      rateOffsetMs: 0,
      workers: 10,
    });
  }
});

Deno.test("C=100 on 2 cores: two workers of 50; on 1 core one of 100", () => {
  assert.deepEqual(planWorkers(shape({ concurrency: 100 }), 2).map((p) => p.concurrency), [50, 50]);
  assert.deepEqual(planWorkers(shape({ concurrency: 100 }), 1).map((p) => p.concurrency), [100]);
  assert.deepEqual(planWorkers(shape({ concurrency: 101 })).map((p) => p.concurrency), [51, 50]);
  assert.deepEqual(planWorkers(shape({ concurrency: 200 })).map((p) => p.concurrency), [100, 100]);
});

Deno.test("C=1: one worker of 1", () => {
  assert.deepEqual(planWorkers(shape({ concurrency: 1 })), [{
    index: 0,
    concurrency: 1,
    sessions: null,
    durationMs: 5000,
    rate: null,
    rateOffsetMs: 0,
    workers: 1,
  }]);
});

Deno.test("more workers asked for than the concurrency: one per session in flight, never more in flight", () => {
  const plans = planWorkers(shape({ concurrency: 1, workers: 2 }));
  assert.deepEqual(plans.map((p) => [p.concurrency, p.workers]), [[1, 1]]);
  const three = planWorkers(shape({ concurrency: 3, workers: 8, sessions: 30 }));
  assert.deepEqual(three.map((p) => p.concurrency), [1, 1, 1]);
  assert.equal(three.reduce((sum, p) => sum + (p.sessions ?? 0), 0), 30);
});

Deno.test("uneven concurrency is spread with the remainder on the first workers", () => {
  assert.deepEqual(
    planWorkers(shape({ concurrency: 7, workers: 3 })).map((p) => p.concurrency),
    [3, 2, 2],
  );
  assert.deepEqual(
    planWorkers(shape({ concurrency: 1001 })).map((p) => p.concurrency),
    [91, 91, 91, 91, 91, 91, 91, 91, 91, 91, 91],
  );
});

Deno.test("no worker's concurrency exceeds MAX_SESSIONS_PER_EVENT_LOOP for C in 1..5000", () => {
  for (let concurrency = 1; concurrency <= 5000; concurrency++) {
    const plans = planWorkers(shape({ concurrency }));
    const what = `C=${concurrency}`;
    assert.equal(
      plans.length,
      Math.max(Math.ceil(concurrency / 100), Math.min(concurrency, 2)),
      what,
    );
    const most = Math.max(...plans.map((p) => p.concurrency));
    assert.ok(most <= MAX_SESSIONS_PER_EVENT_LOOP, `${what}: a worker has ${most}`);
    assert.equal(sum(plans.map((p) => p.concurrency)), concurrency, what);
    assert.ok(most - Math.min(...plans.map((p) => p.concurrency)) <= 1, what);
    assert.deepEqual(plans.map((p) => p.index), [...plans.keys()], what);
  }
});

Deno.test("with a session bound, no worker holds more than the limit in flight", () => {
  for (const concurrency of [1, 99, 100, 101, 250, 999, 1000, 5000]) {
    for (const sessions of [1, 2, 3, 9, 10, 49, 50, 100, 101, 1000, 12_345]) {
      const plans = planWorkers(shape({ concurrency, sessions }));
      const what = `C=${concurrency} n=${sessions}`;
      assert.equal(sum(plans.map((p) => p.sessions ?? 0)), sessions, what);
      assert.ok(plans.every((p) => p.sessions !== null && p.sessions >= 1), what);
      const inFlight = plans.map((p) => Math.min(p.concurrency, p.sessions ?? Infinity));
      assert.ok(Math.max(...inFlight) <= MAX_SESSIONS_PER_EVENT_LOOP, what);
      assert.equal(sum(inFlight), Math.min(concurrency, sessions), what);
    }
  }
});

Deno.test("the session bound is split so it sums to the total", () => {
  const plans = planWorkers(shape({ concurrency: 1000, sessions: 100_003 }));
  assert.equal(plans.length, 10);
  assert.deepEqual(
    plans.map((p) => p.sessions),
    [10_001, 10_001, 10_001, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000],
  );
  assert.equal(sum(plans.map((p) => p.sessions ?? 0)), 100_003);
});

Deno.test("fewer sessions than workers: one worker per session", () => {
  const plans = planWorkers(shape({ concurrency: 1000, sessions: 3, durationMs: null }));
  assert.equal(plans.length, 3);
  assert.deepEqual(plans.map((p) => p.sessions), [1, 1, 1]);
  assert.deepEqual(plans.map((p) => p.durationMs), [null, null, null]);

  const one = planWorkers(shape({ concurrency: 100, sessions: 1 }));
  assert.equal(one.length, 1);
  assert.equal(one[0].sessions, 1);
  assert.equal(one[0].concurrency, 100);
});

Deno.test("the rate is split so it sums to the rate", () => {
  for (
    const [concurrency, rate] of [[1000, 5000], [300, 1000], [100, 7], [1, 0.5], [5000, 123_457]]
  ) {
    const plans = planWorkers(shape({ concurrency, rate }));
    const rates = plans.map((p) => p.rate);
    assert.ok(rates.every((r) => r !== null && r > 0), `${rates}`);
    const total = sum(rates.map((r) => r ?? 0));
    assert.ok(Math.abs(total - rate) < 1e-9 * rate, `rate ${rate}: workers sum to ${total}`);
    assert.ok(rates.every((r) => r === rates[0]), "every worker gets the same rate");
  }
  const plans = planWorkers(shape({ concurrency: 1000, rate: 5000 }));
  assert.deepEqual(plans.map((p) => p.rate), Array(10).fill(500));
});

Deno.test("rateOffsetMs interleaves the workers' start times", () => {
  const rate = 1000;
  const plans = planWorkers(shape({ concurrency: 400, rate }));
  assert.equal(plans.length, 4);
  assert.deepEqual(plans.map((p) => p.rateOffsetMs), [0, 1, 2, 3]);
  // Worker i starts at offset + k / (its rate): together one start every 1000 / rate ms.
  const starts = plans.flatMap((p: WorkerPlan) =>
    Array.from({ length: 5 }, (_, k) => p.rateOffsetMs + (k * 1000) / (p.rate ?? 1))
  ).sort((a, b) => a - b);
  assert.deepEqual(starts, Array.from({ length: 20 }, (_, k) => k * (1000 / rate)));
});

Deno.test("closed loop has no rate and no offset", () => {
  for (const plan of planWorkers(shape({ concurrency: 300 }))) {
    assert.equal(plan.rate, null);
    assert.equal(plan.rateOffsetMs, 0);
  }
});

Deno.test("overrides: sessionsPerEventLoop and workers", () => {
  const small = planWorkers(shape({ concurrency: 10, sessionsPerEventLoop: 3 }));
  assert.deepEqual(small.map((p) => p.concurrency), [3, 3, 2, 2]);
  const fixed = planWorkers(shape({ concurrency: 10, workers: 2 }));
  assert.deepEqual(fixed.map((p) => p.concurrency), [5, 5]);
});
