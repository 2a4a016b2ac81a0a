/**
 * Tests for lib/suite/runner.ts: verdicts from findings, events, thresholds
 * on the shared lifecycle run, interruption; and the built-in cases against
 * a server that never accepts.
 */
import assert from "node:assert/strict";
import type { CaseResult, Severity, Verdict } from "../../lib/suite/result.ts";
import { selectCases } from "../../lib/suite/selection.ts";
import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
import type {
  CaseContext,
  CaseFinding,
  ConformanceCase,
  SuiteSettings,
} from "../../lib/suite/case.ts";
import type { LoadWithCensus } from "../../lib/census/load.ts";
import { listenBelowEphemeral, startReferenceServer } from "../../lib/testing/reference_servers.ts";
import {
  CaseEvent,
  SUITE_SUMMARY_VERSION,
  type SuiteResult,
  SuiteRunner,
} from "../../lib/suite/runner.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import { parseTarget, type Target } from "../../lib/base/target.ts";
import { parseThreshold } from "../../lib/suite/threshold.ts";
import { BUILTIN_CASES } from "../../scenarios/conformance/builtin.ts";
import { bimodalRecords, loadResult, tallyOf } from "../support/load_fixtures.ts";

/** Short bounds for the cases that touch a server. */
const SETTINGS: SuiteSettings = {
  ...DEFAULT_SUITE_SETTINGS,
  connectTimeoutMs: 1000,
  closeTimeoutMs: 300,
  census: { drainMs: 500 },
};

/** Nothing listens here; the hand-built cases never connect. */
const NOWHERE = parseTarget("127.0.0.1:20000");

/** A case whose default function returns `finding` (or runs it). */
function fakeCase(
  id: string,
  severity: Severity,
  finding: CaseFinding | ((context: CaseContext) => Promise<CaseFinding>),
): ConformanceCase {
  return {
    options: { id, severity, requirement: `requirement of ${id}` },
    default: typeof finding === "function" ? finding : () => Promise.resolve(finding),
  };
}

/** A finding that was judged or measured (one that can carry a load). */
type JudgedFinding = Exclude<CaseFinding, { status: "skipped" }>;

const held = (actual = "all good"): JudgedFinding => ({ status: "held", expected: "good", actual });
const broken = (actual = "bad"): JudgedFinding => ({ status: "broken", expected: "good", actual });

/** The results without their measured durations. */
function withoutDurations(result: SuiteResult): Omit<CaseResult, "durationMs">[] {
  return result.cases.map(({ durationMs, ...rest }) => {
    assert.ok(Number.isInteger(durationMs) && durationMs >= 0, `${rest.id}: ${durationMs}`);
    return rest;
  });
}

/** Runs `cases` and records the events as `type id verdict`. */
async function runRecording(
  target: Target,
  cases: readonly ConformanceCase[],
  options: Partial<ConstructorParameters<typeof SuiteRunner>[2]> = {},
): Promise<{ result: SuiteResult; events: string[]; done: CaseResult[] }> {
  const runner = new SuiteRunner(target, cases, { settings: SETTINGS, ...options });
  const events: string[] = [];
  const done: CaseResult[] = [];
  for (const type of ["case-start", "case-done"] as const) {
    runner.addEventListener(type, (event) => {
      assert.ok(event instanceof CaseEvent);
      events.push(
        `${event.type} ${event.info.id}${event.result ? ` ${event.result.verdict}` : ""}`,
      );
      if (event.type === "case-start") assert.equal(event.result, undefined);
      if (event.result) done.push(event.result);
    });
  }
  return { result: await runner.run(), events, done };
}

const MAPPING_CASES: ConformanceCase[] = [
  fakeCase("must/held", "MUST", held()),
  fakeCase("must/broken", "MUST", broken()),
  fakeCase("should/held", "SHOULD", held()),
  fakeCase("should/broken", "SHOULD", broken("no FIN")),
  fakeCase("must/measured", "MUST", { status: "measured", expected: "x", actual: "42" }),
  fakeCase("info/held", "INFO", held()),
  fakeCase("info/broken", "INFO", broken()),
  fakeCase("must/skipped", "MUST", { status: "skipped", expected: "e", reason: "no census" }),
  fakeCase("must/throws", "MUST", () => Promise.reject(new Error("boom"))),
  fakeCase("should/throws", "SHOULD", () => {
    throw new TypeError("sync boom");
  }),
  fakeCase("info/throws-string", "INFO", () => Promise.reject("not an error")),
];

