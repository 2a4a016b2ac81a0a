import assert from "node:assert/strict";
import type { LoadResult } from "../../lib/engine/runner.ts";
import { OUTCOMES } from "../../lib/engine/outcome.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import { SessionTally } from "../../lib/engine/tally.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import { parseTarget } from "../../lib/base/target.ts";
import {
  droppedStartsNote,
  OUTCOME_MEANING,
  renderTextReport,
} from "../../lib/report/load_text.ts";
import { bimodalRecords, loadResult, repeat, tallyOf } from "../support/load_fixtures.ts";
import type { LingerFindings } from "../../lib/census/findings.ts";
import { evaluateLoadThresholds } from "../../lib/suite/load_thresholds.ts";
import { parseThreshold } from "../../lib/suite/threshold.ts";

function report(tally: SessionTally, overrides: Partial<LoadResult> = {}): string[] {
  return renderTextReport(summarizeLoad(loadResult(tally, overrides))).split("\n");
}

/** The one line matching `pattern`. */
function lineMatching(lines: string[], pattern: RegExp): string {
  const found = lines.filter((line) => pattern.test(line));
  assert.equal(found.length, 1, `${found.length} lines match ${pattern}:\n${lines.join("\n")}`);
  return found[0];
}

Deno.test("the report opens with the target, the load shape and the run", () => {
  const lines = report(tallyOf(bimodalRecords()));
  assert.equal(lines[0], "synfin 127.0.0.1:8080  closed loop, concurrency 100");
  assert.equal(
    lines[1],
    "1,008 sessions in 2.00s (504 sessions/s), stopped by duration, deno engine, 2 event loops",
  );
  assert.equal(lines[2], "");
});

Deno.test("an open-loop run with a payload and a hold says so", () => {
  const lines = report(tallyOf(bimodalRecords(), true), {
    target: parseTarget("[::1]:9000"),
    shape: { concurrency: 200, sessions: 1008, durationMs: null, rate: 1500 },
    session: {
      send: new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"),
      holdMs: 250,
      connectTimeoutMs: 3000,
      closeTimeoutMs: 2000,
    },
    stoppedBy: "sessions",
  });
  assert.equal(
    lines[0],
    "synfin [::1]:9000  open loop, 1,500 sessions/s, at most 200 in flight, send 18 B, hold 250ms",
  );
  assert.match(lines[1], /, stopped by sessions, deno engine, 2 event loops$/);
  assert.equal(
    lineMatching(lines, /no response byte/),
    "  1,005 sessions got no response byte to their payload",
  );
});

Deno.test("the phase table has a header and one row per timed phase (no first byte without a payload)", () => {
  const lines = report(tallyOf(bimodalRecords()));
  const header = lineMatching(lines, /^phase\s/);
  assert.match(header, /^phase\s+count\s+min\s+p50\s+p90\s+p99\s+p99\.9\s+max$/);
  const at = lines.indexOf(header);
  assert.match(lines[at + 1], /^handshake\s+1,005\s+30us\s+30us\s+30us\s+40us\s+1\.00s\s+1\.00s$/);
  assert.ok(!lines.some((line) => line.startsWith("first byte ")));
  assert.match(lines[at + 2], /^close\s+1,000(\s+80us){6}$/);
  // Numeric columns are right-aligned under their headers.
  assert.equal(lines[at + 1].indexOf("1,005") + 5, header.indexOf("count") + 5);
});

Deno.test("outcome lines give counts, percentages and meanings, and skip zeros", () => {
  const lines = report(tallyOf(bimodalRecords()));
  const at = lines.indexOf("outcomes");
  assert.ok(at > 0, "no outcomes section");
  assert.match(lines[at + 1], /^ {2}clean\s+1,000\s+99\.21%\s+we sent FIN, the server answered/);
  assert.match(lines[at + 2], /^ {2}reset\s+5\s+0\.50%\s+the server sent an RST/);
  assert.match(lines[at + 3], /^ {2}refused\s+3\s+0\.30%\s+the SYN was refused/);
  assert.equal(lines[at + 4], "");
  for (const outcome of ["no-fin", "server-closed-first", "connect-timeout", "error"]) {
    assert.ok(!lines.some((line) => line.startsWith(`  ${outcome} `)), outcome);
  }
  assert.ok(!lines.some((line) => line.includes("no response byte")));
});

Deno.test("every outcome has a meaning", () => {
  assert.deepEqual(Object.keys(OUTCOME_MEANING), [...OUTCOMES]);
  const records: SessionRecord[] = OUTCOMES.map((outcome) => ({
    outcome,
    phase: "close",
    bytesReceived: 0,
    errors: [],
  }));
  const lines = report(tallyOf(records));
  for (const outcome of OUTCOMES) {
    const line = lineMatching(lines, new RegExp(`^ {2}${outcome}\\s`));
    assert.ok(line.endsWith(`10.00%  ${OUTCOME_MEANING[outcome]}`), line);
  }
});

