import assert from "node:assert/strict";
import { IntervalHistograms } from "../../lib/engine/interval_histograms.ts";
import { LatencyHistogram } from "../../lib/engine/histogram.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { SessionTally } from "../../lib/engine/tally.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

/** The sum of every second's histogram of `series`. */
function total(intervals: IntervalHistograms, series: string): LatencyHistogram {
  const sum = new LatencyHistogram();
  for (const second of intervals.seconds) {
    const histogram = intervals.at(second).get(series);
    if (histogram) sum.add(histogram);
  }
  return sum;
}

Deno.test("intervals: merged second by second, exactly, whatever the order", () => {
  const a = new IntervalHistograms();
  const b = new IntervalHistograms();
  const truth = new Map<number, LatencyHistogram>();
  for (let i = 0; i < 3000; i++) {
    const second = 100 + Math.floor(i / 1000);
    const us = 20 + ((i * 7919) % 5000);
    (i % 2 === 0 ? a : b).record(second, "handshake", us);
    if (!truth.has(second)) truth.set(second, new LatencyHistogram());
    truth.get(second)!.record(us);
  }
  const merged = new IntervalHistograms();
  merged.merge(b.encode());
  merged.merge(a.encode());
  assert.deepEqual(merged.seconds, [100, 101, 102]);
  for (const [second, histogram] of truth) {
    assert.deepEqual(merged.at(second).get("handshake")!.stats(), histogram.stats());
  }
});

Deno.test("intervals: a tally keeps them only when asked, and merges them across tallies", () => {
  const record = {
    outcome: "clean" as const,
    phase: "close" as const,
    handshakeUs: 40,
    closeUs: 90,
    bytesReceived: 0,
    errors: [],
  };
  const plain = new SessionTally();
  plain.add(record);
  assert.equal(plain.intervals, undefined);
  assert.equal(plain.encode().intervals, undefined, "no key without the option");
  const asked = new SessionTally({ intervalHistograms: true });
  asked.add(record);
  asked.add({ ...record, closeUs: undefined, outcome: "no-fin" });
  const merged = new SessionTally();
  merged.merge(asked.encode());
  merged.merge(asked.encode());
  assert.equal(total(merged.intervals!, "handshake").count, 4);
  assert.equal(total(merged.intervals!, "close").count, 2);
});

Deno.test("intervals: a run over generator processes sums to the whole run's histograms", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, {
    sessions: 200,
    concurrency: 8,
    generators: 2,
    intervalHistograms: true,
  }).run();
  assert.equal(result.tally.sessions, 200);
  for (const phase of ["handshake", "close"] as const) {
    assert.deepEqual(
      total(result.tally.intervals!, phase).stats(),
      result.tally.histograms[phase].stats(),
    );
  }
});