/** A case result as {@link fakeCase} makes it, without its duration. */
function expectedResult(
  id: string,
  severity: Severity,
  verdict: Verdict,
  expected: string,
  actual: string,
): Omit<CaseResult, "durationMs"> {
  return { id, severity, requirement: `requirement of ${id}`, verdict, expected, actual };
}

Deno.test("SuiteRunner turns findings into verdicts", async (t) => {
  await t.step("not strict: a broken SHOULD case warns", async () => {
    const { result } = await runRecording(NOWHERE, MAPPING_CASES);
    const couldNotRun = (why: string): [string, string] => [
      "the case runs to its end",
      `the case could not run: ${why}`,
    ];
    assert.deepEqual(withoutDurations(result), [
      expectedResult("must/held", "MUST", "PASS", "good", "all good"),
      expectedResult("must/broken", "MUST", "FAIL", "good", "bad"),
      expectedResult("should/held", "SHOULD", "PASS", "good", "all good"),
      expectedResult("should/broken", "SHOULD", "WARN", "good", "no FIN"),
      expectedResult("must/measured", "MUST", "INFO", "x", "42"),
      expectedResult("info/held", "INFO", "INFO", "good", "all good"),
      expectedResult("info/broken", "INFO", "INFO", "good", "bad"),
      { ...expectedResult("must/skipped", "MUST", "SKIP", "e", "not run"), reason: "no census" },
      expectedResult("must/throws", "MUST", "FAIL", ...couldNotRun("boom")),
      expectedResult("should/throws", "SHOULD", "WARN", ...couldNotRun("sync boom")),
      expectedResult("info/throws-string", "INFO", "INFO", ...couldNotRun("not an error")),
    ]);
    assert.equal(result.strict, false);
    assert.equal(result.passed, false);
    assert.equal(result.interrupted, false);
  });

  await t.step("strict: a broken SHOULD case fails, INFO stays INFO", async () => {
    const { result } = await runRecording(NOWHERE, MAPPING_CASES, { strict: true });
    assert.deepEqual(result.cases.map((c) => `${c.id} ${c.verdict}`), [
      "must/held PASS",
      "must/broken FAIL",
      "should/held PASS",
      "should/broken FAIL",
      "must/measured INFO",
      "info/held INFO",
      "info/broken INFO",
      "must/skipped SKIP",
      "must/throws FAIL",
      "should/throws FAIL",
      "info/throws-string INFO",
    ]);
    assert.equal(result.strict, true);
  });

  await t.step("passed: WARN, INFO and SKIP do not fail the suite, FAIL does", async () => {
    const notFailing = MAPPING_CASES.filter((c) => !/^must\/(broken|throws)$/.test(c.options.id));
    assert.equal((await runRecording(NOWHERE, notFailing)).result.passed, true);
    const strict = await runRecording(NOWHERE, notFailing, { strict: true });
    assert.equal(strict.result.passed, false, "strict: the broken SHOULD case fails");
  });

  await t.step("the summary's fixed fields", async () => {
    const { result } = await runRecording(NOWHERE, [fakeCase("a/b", "MUST", held())]);
    assert.equal(result.version, SUITE_SUMMARY_VERSION);
    assert.equal(result.version, 1);
    assert.equal(result.target, "127.0.0.1:20000");
    assert.equal(new Date(result.startedAt).toISOString(), result.startedAt);
    assert.ok(Number.isInteger(result.durationMs) && result.durationMs >= 0);
    assert.deepEqual(result.thresholds, []);
    assert.equal(result.load, null);
    assert.equal(result.lifecycle, null);
    assert.equal(result.idle, null);
    assert.equal(result.passed, true);
  });
});

Deno.test("SuiteRunner: a case's duration is measured", async () => {
  const slow = fakeCase("slow/case", "MUST", async () => {
    await new Promise((resolve) => setTimeout(resolve, 60));
    return held();
  });
  const { result } = await runRecording(NOWHERE, [slow]);
  assert.ok(result.cases[0].durationMs >= 55, `${result.cases[0].durationMs} ms`);
  assert.ok(result.durationMs >= result.cases[0].durationMs);
});

Deno.test("SuiteRunner gives each case the target, the settings and a live signal", async () => {
  const seen: CaseContext[] = [];
  const spy = fakeCase("spy/context", "MUST", (context) => {
    seen.push(context);
    return Promise.resolve(held());
  });
  await runRecording(NOWHERE, [spy, spy]);
  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1], "one context for the whole suite");
  assert.equal(seen[0].target, NOWHERE);
  assert.equal(seen[0].settings, SETTINGS);
  assert.equal(seen[0].signal.aborted, false);
});

