import assert from "node:assert/strict";
import { LatencyHistogram } from "../../lib/engine/histogram.ts";
import { OUTCOMES } from "../../lib/engine/outcome.ts";
import { SessionTally, TIMED_PHASES } from "../../lib/engine/tally.ts";
import { type LoadSummary, summarizeLoad, SUMMARY_VERSION } from "../../lib/census/load_summary.ts";
import { parseTarget } from "../../lib/base/target.ts";
import { bimodalRecords, loadResult, tallyOf } from "../support/load_fixtures.ts";

const PHASE_KEYS = [
  "count",
  "histogram",
  "maxUs",
  "meanUs",
  "minUs",
  "p50Us",
  "p90Us",
  "p999Us",
  "p99Us",
];

Deno.test("the summary has version 1 and describes the run", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }))));
  assert.equal(SUMMARY_VERSION, 1);
  assert.equal(summary.version, 1);
  assert.equal(summary.target, "127.0.0.1:8080");
  assert.equal(summary.startedAt, "2024-01-02T03:04:05.678Z");
  assert.equal(summary.durationMs, 2000);
  assert.equal(summary.sessions, 1008);
  assert.equal(summary.sessionsPerSecond, 504); // 1008 / 2.0004 s, rounded
  assert.equal(summary.stoppedBy, "duration");
  assert.equal(summary.noResponse, 0);
  assert.deepEqual(summary.load, {
    loop: "closed",
    concurrency: 100,
    rate: null,
    sessionsLimit: null,
    durationLimitMs: 2000,
    holdMs: 0,
    sendBytes: 0,
    connectTimeoutMs: 3000,
    closeTimeoutMs: 2000,
    engine: "deno",
    maxInFlightPerEventLoop: [50, 50],
  });
  // A closed loop has no start schedule: nothing intended, nothing dropped.
  assert.equal(summary.intendedStarts, null);
  assert.equal(summary.droppedStarts, 0);
  assert.deepEqual(Object.keys(summary).sort(), [
    "droppedStarts",
    "durationMs",
    "errors",
    "intendedStarts",
    "kernel",
    "load",
    "noResponse",
    "outcomes",
    "phases",
    "sessions",
    "sessionsPerSecond",
    "startedAt",
    "stoppedBy",
    "target",
    "tester",
    "timeSeries",
    "version",
  ]);
});

Deno.test("the summary lists every outcome, zeros included", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }))));
  assert.deepEqual(Object.keys(summary.outcomes), [...OUTCOMES]);
  assert.deepEqual(summary.outcomes, {
    "clean": 1000,
    "server-closed-first": 0,
    "reset": 5,
    "no-fin": 0,
    "refused": 3,
    "connect-timeout": 0,
    "tester-limit": 0,
    "interrupted": 0,
    "aborted": 0,
    "error": 0,
  });
  const empty = summarizeLoad(loadResult(new SessionTally()));
  assert.deepEqual(Object.keys(empty.outcomes), [...OUTCOMES]);
  assert.ok(Object.values(empty.outcomes).every((count) => count === 0));
});

Deno.test("the summary has every timed phase with stats and an HDR histogram", () => {
  const tally = tallyOf(bimodalRecords({ payload: true }));
  const summary = summarizeLoad(loadResult(tally));
  assert.deepEqual(Object.keys(summary.phases), [...TIMED_PHASES]);
  for (const phase of TIMED_PHASES) {
    assert.deepEqual(Object.keys(summary.phases[phase]).sort(), PHASE_KEYS, phase);
    assert.match(summary.phases[phase].histogram, /^HISTF/, phase);
  }
  const { histogram: _h, ...handshake } = summary.phases.handshake;
  assert.deepEqual(handshake, tally.histograms.handshake.stats());
  assert.equal(handshake.count, 1005);
  assert.equal(handshake.minUs, 30);
  assert.equal(handshake.p50Us, 30);
  assert.equal(handshake.p90Us, 30);
  assert.equal(handshake.p99Us, 40);
  assert.ok(Math.abs(handshake.p999Us - 1_000_000) <= 1000, `p99.9 ${handshake.p999Us}`);
  assert.equal(summary.phases.firstByte.count, 1000);
  assert.equal(summary.phases.firstByte.p50Us, 150);
  assert.deepEqual(
    [summary.phases.close.count, summary.phases.close.minUs, summary.phases.close.maxUs],
    [1000, 80, 80],
  );
});

