import assert from "node:assert/strict";
import { LatencyHistogram } from "../../lib/engine/histogram.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";
import { mergeSummaries } from "../../lib/census/merge_summaries.ts";
import { synfin } from "../support/cli.ts";
import { twoSummaries } from "../support/summaries.ts";

async function readJson(path: string): Promise<LoadSummary> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("merge: counts add up, percentiles are the union's, thresholds set the exit code", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-merge-" });
  try {
    const [a, b] = await twoSummaries(dir);
    const out = `${dir}/merged.json`;
    const pass = await synfin(["merge", a, b, "--json", out, "--threshold", "sessions==40"]);
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(pass.stdout, /^merged 2 summaries: .*a\.json, .*b\.json/);
    assert.match(pass.stdout, /PASS {2}sessions = 40, limit == 40: ok/);
    const merged = await readJson(out);
    const [sa, sb] = [await readJson(a), await readJson(b)];
    assert.equal(merged.sessions, 40);
    assert.equal(merged.outcomes.clean, 40);
    assert.equal(merged.load.concurrency, 5);
    const truth = LatencyHistogram.decode(sa.phases.handshake.histogram);
    truth.add(LatencyHistogram.decode(sb.phases.handshake.histogram));
    assert.deepEqual(
      { ...merged.phases.handshake, histogram: "" },
      { ...truth.stats(), histogram: "" },
    );
    const started = merged.timeSeries.points.reduce((n, p) => n + p.started, 0);
    assert.equal(started, 40);
    // One census merged: its findings found again on the merged outcomes.
    assert.equal(merged.sockets?.available, true);
    assert.equal(merged.lingering?.closeWait?.noFinSessions, 0);
    assert.equal(merged.lingering?.serverTimeWait.serverClosedFirst, 0);

    const fail = await synfin(["merge", a, b, "--threshold", "sessions<40", "--json", "-"]);
    assert.equal(fail.code, 1, fail.stderr);
    assert.match(fail.stderr, /FAIL: thresholds sessions<40/);
    assert.equal(JSON.parse(fail.stdout).thresholds[0].passed, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge: another target, scenario or format, or no summary, is a usage error naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-merge-" });
  try {
    const [a, b] = await twoSummaries(dir);
    const other = await readJson(b);
    const write = async (name: string, value: unknown) => {
      await Deno.writeTextFile(`${dir}/${name}`, JSON.stringify(value));
      return `${dir}/${name}`;
    };
    const target = await write("target.json", { ...other, target: "127.0.0.1:1" });
    const scenario = await write("scenario.json", { ...other, scenario: { name: "redis-ping" } });
    const version = await write("version.json", { ...other, version: 99 });
    const suite = await write("suite.json", { cases: [] });
    const cases: [string, RegExp][] = [
      [
        target,
        /Cannot merge .*target\.json with .*a\.json: different target \(.*target\.json: 127\.0\.0\.1:1, .*a\.json: 127\.0\.0\.1:\d+\)/,
      ],
      [
        scenario,
        /different scenario \(.*scenario\.json: redis-ping, .*a\.json: \(none: a built-in session\)\)/,
      ],
      [
        version,
        /Cannot merge .*version\.json: summary format version 99, this synfin reads version 1/,
      ],
      [suite, /Cannot merge .*suite\.json: not a load summary/],
      [`${dir}/absent.json`, /Cannot read .*absent\.json: no such file/],
    ];
    for (const [file, message] of cases) {
      const run = await synfin(["merge", a, file]);
      assert.equal(run.code, 2, file);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    }
    const none = await synfin(["merge", "--json", "-"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Missing summaries: give merge FILE\.json/);
    const help = await synfin(["merge", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /never an average of percentiles/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A summary with only what the merge of these tests reads. */
function summary(from: string, points: number[], segment?: { index: number; count: number }) {
  const histogram = new LatencyHistogram();
  const phase = { ...histogram.stats(), histogram: histogram.encode() };
  return {
    version: 1,
    target: "127.0.0.1:80",
    startedAt: from,
    durationMs: points.length * 1000,
    sessions: points.reduce((n, p) => n + p, 0),
    sessionsPerSecond: 0,
    stoppedBy: "duration",
    load: {
      loop: "closed",
      concurrency: 1,
      rate: null,
      sessionsLimit: null,
      durationLimitMs: 2000,
      holdMs: 0,
      sendBytes: 0,
      connectTimeoutMs: 3000,
      closeTimeoutMs: 2000,
      engine: "deno",
      maxInFlightPerEventLoop: [1],
    },
    outcomes: { clean: points.reduce((n, p) => n + p, 0) },
    phases: { handshake: phase, tls: phase, firstByte: phase, close: phase },
    noResponse: 0,
    intendedStarts: null,
    droppedStarts: 0,
    tester: {
      rssBeforeBytes: 1,
      rssPeakBytes: 2,
      peakInFlight: 1,
      bytesPerSessionInFlight: null,
      fdLimit: 1024,
    },
    kernel: null,
    errors: [{ phase: "connect", errno: "ECONNRESET", count: 1 }],
    timeSeries: {
      intervalMs: 1000,
      from,
      points: points.map((n, second) => ({ second, started: n, finished: n, failed: 0 })),
    },
    ...(segment && { segment }),
  } as unknown as LoadSummary;
}

Deno.test("mergeSummaries lines the time series up by wall-clock second, and sums errors", () => {
  const merged = mergeSummaries([
    { label: "a", summary: summary("2030-01-01T00:00:01.000Z", [5, 6], { index: 1, count: 3 }) },
    { label: "b", summary: summary("2030-01-01T00:00:02.000Z", [7, 8], { index: 3, count: 3 }) },
  ]);
  assert.equal(merged.timeSeries.from, "2030-01-01T00:00:01.000Z");
  assert.deepEqual(merged.timeSeries.points.map((p) => p.started), [5, 13, 8]);
  assert.deepEqual(merged.errors, [{ phase: "connect", errno: "ECONNRESET", count: 2 }]);
  assert.equal(merged.durationMs, 3000);
  assert.deepEqual(merged.merged.segments?.missing, [2]);
  assert.equal(merged.merged.segments?.complete, false);
});

Deno.test("merge says which segments are missing or twice", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-merge-" });
  try {
    const files: string[] = [];
    for (const [name, index] of [["s1", 1], ["s1b", 1], ["s3", 3]] as const) {
      const s = summary("2030-01-01T00:00:01.000Z", [1], { index, count: 4 });
      await Deno.writeTextFile(`${dir}/${name}.json`, JSON.stringify(s));
      files.push(`${dir}/${name}.json`);
    }
    const run = await synfin(["merge", ...files, "--json", "-"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /segments of 4: not the whole load: missing 2, 4; 1 more than once \(counted twice\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