Deno.test("SuiteRunner fires case-start and case-done in order, with the results", async () => {
  const { result, events, done } = await runRecording(NOWHERE, [
    fakeCase("one/a", "MUST", held()),
    fakeCase("two/b", "SHOULD", broken()),
    fakeCase("three/c", "INFO", { status: "skipped", expected: "", reason: "why" }),
  ]);
  assert.deepEqual(events, [
    "case-start one/a",
    "case-done one/a PASS",
    "case-start two/b",
    "case-done two/b WARN",
    "case-start three/c",
    "case-done three/c SKIP",
  ]);
  assert.deepEqual(done, result.cases);
});

Deno.test("SuiteRunner: case listeners get a typed CaseEvent, no cast needed", async () => {
  const runner = new SuiteRunner(NOWHERE, [fakeCase("a/a", "SHOULD", broken("no FIN"))], {
    settings: SETTINGS,
  });
  const seen: string[] = [];
  // `event.info` and `event.result` are read without a cast: the overloads type them.
  runner.addEventListener("case-start", (event) => {
    assert.ok(event instanceof CaseEvent);
    seen.push(`${event.type} ${event.info.id} ${event.info.severity} ${event.result}`);
  });
  const onDone = (event: CaseEvent) => {
    seen.push(`${event.type} ${event.info.id} ${event.result?.verdict} ${event.result?.actual}`);
  };
  runner.addEventListener("case-done", onDone);
  const result = await runner.run();
  assert.deepEqual(seen, ["case-start a/a SHOULD undefined", "case-done a/a WARN no FIN"]);
  assert.equal(result.cases[0].verdict, "WARN");

  runner.removeEventListener("case-done", onDone);
  await runner.run();
  assert.deepEqual(seen.slice(2), ["case-start a/a SHOULD undefined"], "onDone was removed");
});

Deno.test("SuiteRunner: an event listener sees case-start before the case runs", async () => {
  const order: string[] = [];
  const runner = new SuiteRunner(NOWHERE, [
    fakeCase("a/a", "MUST", () => {
      order.push("run a/a");
      return Promise.resolve(held());
    }),
  ], { settings: SETTINGS });
  runner.addEventListener("case-start", () => order.push("start"));
  runner.addEventListener("case-done", () => order.push("done"));
  await runner.run();
  assert.deepEqual(order, ["start", "run a/a", "done"]);
});

Deno.test("SuiteRunner: thresholds without any measured metric fail, and so does the suite", async () => {
  const { result } = await runRecording(NOWHERE, [fakeCase("a/a", "MUST", held())], {
    thresholds: [parseThreshold("sessions>0")],
  });
  assert.equal(result.cases[0].verdict, "PASS");
  assert.equal(result.thresholds.length, 1);
  assert.equal(result.thresholds[0].passed, false);
  assert.equal(result.thresholds[0].message, 'no metric "sessions" (no metrics were measured)');
  assert.equal(result.passed, false);
});

Deno.test("SuiteRunner: a case's load is reported and its metrics feed the thresholds", async () => {
  const load = summarizeLoad(loadResult(tallyOf(bimodalRecords())));
  const { result } = await runRecording(NOWHERE, [
    fakeCase("load/fake", "MUST", { ...held(), load }),
    fakeCase("other/case", "MUST", held()),
  ], {
    thresholds: [parseThreshold("sessions==1008"), parseThreshold("outcome.reset<0.1%")],
  });
  assert.equal(result.load, load);
  assert.equal(result.lifecycle, null);
  assert.deepEqual(result.thresholds.map((r) => [r.expression, r.passed, r.message]), [
    ["sessions==1008", true, "sessions = 1008, limit == 1008: ok"],
    [
      "outcome.reset<0.1%",
      false,
      "outcome.reset = 0.50% (5 of 1008), limit < 0.1%: over by 0.40 points",
    ],
  ]);
  assert.equal(result.passed, false, "a failed threshold fails the suite");
});

