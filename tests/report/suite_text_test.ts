/** Tests for lib/report/suite_text.ts on hand-built suite results. */
import assert from "node:assert/strict";
import type { CaseResult } from "../../lib/suite/result.ts";
import { findLingering } from "../../lib/census/findings.ts";
import type { MetricSet } from "../../lib/suite/metrics.ts";
import { renderSocketReport } from "../../lib/report/socket_text.ts";
import type { SocketsUnavailable } from "../../lib/census/socket_report.ts";
import type { SuiteResult } from "../../lib/suite/runner.ts";
import { renderSuiteReport, testerLimitLine, verdictLine } from "../../lib/report/suite_text.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import { renderTextReport } from "../../lib/report/load_text.ts";
import { evaluateThresholds, parseThreshold } from "../../lib/suite/threshold.ts";
import { bimodalRecords, loadResult, tallyOf } from "../support/load_fixtures.ts";

function caseResult(
  id: string,
  severity: CaseResult["severity"],
  verdict: CaseResult["verdict"],
  more: Partial<CaseResult> = {},
): CaseResult {
  return {
    id,
    severity,
    requirement: `requirement of ${id}`,
    verdict,
    expected: `expected of ${id}`,
    actual: `actual of ${id}`,
    durationMs: 10,
    ...more,
  };
}

function suiteResult(cases: CaseResult[], more: Partial<SuiteResult> = {}): SuiteResult {
  const passed = more.passed ?? !cases.some((c) => c.verdict === "FAIL");
  return {
    status: more.interrupted ? "interrupted" : passed ? "passed" : "failed",
    testerLimit: null,
    version: 1,
    target: "127.0.0.1:8080",
    startedAt: "2024-01-02T03:04:05.678Z",
    durationMs: 12_345,
    strict: false,
    cases,
    thresholds: [],
    load: null,
    lifecycle: null,
    idle: null,
    interrupted: false,
    passed: !cases.some((c) => c.verdict === "FAIL"),
    ...more,
  };
}

const METRICS: MetricSet = new Map([
  ["handshake.p99", { kind: "duration", value: 2500 }],
  ["sessions", { kind: "count", value: 200 }],
]);
const thresholds = (...expressions: string[]) =>
  evaluateThresholds(expressions.map(parseThreshold), METRICS);

/** One case of each verdict, the longest ID 22 characters. */
const MIXED = [
  caseResult("handshake/accepts", "MUST", "PASS", { actual: "20 of 20 completed" }),
  caseResult("close/answers-fin", "MUST", "FAIL", {
    requirement: "After our FIN, the server answers with its FIN",
    expected: "the server's FIN within 300ms of ours",
    actual: "0 of 200 sessions got the server's FIN",
  }),
  caseResult("close/server-time-wait", "SHOULD", "WARN"),
  caseResult("idle/timeout", "INFO", "INFO", { actual: "no idle timeout within 1s" }),
  caseResult("linger/no-close-wait", "MUST", "SKIP", {
    actual: "not run",
    reason: "the socket census is off (--no-census)",
  }),
];

Deno.test("renderSuiteReport: the table, requirement and expected under FAIL and WARN only, the thresholds", () => {
  const result = suiteResult(MIXED, {
    thresholds: thresholds("sessions>=1", "handshake.p99<1ms"),
    passed: false,
  });
  const indent = " ".repeat(41);
  assert.equal(
    renderSuiteReport(result),
    [
      "synfin check 127.0.0.1:8080  5 cases in 12.3s",
      "",
      "verdict  level   case                    result",
      "PASS     MUST    handshake/accepts       20 of 20 completed",
      "FAIL     MUST    close/answers-fin       0 of 200 sessions got the server's FIN",
      `${indent}requirement: After our FIN, the server answers with its FIN`,
      `${indent}expected: the server's FIN within 300ms of ours`,
      "WARN     SHOULD  close/server-time-wait  actual of close/server-time-wait",
      `${indent}requirement: requirement of close/server-time-wait`,
      `${indent}expected: expected of close/server-time-wait`,
      "INFO     INFO    idle/timeout            no idle timeout within 1s",
      "SKIP     MUST    linger/no-close-wait    skipped: the socket census is off (--no-census)",
      "",
      "thresholds",
      "  PASS  sessions = 200, limit >= 1: ok",
      "  FAIL  handshake.p99 = 2.50ms, limit < 1ms: over by 1.50ms",
      "",
      "FAIL: 1 passed, 1 failed, 1 warned, 1 info, 1 skipped; failed: cases close/answers-fin; " +
      "thresholds handshake.p99<1ms",
    ].join("\n"),
  );
});

