import assert from "node:assert/strict";
import { StartSchedule } from "../../lib/engine/start_schedule.ts";

Deno.test("a due slot with no room is dropped, not started late", () => {
  // 100/s from t=0: slots at 0, 10, 20, 30 ms.
  const schedule = new StartSchedule(
    { rate: 100, rateOffsetMs: 0, durationMs: 40, sessions: null },
    0,
  );
  assert.equal(schedule.due(0), true);
  assert.equal(schedule.start(), 0);
  assert.equal(schedule.due(5), false);
  assert.equal(schedule.next, 10);
  // At 25 ms the cap is still full: slots 10 and 20 are dropped, slot 30 starts on time.
  while (schedule.due(25)) schedule.drop();
  assert.equal(schedule.due(30), true);
  assert.equal(schedule.start(), 30);
  assert.equal(schedule.done, true, "no slot at or past the 40 ms deadline");
  assert.equal(schedule.next, Infinity);
  assert.deepEqual({ intended: schedule.intended, dropped: schedule.dropped }, {
    intended: 4,
    dropped: 2,
  });
});

Deno.test("a count bound ends the schedule after that many slots, started or dropped", () => {
  const schedule = new StartSchedule(
    { rate: 1000, rateOffsetMs: 2, durationMs: null, sessions: 5 },
    100,
  );
  assert.equal(schedule.due(101), false, "the offset delays the first slot");
  let started = 0;
  while (schedule.due(1000)) {
    if (started < 2) {
      schedule.start();
      started++;
    } else schedule.drop();
  }
  assert.equal(schedule.done, true);
  assert.equal(schedule.intended, 5);
  assert.equal(schedule.dropped, 3);
});

Deno.test("slots before the deadline still count when the loop wakes after it", () => {
  const schedule = new StartSchedule({
    rate: 100,
    rateOffsetMs: 0,
    durationMs: 100,
    sessions: null,
  }, 0);
  while (schedule.due(500)) schedule.drop();
  assert.equal(schedule.intended, 10);
  assert.equal(schedule.dropped, 10);
});