Deno.test("each phase's histogram decodes back to the same count and percentiles", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }))));
  for (const phase of TIMED_PHASES) {
    const { histogram, ...stats } = summary.phases[phase];
    const decoded = LatencyHistogram.decode(histogram).stats();
    assert.equal(decoded.count, stats.count, phase);
    assert.deepEqual(
      [decoded.p50Us, decoded.p90Us, decoded.p99Us, decoded.p999Us, decoded.meanUs],
      [stats.p50Us, stats.p90Us, stats.p99Us, stats.p999Us, stats.meanUs],
      phase,
    );
  }
  assert.equal(
    LatencyHistogram.decode(summary.phases.handshake.histogram).countAtOrAbove(1_000_000),
    10,
  );
});

Deno.test("the summary's errors are grouped by phase and errno", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }))));
  assert.deepEqual(summary.errors, [
    { phase: "close", errno: "ECONNRESET", count: 5 },
    { phase: "handshake", errno: "ECONNREFUSED", count: 3 },
  ]);
  assert.deepEqual(summarizeLoad(loadResult(new SessionTally())).errors, []);
});

Deno.test("the summary round-trips through JSON", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }), true)));
  const json = JSON.stringify(summary);
  const parsed = JSON.parse(json) as LoadSummary;
  assert.deepEqual(parsed, summary);
  assert.equal(JSON.stringify(parsed), json);
  assert.equal(parsed.noResponse, 5); // the resets connected, sent, and got nothing back
});

Deno.test("the summary is a snapshot of the tally", () => {
  const tally = tallyOf(bimodalRecords({ payload: true }));
  const summary = summarizeLoad(loadResult(tally));
  const before = JSON.stringify(summary);
  tally.add(bimodalRecords({ payload: true })[1000]);
  assert.equal(JSON.stringify(summary), before);
});

Deno.test("an open-loop run with a payload and a hold", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }), true), {
    target: parseTarget("[::1]:9000"),
    stoppedBy: "sessions",
    shape: { concurrency: 200, sessions: 1008, durationMs: null, rate: 500 },
    session: {
      send: new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"),
      holdMs: 250,
      connectTimeoutMs: 1000,
      closeTimeoutMs: 500,
    },
    maxInFlightPerEventLoop: [100, 98],
  }));
  assert.equal(summary.target, "[::1]:9000");
  assert.equal(summary.stoppedBy, "sessions");
  assert.deepEqual(summary.load, {
    loop: "open",
    concurrency: 200,
    rate: 500,
    sessionsLimit: 1008,
    durationLimitMs: null,
    holdMs: 250,
    sendBytes: 18,
    connectTimeoutMs: 1000,
    closeTimeoutMs: 500,
    engine: "deno",
    maxInFlightPerEventLoop: [100, 98],
  });
});

Deno.test("a zero-length run reports 0 sessions per second", () => {
  const summary = summarizeLoad(loadResult(new SessionTally(), { durationMs: 0 }));
  assert.equal(summary.sessionsPerSecond, 0);
  assert.equal(summary.sessions, 0);
  assert.equal(summary.durationMs, 0);
  for (const phase of TIMED_PHASES) {
    assert.equal(summary.phases[phase].count, 0);
    assert.equal(LatencyHistogram.decode(summary.phases[phase].histogram).count, 0);
  }
});

Deno.test("a tally merged from workers gives ordered stats (min <= p50 <= ... <= max)", () => {
  // As the runner builds it: each worker encodes, the runner merges.
  const records = bimodalRecords({ payload: true });
  const tally = new SessionTally();
  tally.merge(tallyOf(records.slice(0, 500)).encode());
  tally.merge(tallyOf(records.slice(500)).encode());
  const summary = summarizeLoad(loadResult(tally));
  assert.equal(summary.sessions, 1008);
  for (const phase of TIMED_PHASES) {
    const s = summary.phases[phase];
    const ordered = [s.minUs, s.p50Us, s.p90Us, s.p99Us, s.p999Us, s.maxUs];
    assert.deepEqual([...ordered].sort((a, b) => a - b), ordered, phase);
  }
  assert.deepEqual(summary.outcomes, summarizeLoad(loadResult(tallyOf(records))).outcomes);
});