Deno.test("renderSuiteReport: short IDs pad to the 'case' header, strict is said, no thresholds block", () => {
  const result = suiteResult([caseResult("a/b", "MUST", "PASS", { actual: "ok" })], {
    strict: true,
    durationMs: 40,
  });
  assert.equal(
    renderSuiteReport(result),
    [
      "synfin check 127.0.0.1:8080  1 case in 0.0s (strict: SHOULD counts as MUST)",
      "",
      "verdict  level   case  result",
      "PASS     MUST    a/b   ok",
      "",
      "PASS: 1 passed",
    ].join("\n"),
  );
});

Deno.test("renderSuiteReport: no cases at all", () => {
  const lines = renderSuiteReport(suiteResult([], { durationMs: 1950 })).split("\n");
  assert.deepEqual(lines.slice(0, -1), [
    "synfin check 127.0.0.1:8080  0 cases in 1.9s",
    "",
    "verdict  level   case  result",
    "",
  ]);
  assert.match(lines.at(-1)!, /^PASS/);
});

Deno.test({
  name: "verdictLine with no cases says so instead of an empty tally",
  fn: () => {
    const line = verdictLine(suiteResult([]));
    assert.match(line, /^PASS/);
    assert.doesNotMatch(line, /: ?$/);
  },
});

Deno.test("renderSuiteReport: the steady load's report follows, indented", () => {
  const load = summarizeLoad(loadResult(tallyOf(bimodalRecords())));
  const report = renderSuiteReport(suiteResult([caseResult("load/steady", "MUST", "PASS")], {
    load,
  }));
  const expectedBlock = renderTextReport(load).split("\n").map((line) =>
    line === "" ? "" : `  ${line}`
  );
  assert.ok(
    report.endsWith(["PASS: 1 passed", "", "load/steady", ...expectedBlock].join("\n")),
    report,
  );
  assert.match(report, /^ {2}synfin 127\.0\.0\.1:8080 {2}closed loop, concurrency 100$/m);
  assert.doesNotMatch(report, /^ +$/m, "blank lines carry no indent");
});

Deno.test("renderSuiteReport: the lifecycle run's socket report, only with a census attempted", async (t) => {
  const tally = tallyOf(bimodalRecords());
  const base = summarizeLoad(loadResult(tally, {
    session: { holdMs: 100, connectTimeoutMs: 3000, closeTimeoutMs: 2000 },
  }));
  const sockets: SocketsUnavailable = {
    available: false,
    reason: "192.0.2.1 is not this host: give --server-sockets CMD to read its table",
    counters: null,
  };
  const lingering = findLingering(sockets, base.outcomes);

  await t.step("with sockets and findings: a titled, indented block", () => {
    const report = renderSuiteReport(
      suiteResult([caseResult("close/no-reset", "MUST", "PASS")], {
        lifecycle: { ...base, sockets, lingering },
      }),
    );
    const block = renderSocketReport(sockets, lingering).map((line) =>
      line === "" ? "" : `  ${line}`
    );
    assert.ok(
      report.endsWith(
        [
          "PASS: 1 passed",
          "",
          "lifecycle run (1008 sessions, each dwelling 100ms before our FIN)",
          ...block,
        ].join("\n"),
      ),
      report,
    );
    assert.equal(block[0], `  sockets: no census (${sockets.reason})`);
  });

  await t.step("without a census (--no-census): no block", () => {
    const report = renderSuiteReport(
      suiteResult([caseResult("close/no-reset", "MUST", "PASS")], { lifecycle: base }),
    );
    assert.ok(report.endsWith("PASS: 1 passed"), report);
    assert.doesNotMatch(report, /lifecycle run/);
  });
});

