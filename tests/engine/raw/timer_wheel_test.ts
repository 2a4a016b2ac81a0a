/** Tests for lib/engine/raw/timer_wheel.ts. */

import assert from "node:assert/strict";
import { TimerWheel } from "../../../lib/engine/raw/timer_wheel.ts";

function fired(wheel: TimerWheel, nowMs: number): number[] {
  const ids: number[] = [];
  wheel.advance(nowMs, (id) => ids.push(id));
  return ids;
}

Deno.test("TimerWheel fires a timer at its due time, never before", () => {
  const wheel = new TimerWheel(100);
  wheel.arm(105.2, 1, 0);
  assert.deepEqual(fired(wheel, 105), []);
  assert.deepEqual(fired(wheel, 105.9), []);
  assert.deepEqual(fired(wheel, 106), [1]);
  assert.equal(wheel.armed, 0);
});

Deno.test("TimerWheel fires in due order across buckets, and each timer once", () => {
  const wheel = new TimerWheel(0, 1, 16);
  wheel.arm(3, 3, 0);
  wheel.arm(1, 1, 0);
  wheel.arm(2, 2, 0);
  assert.deepEqual(fired(wheel, 10), [1, 2, 3]);
  assert.deepEqual(fired(wheel, 100), []);
});

Deno.test("TimerWheel keeps timers longer than one turn for their round", () => {
  const wheel = new TimerWheel(0, 1, 8);
  wheel.arm(3, 1, 0);
  wheel.arm(11, 2, 0); // same bucket as 3, one turn later
  assert.deepEqual(fired(wheel, 3), [1]);
  assert.deepEqual(fired(wheel, 10), []);
  assert.deepEqual(fired(wheel, 11), [2]);
});

Deno.test("TimerWheel catches up after a long gap without losing timers", () => {
  const wheel = new TimerWheel(0, 1, 8);
  for (let i = 1; i <= 50; i++) wheel.arm(i, i, 0);
  assert.deepEqual(
    fired(wheel, 1000).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  assert.equal(wheel.armed, 0);
});

Deno.test("TimerWheel passes the generation through, and a timer armed while firing waits", () => {
  const wheel = new TimerWheel(0);
  wheel.arm(1, 7, 42);
  const seen: [number, number][] = [];
  wheel.advance(1, (id, generation) => {
    seen.push([id, generation]);
    wheel.arm(1, 8, 43); // due now, but armed during the expiry: the next tick at the earliest
  });
  assert.deepEqual(seen, [[7, 42]]);
  assert.deepEqual(fired(wheel, 1), []);
  assert.deepEqual(fired(wheel, 2), [8]);
});
