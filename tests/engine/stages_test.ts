import assert from "node:assert/strict";
import { arrivalAt, shareOf, stagesDurationMs, stageTargetAt } from "../../lib/engine/stages.ts";
import { StartSchedule } from "../../lib/engine/start_schedule.ts";

const RAMP = [
  { durationMs: 2000, target: 100 },
  { durationMs: 1000, target: 100 },
  { durationMs: 2000, target: 0 },
];

Deno.test("stageTargetAt ramps linearly within each stage and holds the last target", () => {
  assert.deepEqual(
    [0, 500, 2000, 2500, 3000, 4000, 5000, 9000].map((t) => stageTargetAt(RAMP, t)),
    [0, 25, 100, 100, 100, 50, 0, 0],
  );
  assert.equal(stagesDurationMs(RAMP), 5000);
});

Deno.test("arrivalAt inverts the staged rate's integral: the count per stage is its area", () => {
  // 0 -> 100/s over 2 s: 100 arrivals; 100/s for 1 s: 100; 100 -> 0 over 2 s: 100.
  const times = Array.from({ length: 300 }, (_, k) => arrivalAt(RAMP, k));
  assert.equal(times.filter((t) => t < 2000).length, 100);
  assert.equal(times.filter((t) => t >= 2000 && t < 3000).length, 100);
  assert.equal(times.filter((t) => t >= 3000 && t < 5000).length, 100);
  for (let k = 1; k < times.length; k++) assert.ok(times[k] > times[k - 1], `slot ${k} in order`);
  assert.equal(arrivalAt(RAMP, 300), Infinity);
  // From a start rate: 10/s flat is one arrival every 100 ms.
  assert.equal(arrivalAt([{ durationMs: 1000, target: 10 }], 3, 10), 300);
});

Deno.test("staged schedules of several workers interleave into the run's arrivals", () => {
  const workers = 3;
  const all: number[] = [];
  for (let index = 0; index < workers; index++) {
    const schedule = new StartSchedule({
      rate: 1,
      rateOffsetMs: 0,
      durationMs: stagesDurationMs(RAMP),
      sessions: null,
      stages: RAMP,
      firstSlot: index,
      stride: workers,
    }, 0);
    while (schedule.due(Infinity)) all.push(schedule.start());
  }
  // Ramping from 1/s adds 1 arrival per second of the 5 s.
  const expected = Array.from({ length: 305 }, (_, k) => arrivalAt(RAMP, k, 1)).filter((t) =>
    t < 5000
  );
  assert.deepEqual(all.sort((a, b) => a - b), expected);
});

Deno.test("shareOf splits a whole target over workers, the first taking the rest", () => {
  assert.deepEqual([0, 1, 2, 3].map((i) => shareOf(10, i, 4)), [3, 3, 2, 2]);
  assert.deepEqual([0, 1].map((i) => shareOf(0.4, i, 2)), [0, 0]);
  assert.deepEqual([0, 1].map((i) => shareOf(2.6, i, 2)), [2, 1]);
});