Deno.test("verdictLine", async (t) => {
  await t.step("PASS with the tally in verdict order", () => {
    const cases = [
      caseResult("c/1", "INFO", "INFO"),
      caseResult("c/2", "SHOULD", "WARN"),
      caseResult("c/3", "MUST", "PASS"),
      caseResult("c/4", "MUST", "SKIP"),
      caseResult("c/5", "MUST", "PASS"),
    ];
    assert.equal(verdictLine(suiteResult(cases)), "PASS: 2 passed, 1 warned, 1 info, 1 skipped");
  });

  await t.step("FAIL names every failed case, in run order", () => {
    const cases = [
      caseResult("z/last", "MUST", "FAIL"),
      caseResult("a/first", "MUST", "PASS"),
      caseResult("m/middle", "SHOULD", "FAIL"),
    ];
    assert.equal(
      verdictLine(suiteResult(cases)),
      "FAIL: 1 passed, 2 failed; failed: cases z/last, m/middle",
    );
  });

  await t.step("FAIL on thresholds alone", () => {
    const result = suiteResult([caseResult("a/a", "MUST", "PASS")], {
      thresholds: thresholds("sessions>=1000", "sessions>=1", "handshake.p99<1ms"),
      passed: false,
    });
    assert.equal(
      verdictLine(result),
      "FAIL: 1 passed; failed: thresholds sessions>=1000, handshake.p99<1ms",
    );
  });

  await t.step("INTERRUPTED wins, without the failed IDs", () => {
    const result = suiteResult([
      caseResult("a/a", "MUST", "FAIL"),
      caseResult("b/b", "MUST", "SKIP", { reason: "interrupted" }),
      caseResult("c/c", "MUST", "SKIP", { reason: "interrupted" }),
    ], { interrupted: true, passed: false, thresholds: thresholds("handshake.p99<1ms") });
    assert.equal(verdictLine(result), "INTERRUPTED: 1 failed, 2 skipped");
  });

  await t.step("it is the report's verdict line", () => {
    const result = suiteResult(MIXED, { passed: false });
    const lines = renderSuiteReport(result).split("\n");
    assert.equal(lines.at(-1), verdictLine(result));
  });
});

/** A case cut by running out of file descriptors, as the runner makes it. */
const FDS = "synfin ran out of file descriptors (EMFILE, 372 times): raise `ulimit -n` or " +
  "lower --concurrency or --burst";
const cut = (id: string) =>
  caseResult(id, "MUST", "SKIP", {
    actual: "128 on the first SYN, 0 after a SYN retransmission",
    reason: `tester limit: ${FDS}`,
    testerLimit: FDS,
  });

Deno.test("tester limits: the SKIP says which, what was measured stays, the lines name the cut cases", async (t) => {
  await t.step("the table: the reason on the SKIP line, what it measured under it", () => {
    const result = suiteResult([caseResult("a/ok", "MUST", "PASS"), cut("handshake/burst")], {
      status: "tester-limit",
      testerLimit: FDS,
      passed: false,
    });
    const lines = renderSuiteReport(result).split("\n");
    const at = lines.findIndex((l) => l.startsWith("SKIP"));
    assert.equal(
      lines[at],
      `SKIP     MUST    handshake/burst  skipped: tester limit: ${FDS}`,
    );
    assert.equal(
      lines[at + 1],
      `${" ".repeat(34)}measured: 128 on the first SYN, 0 after a SYN retransmission`,
    );
    assert.equal(
      lines.at(-1),
      "TESTER LIMIT: 1 passed, 1 skipped; cut by a tester limit: cases handshake/burst",
    );
  });
  await t.step("a FAIL elsewhere is still a FAIL, and the cut cases are named", () => {
    const result = suiteResult([cut("a/cut"), caseResult("b/bad", "MUST", "FAIL")], {
      testerLimit: FDS,
    });
    assert.equal(
      verdictLine(result),
      "FAIL: 1 failed, 1 skipped; failed: cases b/bad; cut by a tester limit: cases a/cut",
    );
  });
  await t.step("testerLimitLine: the limit with its advice, and the cases it cut", () => {
    const result = suiteResult([cut("a/cut"), cut("b/cut")], {
      status: "tester-limit",
      testerLimit: FDS,
      passed: false,
    });
    assert.equal(
      testerLimitLine(result),
      `tester limit: ${FDS}; cases a/cut, b/cut are SKIP: what they measured is not the server's`,
    );
  });
});