Deno.test("an errors section lists errors by phase and errno", () => {
  const lines = report(tallyOf(bimodalRecords()));
  const at = lines.indexOf("errors");
  assert.ok(at > 0, "no errors section");
  assert.match(lines[at + 1], /^ {2}phase\s+errno\s+count$/);
  assert.match(lines[at + 2], /^ {2}close\s+ECONNRESET\s+5$/);
  assert.match(lines[at + 3], /^ {2}handshake\s+ECONNREFUSED\s+3$/);
  assert.equal(lines[at + 4], "");
});

Deno.test("no errors section without errors", () => {
  const lines = report(tallyOf(bimodalRecords().slice(0, 1000)));
  assert.equal(lines.indexOf("errors"), -1);
  assert.ok(!lines.some((line) => line.includes("ECONN")));
});

Deno.test("a bimodal 30us/1s handshake shows both modes in the bar chart", () => {
  const lines = report(tallyOf(bimodalRecords()));
  const at = lines.indexOf("handshake latency (log-scaled buckets)");
  assert.ok(at > 0, "no handshake chart");
  assert.match(lines[at + 1], /^ {2}20us-50us\s+\|#{40}\|\s+995\s+99\.0%$/);
  const slow = lineMatching(lines, /^ {2}1\.00s-2\.00s\s/);
  // A small mode still gets one mark.
  assert.match(slow, /^ {2}1\.00s-2\.00s\s+\|# {39}\|\s+10\s+1\.0%$/);
  assert.equal(lines.indexOf(slow), at + 15);
  assert.match(lines[at + 2], /^ {2}50us-100us\s+\| {40}\|\s+0\s+0\.0%$/);
  assert.match(lines[at + 14], /^ {2}500ms-1\.00s\s+\| {40}\|\s+0\s+0\.0%$/);
  // The chart's counts sum to the phase's count.
  const counts = lines.slice(at + 1, at + 16).map((line) =>
    Number(line.split("|")[2].trim().split(/\s+/)[0])
  );
  assert.equal(counts.reduce((sum, count) => sum + count, 0), 1005);
  // Phases with no values have no chart; the close phase has one.
  assert.equal(lines.indexOf("first byte latency (log-scaled buckets)"), -1);
  const close = lines.indexOf("close latency (log-scaled buckets)");
  assert.ok(close > at);
  assert.match(lines[close + 1], /^ {2}50us-100us\s+\|#{40}\|\s+1,000\s+100\.0%$/);
  assert.equal(lines.length, close + 2);
});

Deno.test("barWidth sets the longest bar", () => {
  const summary = summarizeLoad(loadResult(tallyOf(bimodalRecords())));
  const lines = renderTextReport(summary, { barWidth: 10 }).split("\n");
  lineMatching(lines, /^ {2}20us-50us\s+\|#{10}\|\s+995\s+99\.0%$/);
  lineMatching(lines, /^ {2}1\.00s-2\.00s\s+\|# {9}\|\s+10\s+1\.0%$/);
});

Deno.test("an empty run says (no sessions)", () => {
  const lines = report(new SessionTally(), { durationMs: 0 });
  assert.equal(
    lines[1],
    "0 sessions in 0.00s (0 sessions/s), stopped by duration, deno engine, 2 event loops",
  );
  assert.equal(lines[lines.indexOf("outcomes") + 1], "  (no sessions)");
  assert.ok(!lines.some((line) => line.includes("latency (log-scaled buckets)")));
  assert.equal(lines.indexOf("errors"), -1);
});

Deno.test("dropped starts of an open loop get one line, only when there are any", () => {
  const tally = tallyOf(repeat(70, {
    outcome: "clean",
    phase: "close",
    handshakeUs: 30,
    closeUs: 80,
    bytesReceived: 0,
    errors: [],
  }));
  const open = { concurrency: 10, sessions: null, durationMs: 2000, rate: 500 };
  assert.ok(!report(tally, { shape: open }).some((line) => /dropped starts/.test(line)));
  tally.countStarts({ intended: 1000, dropped: 930 });
  const summary = summarizeLoad(loadResult(tally, { shape: open }));
  assert.equal(summary.droppedStarts, 930);
  assert.equal(summary.intendedStarts, 1000);
  assert.equal(
    lineMatching(report(tally, { shape: open }), /dropped starts/),
    "  dropped starts: 930 of 1,000 intended (the in-flight cap of 10 was reached): " +
      "the server is slower than the rate",
  );
  assert.equal(
    droppedStartsNote(summary),
    "930 of 1,000 intended starts dropped: the in-flight cap of 10 was reached",
  );
  assert.equal(droppedStartsNote(summarizeLoad(loadResult(tallyOf([])))), undefined);
});

/** A run against a server that closes at accept: `closedFirst` seen, `serverTimeWait` in the kernel. */
function closesFirstLines(engine: "raw" | "deno", closedFirst: number, serverTimeWait: number) {
  const records = [
    ...repeat(400 - closedFirst, {
      outcome: "clean",
      phase: "close",
      handshakeUs: 30,
      closeUs: 80,
      bytesReceived: 0,
      errors: [],
    }),
    ...repeat(closedFirst, {
      outcome: "server-closed-first",
      phase: "handshake",
      handshakeUs: 30,
      bytesReceived: 0,
      errors: [],
    }),
  ] satisfies SessionRecord[];
  const tally = tallyOf(records);
  const lingering: LingerFindings = {
    closeWait: null,
    serverTimeWait: { serverClosedFirst: closedFirst, share: closedFirst / 400, serverTimeWait },
    testerTimeWait: null,
    halfOpen: null,
  };
  return renderTextReport(summarizeLoad(loadResult(tally, { engine }), { lingering }))
    .split("\n");
}

Deno.test("more server TIME_WAIT than server-closed-first sessions is explained, not left to contradict", () => {
  // The outcome table says clean 190; the kernel says the server holds 282
  // TIME_WAIT for 210 first FINs seen: the report says where the 72 went.
  const deno = closesFirstLines("deno", 210, 282);
  lineMatching(deno, /^ {2}clean\s+190\s+47\.50%/);
  const note = lineMatching(deno, /more server-side TIME_WAIT/);
  assert.equal(
    note,
    "  72 more server-side TIME_WAIT sockets than server-closed-first sessions: the server's " +
      "FIN crossed ours (both sides then hold TIME_WAIT), or arrived while the deno engine's " +
      "event loop was busy and looked like an answer (--engine raw reads the socket's state " +
      "from the kernel); other clients' connections count too",
  );
  const raw = closesFirstLines("raw", 210, 213);
  assert.equal(
    lineMatching(raw, /more server-side TIME_WAIT/),
    "  3 more server-side TIME_WAIT sockets than server-closed-first sessions: the server's " +
      "FIN crossed ours (both sides then hold TIME_WAIT); other clients' connections count too",
  );
  // When the kernel agrees, nothing to explain.
  assert.ok(!closesFirstLines("raw", 210, 210).some((line) => line.includes("more server-side")));
});

Deno.test("thresholds get a section, one line each: PASS or FAIL with value and limit", () => {
  const summary = summarizeLoad(loadResult(tallyOf(repeat(4, {
    outcome: "clean",
    phase: "close",
    handshakeUs: 30,
    closeUs: 80,
    bytesReceived: 0,
    errors: [],
  }))));
  const thresholds = evaluateLoadThresholds(
    ["sessions==4", "sessions>10"].map(parseThreshold),
    summary,
  );
  const lines = renderTextReport(summary, { thresholds }).split("\n");
  const at = lines.indexOf("thresholds");
  assert.ok(at > 0, lines.join("\n"));
  assert.deepEqual(lines.slice(at, at + 3), [
    "thresholds",
    "  PASS  sessions = 4, limit == 4: ok",
    "  FAIL  sessions = 4, limit > 10: under by 6",
  ]);
  assert.ok(!renderTextReport(summary).split("\n").includes("thresholds"));
});

Deno.test("event loops that hardly waited say synfin set the pace; loops that waited say nothing", () => {
  const base = loadResult(tallyOf(bimodalRecords()));
  const withLoops = (idleMs: number[]) =>
    report(tallyOf(bimodalRecords()), {
      tester: {
        ...base.tester,
        eventLoops: idleMs.map((idle) => ({ cpuMs: 1700, wallMs: 2000, idleMs: idle })),
      },
    });
  assert.equal(
    lineMatching(withLoops([40, 400]), /set the pace/),
    "synfin set the pace: its event loops were busy 98%, 80% of the run (90% or more: hardly " +
      "ever waiting for the server), so the rate is synfin's and the times after the handshake " +
      "include its own queue of ready sessions",
  );
  assert.equal(withLoops([400, 600]).filter((line) => /set the pace/.test(line)).length, 0);
  assert.equal(report(tallyOf(bimodalRecords())).filter((l) => /set the pace/.test(l)).length, 0);
});
