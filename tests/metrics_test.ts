import assert from "node:assert/strict";
import {
  type Metric,
  metricsFromLoadSummary,
  PHASE_STATS,
  summaryMetricKind,
} from "../lib/metrics.ts";
import { OUTCOMES } from "../lib/outcome.ts";
import { SessionTally, TIMED_PHASES } from "../lib/session_tally.ts";
import { summarizeLoad } from "../lib/summary.ts";
import { evaluateThresholds, parseThreshold } from "../lib/threshold.ts";
import { bimodalRecords, loadResult, tallyOf } from "./support/load_fixtures.ts";

/** 1,008 sessions with a payload: every timed phase has values; 5 resets got no byte back. */
function payloadMetrics() {
  return metricsFromLoadSummary(
    summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }), true))),
  );
}

Deno.test("a load summary gives stats and a count per phase, outcomes and totals", () => {
  const metrics = payloadMetrics();
  const expected = [
    ...TIMED_PHASES.flatMap((phase) => [
      ...PHASE_STATS.map((stat) => `${phase}.${stat}`),
      `${phase}.count`,
    ]),
    ...OUTCOMES.map((outcome) => `outcome.${outcome}`),
    "sessions",
    "sessionsPerSecond",
    "noResponse",
    "errors",
  ];
  assert.deepEqual([...metrics.keys()], expected);
  assert.equal(metrics.size, 3 * 8 + 9 + 4);
});

Deno.test("metric values come from the summary", async (t) => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }), true)));
  const metrics = metricsFromLoadSummary(summary);
  const get = (name: string): Metric => {
    const metric = metrics.get(name);
    assert.ok(metric, name);
    return metric;
  };

  await t.step("phase stats are durations in microseconds", () => {
    assert.deepEqual(get("handshake.min"), { kind: "duration", value: 30 });
    assert.deepEqual(get("handshake.p50"), { kind: "duration", value: 30 });
    assert.deepEqual(get("handshake.p90"), { kind: "duration", value: 30 });
    assert.deepEqual(get("handshake.p99"), { kind: "duration", value: 40 });
    assert.equal(get("handshake.p99.9").value, summary.phases.handshake.p999Us);
    assert.ok(Math.abs(get("handshake.p99.9").value - 1_000_000) <= 1000);
    assert.equal(get("handshake.mean").value, summary.phases.handshake.meanUs);
    assert.equal(get("handshake.max").value, summary.phases.handshake.maxUs);
    assert.deepEqual(get("firstByte.p50"), { kind: "duration", value: 150 });
    assert.deepEqual(get("close.max"), { kind: "duration", value: 80 });
  });

  await t.step("phase counts are counts", () => {
    assert.deepEqual(get("handshake.count"), { kind: "count", value: 1005 });
    assert.deepEqual(get("firstByte.count"), { kind: "count", value: 1000 });
    assert.deepEqual(get("close.count"), { kind: "count", value: 1000 });
  });

  await t.step("every outcome is a share of all sessions, zeros included", () => {
    assert.deepEqual(get("outcome.clean"), { kind: "share", value: 1000, total: 1008 });
    assert.deepEqual(get("outcome.reset"), { kind: "share", value: 5, total: 1008 });
    assert.deepEqual(get("outcome.refused"), { kind: "share", value: 3, total: 1008 });
    assert.deepEqual(get("outcome.no-fin"), { kind: "share", value: 0, total: 1008 });
    assert.deepEqual(get("outcome.server-closed-first"), { kind: "share", value: 0, total: 1008 });
  });

  await t.step("totals", () => {
    assert.deepEqual(get("sessions"), { kind: "count", value: 1008 });
    assert.deepEqual(get("sessionsPerSecond"), { kind: "count", value: 504 });
    assert.deepEqual(get("noResponse"), { kind: "share", value: 5, total: 1008 });
    // 5 ECONNRESET reads and 3 ECONNREFUSED connects.
    assert.deepEqual(get("errors"), { kind: "count", value: 8 });
  });
});

Deno.test("a phase with no values has a zero count and no stats", async (t) => {
  await t.step("no payload: no first byte", () => {
    const metrics = metricsFromLoadSummary(summarizeLoad(loadResult(tallyOf(bimodalRecords()))));
    assert.deepEqual(metrics.get("firstByte.count"), { kind: "count", value: 0 });
    for (const stat of PHASE_STATS) assert.equal(metrics.has(`firstByte.${stat}`), false, stat);
    assert.equal(metrics.get("handshake.p50")?.value, 30);
  });

  await t.step("no sessions at all", () => {
    const metrics = metricsFromLoadSummary(
      summarizeLoad(loadResult(new SessionTally(), { durationMs: 0 })),
    );
    for (const phase of TIMED_PHASES) {
      assert.deepEqual(metrics.get(`${phase}.count`), { kind: "count", value: 0 });
      assert.equal(metrics.has(`${phase}.p99`), false);
    }
    assert.deepEqual(metrics.get("outcome.reset"), { kind: "share", value: 0, total: 0 });
    assert.deepEqual(metrics.get("sessions"), { kind: "count", value: 0 });
    assert.deepEqual(metrics.get("errors"), { kind: "count", value: 0 });
  });

  await t.step("a threshold on the missing stats fails instead of reading 0us", () => {
    const metrics = metricsFromLoadSummary(summarizeLoad(loadResult(tallyOf(bimodalRecords()))));
    const [result] = evaluateThresholds([parseThreshold("firstByte.p99<1ms")], metrics);
    assert.equal(result.passed, false);
    assert.equal(
      result.message,
      'no metric "firstByte.p99": firstByte recorded no values (firstByte.count = 0)',
    );
  });
});

Deno.test("the set is open: other code adds metrics that thresholds then see", () => {
  const metrics = payloadMetrics();
  metrics.set("server.closeWait", { kind: "count", value: 2 });
  const [ok, failed] = evaluateThresholds(
    [parseThreshold("server.closeWait<=2"), parseThreshold("server.closeWait==0")],
    metrics,
  );
  assert.equal(ok.passed, true);
  assert.equal(failed.passed, false);
  assert.equal(failed.message, "server.closeWait = 2, limit == 0: over by 2");
});

Deno.test("summaryMetricKind knows every summary metric's kind by name", async (t) => {
  await t.step("it agrees with metricsFromLoadSummary", () => {
    for (const [name, metric] of payloadMetrics()) {
      assert.equal(summaryMetricKind(name), metric.kind, name);
    }
  });
  await t.step("it does not guess other names", () => {
    for (
      const name of [
        "server.closeWait",
        "handshake.p98",
        "handshake",
        "handshake.",
        "hold.p99",
        "outcome.",
        "outcome.resets",
        "outcome",
        "Sessions",
        "toString",
        "constructor",
        "",
      ]
    ) {
      assert.equal(summaryMetricKind(name), undefined, JSON.stringify(name));
    }
  });
});
