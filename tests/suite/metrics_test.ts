import assert from "node:assert/strict";
import {
  knownMetricKind,
  knownMetricNames,
  type Metric,
  metricsFromLoadSummary,
  PHASE_STATS,
  SOCKET_METRICS,
  summaryMetricKind,
} from "../../lib/suite/metrics.ts";
import { OUTCOMES } from "../../lib/engine/outcome.ts";
import { SessionTally, TIMED_PHASES } from "../../lib/engine/tally.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import { evaluateThresholds, parseThreshold } from "../../lib/suite/threshold.ts";
import { bimodalRecords, loadResult, tallyOf } from "../support/load_fixtures.ts";

/** 1,008 sessions with a payload: every timed phase has values; 5 resets got no byte back. */
function payloadMetrics() {
  return metricsFromLoadSummary(
    summarizeLoad(loadResult(tallyOf(bimodalRecords({ payload: true }), true))),
  );
}

Deno.test("a load summary gives stats and a count per phase, outcomes and totals", () => {
  const metrics = payloadMetrics();
  const expected = [
    // Without --tls the tls phase has no values: its count only.
    ...TIMED_PHASES.flatMap((phase) => [
      ...(phase === "tls" ? [] : PHASE_STATS.map((stat) => `${phase}.${stat}`)),
      `${phase}.count`,
    ]),
    ...OUTCOMES.map((outcome) => `outcome.${outcome}`),
    "sessions",
    "sessionsPerSecond",
    "noResponse",
    "droppedStarts",
    "errors",
  ];
  assert.deepEqual([...metrics.keys()], expected);
  assert.equal(metrics.size, 3 * 8 + 1 + 10 + 5);
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

Deno.test("addSocketMetrics adds the census and counter metrics of a summary", async (t) => {
  const { addSocketMetrics } = await import("../../lib/suite/metrics.ts");
  const { CENSUS_STATES } = await import("../../lib/census/census.ts");
  type Report = import("../../lib/census/socket_report.ts").SocketReport;
  type Counters = import("../../lib/census/kernel_counters.ts").KernelCounters;

  const tracks = (deltas: Record<string, Partial<Report["server"]["CLOSE_WAIT"]>>) =>
    Object.fromEntries(CENSUS_STATES.map((state) => [state, {
      baseline: 0,
      peak: 0,
      end: 0,
      drained: 0,
      ...deltas[state],
    }])) as Report["server"];
  const counters: Counters = {
    listenOverflows: 11,
    listenDrops: 12,
    tcpSynRetrans: 13,
    syncookiesSent: 14,
    syncookiesRecv: 15,
    syncookiesFailed: 16,
    tcpReqQFullDoCookies: 17,
    tcpReqQFullDrop: 18,
    retransSegs: 19,
    tcpTimeWaitOverflow: 0,
  };
  const report = (more: Partial<Report> = {}): Report => ({
    available: true,
    source: "local /proc/net/tcp",
    testerSource: "local /proc/net/tcp",
    intervalMs: 250,
    samples: 5,
    readErrors: 0,
    drainWindowMs: 1000,
    drainedAfterMs: 1000,
    server: tracks({ CLOSE_WAIT: { peak: 9, end: 8, drained: 7 }, TIME_WAIT: { peak: 6 } }),
    tester: tracks({ TIME_WAIT: { peak: 40, end: 30 } }),
    acceptQueue: null,
    halfOpen: 3,
    counters,
    series: [],
    ...more,
  });
  const summary = (
    sockets?: Report | import("../../lib/census/socket_report.ts").SocketsUnavailable,
  ) => {
    const base = summarizeLoad(loadResult(tallyOf(bimodalRecords())));
    return sockets === undefined ? base : { ...base, sockets };
  };
  /** The metrics a load summary does not provide. */
  const added = (metrics: Map<string, Metric>) =>
    Object.fromEntries([...metrics].filter(([name]) => summaryMetricKind(name) === undefined));
  const count = (value: number): Metric => ({ kind: "count", value });

  await t.step("a local census: every metric, as counts", () => {
    const metrics = payloadMetrics();
    const before = metrics.size;
    const returned = addSocketMetrics(metrics, summary(report()));
    assert.equal(returned, metrics, "it adds to the set it is given");
    assert.deepEqual(added(metrics), {
      "server.closeWait": count(7),
      "server.timeWait": count(6),
      "tester.timeWait": count(40),
      "halfOpen": count(3),
      "listenOverflows": count(11),
      "listenDrops": count(12),
      "synRetrans": count(13),
      "syncookiesSent": count(14),
    });
    assert.equal(metrics.size, before + 8);
    // What a threshold may name before the run: every one of them.
    assert.deepEqual(Object.keys(added(metrics)), [...SOCKET_METRICS]);
  });

  await t.step(
    "server.closeWait counts the run's new CLOSE_WAIT by identity, not the delta",
    () => {
      // 50 old CLOSE_WAIT before the run, 46 of them reset by reused ports, 4
      // new leaks: the delta reads -42, the identity ledger 4 (issue 11, defect 5).
      const sockets = report({
        server: tracks({ CLOSE_WAIT: { drained: -42 } }),
        closeWait: {
          byInode: true,
          baseline: 50,
          baselineGone: 46,
          added: 4,
          queued: 0,
          justAccepted: 0,
        },
      });
      const metrics = addSocketMetrics(new Map(), summary(sockets));
      assert.deepEqual(metrics.get("server.closeWait"), count(4));
    },
  );

  await t.step("deltas below the baseline read 0", () => {
    const sockets = report({
      server: tracks({ CLOSE_WAIT: { drained: -2 }, TIME_WAIT: { peak: -5 } }),
      tester: tracks({ TIME_WAIT: { peak: -1 } }),
    });
    const metrics = addSocketMetrics(new Map(), summary(sockets));
    assert.deepEqual(metrics.get("server.closeWait"), count(0));
    assert.deepEqual(metrics.get("server.timeWait"), count(0));
    assert.deepEqual(metrics.get("tester.timeWait"), count(0));
  });

  await t.step("no tester table: no tester.timeWait", () => {
    const metrics = addSocketMetrics(new Map(), summary(report({ tester: null })));
    assert.equal(metrics.has("tester.timeWait"), false);
    assert.deepEqual(metrics.get("server.closeWait"), count(7));
  });

  await t.step("a remote server: no counters", () => {
    const metrics = addSocketMetrics(new Map(), summary(report({ counters: null })));
    assert.deepEqual([...metrics.keys()], [
      "server.closeWait",
      "server.timeWait",
      "tester.timeWait",
      "halfOpen",
    ]);
  });

  await t.step("no census but the counters: the counters only", () => {
    const metrics = addSocketMetrics(
      new Map(),
      summary({ available: false, reason: "ss failed", counters }),
    );
    assert.deepEqual(Object.fromEntries(metrics), {
      listenOverflows: count(11),
      listenDrops: count(12),
      synRetrans: count(13),
      syncookiesSent: count(14),
    });
  });

  await t.step("no census and no counters, or no sockets at all: nothing added", () => {
    const unavailable = summary({ available: false, reason: "census turned off", counters: null });
    assert.equal(addSocketMetrics(new Map(), unavailable).size, 0);
    assert.equal(addSocketMetrics(new Map(), summary()).size, 0);
    const metrics = payloadMetrics();
    assert.equal(addSocketMetrics(metrics, summary()).size, 3 * 8 + 1 + 10 + 5);
  });

  await t.step("thresholds read the added metrics", () => {
    const metrics = addSocketMetrics(payloadMetrics(), summary(report()));
    const results = evaluateThresholds(
      ["server.closeWait==0", "halfOpen<=3", "listenOverflows==0"].map(parseThreshold),
      metrics,
    );
    assert.deepEqual(results.map((r) => [r.passed, r.message]), [
      [false, "server.closeWait = 7, limit == 0: over by 7"],
      [true, "halfOpen = 3, limit <= 3: ok"],
      [false, "listenOverflows = 11, limit == 0: over by 11"],
    ]);
  });
});

Deno.test("droppedStarts is a share of the open loop's intended starts", () => {
  const tally = tallyOf(bimodalRecords());
  tally.countStarts({ intended: 2000, dropped: 992 });
  const open = { concurrency: 10, sessions: null, durationMs: 2000, rate: 1000 };
  const metrics = metricsFromLoadSummary(summarizeLoad(loadResult(tally, { shape: open })));
  assert.deepEqual(metrics.get("droppedStarts"), { kind: "share", value: 992, total: 2000 });
  const closed = metricsFromLoadSummary(summarizeLoad(loadResult(tallyOf(bimodalRecords()))));
  assert.deepEqual(closed.get("droppedStarts"), { kind: "share", value: 0, total: 0 });
  assert.equal(knownMetricKind("droppedStarts"), "share");
});

Deno.test("knownMetricNames lists every metric a check run provides, server.* included", () => {
  const names = knownMetricNames();
  const fromSummary = [...payloadMetrics().keys()];
  for (const name of [...fromSummary, ...SOCKET_METRICS]) {
    assert.ok(names.includes(name), `${name} is not listed`);
  }
  assert.equal(new Set(names).size, names.length, "no name twice");
  // and `checks`, which only a scripted run provides, and what only --tls
  // does: the tls phase's stats, tls.closeNotify and tls.bareFin.
  assert.ok(names.includes("checks") && names.includes("tls.p99") && names.includes("tls.bareFin"));
  assert.equal(names.length, fromSummary.length + SOCKET_METRICS.length + 1 + 7 + 2);
  assert.equal(knownMetricKind("server.closeWait"), "count");
  assert.equal(knownMetricKind("handshake.p99.9"), "duration");
  assert.equal(knownMetricKind("outcome.no-fin"), "share");
  assert.equal(knownMetricKind("server.closewait"), undefined);
  assert.equal(knownMetricKind("handshake.p999"), undefined);
});

Deno.test("a scripted run's checks and marks are metrics, tag filters included", () => {
  const tally = new SessionTally();
  for (const us of [1000, 2000, 30_000]) {
    tally.add({
      outcome: "clean",
      phase: "close",
      bytesReceived: 0,
      errors: [],
      marks: [{ key: "login{region:eu}", us }],
    });
  }
  tally.addChecks([
    { name: "pong", passes: 99, fails: 1 },
    { name: "pong", tags: { cmd: "PING" }, passes: 10, fails: 0 },
  ]);
  const metrics = metricsFromLoadSummary(summarizeLoad(loadResult(tally)));
  assert.deepEqual(metrics.get("checks"), { kind: "share", value: 109, total: 110 });
  assert.deepEqual(metrics.get("check.pong"), { kind: "share", value: 99, total: 100 });
  assert.deepEqual(metrics.get("check.pong{cmd:PING}"), { kind: "share", value: 10, total: 10 });
  assert.equal(metrics.get("mark.login{region:eu}.count")?.value, 3);
  const results = evaluateThresholds(
    ["checks>99%", "check.pong{cmd:PING}==100%", "mark.login{region:eu}.p50<5ms"]
      .concat(["mark.login{region:eu}.max<5ms", "mark.login.p99<5ms"]).map(parseThreshold),
    metrics,
  );
  assert.deepEqual(results.map((r) => r.passed), [true, true, true, false, false]);
  // Known before the run, by their pattern, with their kinds.
  assert.equal(knownMetricKind("checks"), "share");
  assert.equal(knownMetricKind("check.anything"), "share");
  assert.equal(knownMetricKind("mark.login{region:eu}.p99.9"), "duration");
  assert.equal(knownMetricKind("mark.login.count"), "count");
  assert.equal(knownMetricKind("mark.login.p999"), undefined);
  assert.equal(knownMetricKind("check."), undefined);
});
