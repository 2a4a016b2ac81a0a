import assert from "node:assert/strict";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { TraceSample, traceShare } from "../../lib/engine/trace_sample.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const recordOf = (i: number): SessionRecord => ({
  outcome: "clean",
  phase: "close",
  connectCalledAt: 1_700_000_000_000 + i,
  bytesReceived: i,
  errors: [],
});

/** A seeded generator (mulberry32), so the sample is the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("trace sample: bounded, and uniform over the whole run, not its start", () => {
  const sample = new TraceSample(1000, seeded(7));
  for (let i = 0; i < 100_000; i++) sample.offer(recordOf(i));
  assert.equal(sample.seen, 100_000);
  assert.equal(sample.records.length, 1000);
  const indexes = sample.records.map((r) => r.bytesReceived);
  const lastTenth = indexes.filter((i) => i >= 90_000).length;
  // Binomial(1000, 0.1): 100 +- 9.5; 60..140 is over 4 standard deviations.
  assert.ok(lastTenth > 60 && lastTenth < 140, `${lastTenth} of 1000 from the last tenth`);
  const mean = indexes.reduce((s, i) => s + i, 0) / indexes.length;
  assert.ok(Math.abs(mean - 50_000) < 5_000, `mean index ${mean}`);
});

Deno.test("trace sample: the workers' shares add up to the limit", () => {
  for (const [limit, workers] of [[10_000, 3], [7, 4], [1, 2]]) {
    const shares = Array.from({ length: workers }, (_, i) => traceShare(limit, i, workers)!);
    assert.equal(shares.reduce((s, n) => s + n, 0), limit);
  }
});

Deno.test("trace sample: a run keeps its limit over every worker and says how many ran", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, {
    sessions: 300,
    concurrency: 8,
    workers: 4,
    traceLimit: 50,
  }).run();
  const trace = result.tally.trace!;
  assert.equal(trace.seen, 300);
  assert.equal(trace.records.length, 50);
  for (const record of trace.records) {
    assert.equal(record.outcome, "clean");
    assert.ok(record.start! > 1e12 && record.localPort! > 0 && record.handshakeUs! > 0);
    assert.equal(record.kernel !== undefined, result.engine === "raw");
  }
});
