import assert from "node:assert/strict";
import { SATURATED_LOOP_BUSY, testerSaturation } from "../../lib/engine/tester_saturation.ts";
import type { TesterUsage } from "../../lib/engine/load.ts";

const usage = (eventLoops?: TesterUsage["eventLoops"]): TesterUsage => ({
  rssBeforeBytes: 0,
  rssPeakBytes: 0,
  peakInFlight: 0,
  bytesPerSessionInFlight: null,
  fdLimit: null,
  ...(eventLoops && { eventLoops }),
});

Deno.test("a loop busy at the threshold is saturated, one just under it is not", () => {
  const at = SATURATED_LOOP_BUSY * 1000;
  assert.deepEqual(testerSaturation(usage([{ cpuMs: 1, wallMs: 1000, idleMs: 1000 - at }])), [
    SATURATED_LOOP_BUSY,
  ]);
  assert.equal(testerSaturation(usage([{ cpuMs: 1, wallMs: 1000, idleMs: 1000 - at + 1 }])), null);
});

Deno.test("busy is the time out of epoll_wait, not the CPU: a loop starved of cores still set the pace", () => {
  // 84% of a core, 2% waiting: the rest it was ready to run while the server had the cores.
  assert.deepEqual(testerSaturation(usage([{ cpuMs: 840, wallMs: 1000, idleMs: 20 }])), [0.98]);
});

Deno.test("a loop without its idle time (scripted sessions) is judged by its CPU share", () => {
  assert.deepEqual(testerSaturation(usage([{ cpuMs: 950, wallMs: 1000 }])), [0.95]);
  assert.equal(testerSaturation(usage([{ cpuMs: 500, wallMs: 1000 }])), null);
});

Deno.test("no loops measured (the deno engine) or a zero-length run: no verdict", () => {
  assert.equal(testerSaturation(usage()), null);
  assert.equal(testerSaturation(usage([{ cpuMs: 0, wallMs: 0, idleMs: 0 }])), null);
});
