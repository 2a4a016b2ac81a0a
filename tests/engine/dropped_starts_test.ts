import assert from "node:assert/strict";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

// Runs on the engine SYNFIN_ENGINE names (the suite runs once per engine).
const QUICK = { closeTimeoutMs: 300, connectTimeoutMs: 2000 };

Deno.test("open loop: starts due while the in-flight cap is reached are dropped and counted", async () => {
  // 200/s for 500 ms is 100 intended starts; each session dwells 100 ms and
  // at most 2 are in flight, so about 10 can start and about 90 must drop.
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, {
    ...QUICK,
    rate: 200,
    concurrency: 2,
    durationMs: 500,
    holdMs: 100,
  }).run();
  const { sessions, droppedStarts, intendedStarts } = result.tally;
  assert.ok(droppedStarts > 50, `${droppedStarts} dropped of ${intendedStarts}`);
  assert.equal(sessions + droppedStarts, intendedStarts);
  // One slot of slack per worker: workers interleave their schedules.
  const workers = result.maxInFlightPerEventLoop.length;
  assert.ok(Math.abs(intendedStarts - 100) <= workers, `${intendedStarts} intended`);
  assert.equal(result.tally.outcomes.clean, sessions);
});

Deno.test("open loop: a count bound counts dropped starts towards it", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, {
    ...QUICK,
    rate: 200,
    concurrency: 1,
    workers: 1,
    sessions: 40,
    holdMs: 60,
  }).run();
  const { sessions, droppedStarts, intendedStarts } = result.tally;
  assert.equal(intendedStarts, 40);
  assert.equal(sessions + droppedStarts, 40);
  assert.ok(droppedStarts > 20, `${droppedStarts} dropped`);
  assert.equal(result.stoppedBy, "sessions");
});

Deno.test("open loop: no start drops when the cap is ample", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, {
    ...QUICK,
    rate: 100,
    concurrency: 50,
    durationMs: 300,
  }).run();
  const { sessions, droppedStarts, intendedStarts } = result.tally;
  assert.equal(droppedStarts, 0);
  assert.equal(intendedStarts, sessions);
  assert.ok(Math.abs(sessions - 30) <= result.maxInFlightPerEventLoop.length, `${sessions}`);
});

Deno.test("closed loop has no start schedule: nothing intended, nothing dropped", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, { ...QUICK, sessions: 20, concurrency: 2 })
    .run();
  assert.equal(result.tally.droppedStarts, 0);
  assert.equal(result.tally.intendedStarts, 0);
});