Deno.test("SuiteRunner: the shared lifecycle run, once, with thresholds on its metrics", async (t) => {
  await t.step("with a census: 200 sessions, socket metrics included", async () => {
    await using server = await startReferenceServer("well-behaved");
    const runs: LoadWithCensus[] = [];
    const lifecycleCase = (id: string) =>
      fakeCase(id, "MUST", async (context) => {
        const run = await context.lifecycle();
        runs.push(run);
        return held(`${run.summary.outcomes.clean} of ${run.summary.sessions} clean`);
      });
    const { result } = await runRecording(
      server.target,
      [lifecycleCase("life/one"), lifecycleCase("life/two")],
      {
        thresholds: [
          "sessions==200",
          "outcome.clean==100%",
          "server.closeWait==0",
          "halfOpen==0",
          "handshake.p99<1s",
          "sessions>200",
        ].map(parseThreshold),
      },
    );
    assert.equal(server.accepted, 200, "the run happened once");
    assert.equal(runs.length, 2);
    assert.equal(runs[0], runs[1]);
    assert.deepEqual(result.cases.map((c) => `${c.verdict} ${c.actual}`), [
      "PASS 200 of 200 clean",
      "PASS 200 of 200 clean",
    ]);
    const lifecycle = result.lifecycle;
    assert.ok(lifecycle);
    assert.equal(lifecycle, runs[0].summary);
    assert.equal(lifecycle.sessions, 200);
    assert.equal(lifecycle.load.concurrency, 50);
    assert.equal(lifecycle.load.holdMs, 100);
    assert.equal(lifecycle.load.connectTimeoutMs, 1000);
    assert.equal(lifecycle.load.closeTimeoutMs, 300);
    assert.ok(lifecycle.sockets?.available);
    assert.equal(lifecycle.sockets.drainWindowMs, 500);
    assert.equal(result.load, null, "the lifecycle run is not the steady load");
    assert.deepEqual(result.thresholds.map((r) => [r.expression, r.passed]), [
      ["sessions==200", true],
      ["outcome.clean==100%", true],
      ["server.closeWait==0", true],
      ["halfOpen==0", true],
      ["handshake.p99<1s", true],
      ["sessions>200", false],
    ]);
    assert.equal(result.thresholds[5].message, "sessions = 200, limit > 200: at the limit");
    assert.equal(result.passed, false);
  });

  await t.step('without a census (census: "off"): no sockets, socket metrics missing', async () => {
    await using server = await startReferenceServer("well-behaved");
    const { result } = await runRecording(
      server.target,
      [fakeCase("life/one", "MUST", async (context) => {
        await context.lifecycle();
        return held();
      })],
      {
        settings: { ...SETTINGS, census: "off" },
        thresholds: [parseThreshold("sessions==200"), parseThreshold("server.closeWait==0")],
      },
    );
    assert.equal(result.lifecycle?.sessions, 200);
    assert.equal(result.lifecycle && "sockets" in result.lifecycle, false);
    assert.equal(result.thresholds[0].passed, true);
    assert.equal(result.thresholds[1].passed, false);
    assert.match(result.thresholds[1].message, /^no metric "server\.closeWait" \(known: /);
  });
});

Deno.test("SuiteRunner: a signal aborted before the run skips every case as interrupted", async () => {
  const stop = new AbortController();
  stop.abort();
  let ran = 0;
  const counting = (id: string) =>
    fakeCase(id, "MUST", () => {
      ran++;
      return Promise.resolve(held());
    });
  const { result, events } = await runRecording(
    NOWHERE,
    [counting("a/one"), counting("b/two")],
    { signal: stop.signal },
  );
  assert.equal(ran, 0);
  const skipped = (id: string) => ({
    ...expectedResult(id, "MUST", "SKIP", "", "not run"),
    reason: "interrupted",
  });
  assert.deepEqual(withoutDurations(result), [skipped("a/one"), skipped("b/two")]);
  assert.equal(events.length, 4, "the events still go out");
  assert.equal(result.interrupted, true);
  assert.equal(result.passed, false);
});

Deno.test("SuiteRunner: a signal aborted during a case marks it and skips the rest", async () => {
  const stop = new AbortController();
  const { result } = await runRecording(NOWHERE, [
    fakeCase("a/stops", "MUST", () => {
      stop.abort();
      return Promise.resolve(held("3 of 3"));
    }),
    fakeCase("b/after", "MUST", held()),
  ], { signal: stop.signal });
  assert.deepEqual(result.cases.map((c) => [c.verdict, c.actual, c.reason]), [
    ["PASS", "3 of 3 (interrupted)", undefined],
    ["SKIP", "not run", "interrupted"],
  ]);
  assert.equal(result.interrupted, true);
  assert.equal(result.passed, false);
});

/** Short settings for the built-in cases. */
const BUILTIN_SETTINGS: SuiteSettings = {
  ...DEFAULT_SUITE_SETTINGS,
  handshakeBoundMs: 500,
  burstSize: 16,
  loadDurationMs: 500,
  idleBoundMs: 500,
  closeTimeoutMs: 300,
  connectTimeoutMs: 500,
  census: { drainMs: 300 },
};

Deno.test("the built-in cases against a server that never accepts", async () => {
  // Backlog 8: the accept queue holds 9 connections. The idle probe and
  // handshake/accepts fill it between them, and since nothing is ever
  // accepted it stays full: every later SYN is dropped and times out.
  await using server = await startReferenceServer("never-accepts");
  const { result } = await runRecording(server.target, BUILTIN_CASES, {
    settings: BUILTIN_SETTINGS,
  });
  const byId = Object.fromEntries(result.cases.map((c) => [c.id, c]));
  assert.deepEqual(result.cases.map((c) => `${c.verdict} ${c.id}`), [
    "FAIL handshake/accepts",
    "FAIL handshake/burst",
    "SKIP close/answers-fin",
    "SKIP close/no-reset",
    "FAIL close/half-close",
    "SKIP close/server-time-wait",
    "FAIL abort/survives-reset",
    "SKIP linger/no-close-wait",
    "INFO idle/timeout",
    "FAIL load/steady",
  ]);
  assert.equal(server.accepted, 0);

  const accepts = /^(\d) of 20 completed/.exec(byId["handshake/accepts"].actual);
  assert.ok(accepts, byId["handshake/accepts"].actual);
  assert.ok(Number(accepts[1]) <= 9, byId["handshake/accepts"].actual);
  assert.match(
    byId["handshake/burst"].actual,
    /^0 on the first SYN, 0 after a SYN retransmission, 0 reset, 16 timed out, 0 half-open; /,
  );
  assert.equal(
    byId["close/answers-fin"].reason,
    "no session got to send the first FIN (0 closed first by the server)",
  );
  assert.equal(byId["close/no-reset"].reason, "no session connected (connect-timeout 200)");
  assert.equal(
    byId["close/half-close"].actual,
    "0 ended with the server's FIN, 0 reset, 0 no FIN in time, 10 other errors; " +
      "0 received a reply (0 exactly our bytes back)",
  );
  assert.equal(
    byId["abort/survives-reset"].actual,
    "0 connections aborted with RST; then 0 of 20 handshakes completed (connect-timeout 20)",
  );
  assert.match(
    byId["load/steady"].actual,
    /^(\d+) sessions \(\d+\/s\), \1 failed: connect-timeout \1$/,
  );

  assert.equal(result.lifecycle?.outcomes["connect-timeout"], 200);
  assert.equal(result.load?.sessions, result.load?.outcomes["connect-timeout"]);
  assert.equal(result.idle?.connections, 5);
  assert.equal(result.passed, false);
  assert.equal(result.interrupted, false);
});

Deno.test({
  name: "the close and linger cases do not pass when no session ever connected",
  fn: async () => {
    const listener = listenBelowEphemeral();
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const cases = selectCases(BUILTIN_CASES, {
      only: ["close/answers-fin", "close/no-reset", "close/server-time-wait", "linger/"],
    });
    const { result } = await runRecording(parseTarget(`127.0.0.1:${port}`), cases, {
      settings: BUILTIN_SETTINGS,
    });
    assert.equal(result.lifecycle?.outcomes.refused, 200);
    for (const c of result.cases) assert.notEqual(c.verdict, "PASS", `${c.id}: ${c.actual}`);
  },
});

/** Evidence of sessions that ran out of file descriptors. */
const OUT_OF_FDS = {
  outcomes: { "tester-limit": 3 },
  errors: [{ phase: "handshake" as const, errno: "EMFILE", count: 3 }],
};

Deno.test("SuiteRunner: a case whose sessions hit a tester limit is SKIP with the reason", async (t) => {
  await t.step("a broken finding is not the server's FAIL", async () => {
    const { result } = await runRecording(NOWHERE, [
      fakeCase("a/cut", "MUST", { ...broken("0 of 500"), sessions: [OUT_OF_FDS] }),
      fakeCase("b/fine", "MUST", held()),
    ]);
    const [cut, fine] = result.cases;
    assert.equal(cut.verdict, "SKIP");
    assert.equal(cut.actual, "0 of 500");
    assert.equal(
      cut.testerLimit,
      "synfin ran out of file descriptors (EMFILE, 3 times): raise `ulimit -n` or lower " +
        "--concurrency or --burst",
    );
    assert.equal(cut.reason, `tester limit: ${cut.testerLimit}`);
    assert.equal(fine.verdict, "PASS");
    assert.equal(fine.testerLimit, undefined);
    assert.equal(result.status, "tester-limit");
    assert.equal(result.testerLimit, cut.testerLimit);
    assert.equal(result.passed, false);
  });
  await t.step("a held finding is not a PASS, the outcome count alone is enough", async () => {
    const { result } = await runRecording(NOWHERE, [
      fakeCase("a/cut", "MUST", {
        ...held("0 failed"),
        sessions: [{ outcomes: { "tester-limit": 200 }, errors: [] }],
      }),
    ]);
    assert.equal(result.cases[0].verdict, "SKIP");
    assert.match(
      result.cases[0].reason!,
      /^tester limit: synfin ran out of file descriptors or local ports in 200 sessions/,
    );
    assert.equal(result.status, "tester-limit");
  });
  await t.step("out of local ports names the ports", async () => {
    const { result } = await runRecording(NOWHERE, [
      fakeCase("a/cut", "MUST", {
        ...held(),
        sessions: [{ errors: [{ phase: "handshake", errno: "EADDRNOTAVAIL", count: 1 }] }],
      }),
    ]);
    assert.equal(
      result.cases[0].testerLimit,
      "synfin ran out of local ports (EADDRNOTAVAIL, 1 time): widen " +
        "net.ipv4.ip_local_port_range or lower --concurrency or --burst",
    );
  });
  await t.step("a real FAIL elsewhere still makes the suite failed", async () => {
    const { result } = await runRecording(NOWHERE, [
      fakeCase("a/cut", "MUST", { ...broken(), sessions: [OUT_OF_FDS] }),
      fakeCase("b/bad", "MUST", broken()),
    ]);
    assert.deepEqual(result.cases.map((c) => c.verdict), ["SKIP", "FAIL"]);
    assert.equal(result.status, "failed");
  });
  await t.step("other errnos are the server's", async () => {
    const { result } = await runRecording(NOWHERE, [
      fakeCase("a/bad", "MUST", {
        ...broken(),
        sessions: [{
          outcomes: { reset: 3 },
          errors: [{ phase: "hold", errno: "ECONNRESET", count: 3 }],
        }],
      }),
    ]);
    assert.equal(result.cases[0].verdict, "FAIL");
    assert.equal(result.status, "failed");
    assert.equal(result.testerLimit, null);
  });
  await t.step("a clean suite passes", async () => {
    const { result } = await runRecording(NOWHERE, [fakeCase("a/a", "MUST", held())]);
    assert.equal(result.status, "passed");
    assert.equal(result.passed, true);
  });
});

Deno.test("SuiteRunner: thresholds on a load cut by a tester limit are not the server's failure", async () => {
  const cut = summarizeLoad(loadResult(tallyOf(bimodalRecords()), { stoppedBy: "tester-limit" }));
  const load = {
    ...cut,
    errors: [...cut.errors, { phase: "handshake" as const, errno: "EMFILE", count: 4 }],
  };
  const { result } = await runRecording(NOWHERE, [
    fakeCase("load/fake", "MUST", { ...held(), load, sessions: [load] }),
  ], { thresholds: [parseThreshold("outcome.reset<0.1%")] });
  assert.equal(result.load, load, "what it measured is still reported");
  assert.equal(result.cases[0].verdict, "SKIP");
  assert.equal(result.thresholds[0].passed, false);
  assert.match(result.thresholds[0].message, /\(measured on a run cut by a tester limit\)$/);
  assert.equal(result.status, "tester-limit");
});

Deno.test("SuiteRunner: a case that skips once the signal fired says interrupted", async () => {
  const stop = new AbortController();
  const { result } = await runRecording(NOWHERE, [
    fakeCase("close/fin", "MUST", () => {
      stop.abort();
      return Promise.resolve({
        status: "skipped",
        expected: "a FIN",
        reason: "no session got to send the first FIN (0 closed first by the server)",
      });
    }),
  ], { signal: stop.signal });
  assert.equal(result.cases[0].verdict, "SKIP");
  assert.equal(result.cases[0].reason, "interrupted");
  assert.equal(result.status, "interrupted");
});
