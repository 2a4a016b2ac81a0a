/**
 * Tests for lib/report/html*.ts: the SVG primitives' scales, the reports
 * of real runs against the reference servers (what each page holds, that it
 * loads nothing and escapes what it quotes), and `--html` on the CLI
 * (checked before anything connects). tests/report/html_browser_test.ts
 * opens the reports in Chromium.
 */
import assert from "node:assert/strict";
import { barChart, lineChart } from "../../lib/report/html_svg.ts";
import { escapeXml, formatUs, scaleOf } from "../../lib/report/html_axes.ts";
import { renderBacklogHtml, renderLoadHtml, renderSuiteHtml } from "../../lib/report/html.ts";
import { runLoadWithCensus } from "../../lib/census/load.ts";
import { judgeLoad } from "../../lib/census/load_verdict.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import { evaluateLoadThresholds } from "../../lib/suite/load_thresholds.ts";
import { parseKnownThreshold } from "../../lib/suite/threshold.ts";
import type { SuiteResult } from "../../lib/suite/runner.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

const LOAD = { sessions: 60, concurrency: 6, holdMs: 5, closeTimeoutMs: 300 };

/** The `data-chart` IDs of a page, in order. */
function chartIds(html: string): string[] {
  return [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
}

/** The markup of one chart figure. */
function chart(html: string, id: string): string {
  const start = html.indexOf(`data-chart="${id}"`);
  assert.ok(start >= 0, `chart ${id} missing`);
  return html.slice(start, html.indexOf("</figure>", start));
}

/** Nothing in the page loads anything: no script, no URL but the SVG namespace. */
function assertSelfContained(html: string): void {
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<script|<link|<img|@import|url\(/i);
  const urls = [...html.matchAll(/\b(?:https?|ftp|wss?):\/\/[^\s"'<]*/g)].map((m) => m[0]);
  assert.deepEqual(urls.filter((url) => url !== "http://www.w3.org/2000/svg"), []);
}

Deno.test("html svg: scales, marks and text", async (t) => {
  await t.step("a log axis puts each decade at the same height", () => {
    const svg = lineChart({
      id: "log",
      title: "t",
      x: [1, 2, 3],
      xAxis: { label: "x" },
      yAxis: { label: "us", log: true },
      series: [{ name: "s", values: [10, 100, 1000] }],
    });
    const d = /class="mark line" d="([^"]+)"/.exec(svg)![1];
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    assert.equal(ys.length, 3);
    assert.ok(ys[0] > ys[1] && ys[1] > ys[2], `higher values drawn higher: ${ys}`);
    assert.ok(Math.abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.2, `equal decades: ${ys}`);
  });

  await t.step("a linear axis takes in 0 and negatives, on 1-2-5 steps", () => {
    assert.deepEqual(scaleOf([3, 7], { label: "n" }, 0, 100).ticks, [0, 2, 4, 6, 8]);
    // Census deltas go below the baseline when older sockets close.
    const y = scaleOf([-30, 45], { label: "n" }, 100, 0);
    assert.deepEqual(y.ticks, [-40, -20, 0, 20, 40, 60]);
    assert.ok(y(-40) === 100 && y(60) === 0);
    // A log axis spans whole decades around the data, with 2 and 5 inside short spans.
    assert.deepEqual(scaleOf([30, 700], { label: "us", log: true }, 0, 1).ticks, [
      10,
      20,
      50,
      100,
      200,
      500,
      1000,
    ]);
  });

  await t.step("a gap breaks a line and a log axis leaves out zeros", () => {
    const svg = lineChart({
      id: "gap",
      title: "t",
      x: [1, 2, 3, 4, 5],
      xAxis: { label: "x" },
      yAxis: { label: "y", log: true },
      series: [{ name: "s", values: [1, 2, null, 0, 5] }],
    });
    // [1, 2] is a line; 5 alone is a dot.
    assert.equal((svg.match(/class="mark line"/g) ?? []).length, 1);
    assert.equal((svg.match(/<circle class="mark"/g) ?? []).length, 1);
  });

  await t.step("a single count beside a large one still gets a visible bar", () => {
    const svg = barChart({
      id: "bars",
      title: "t",
      labels: ["a", "b", "c"],
      xLabel: "x",
      yAxis: { label: "n" },
      stacks: [{ name: "n", values: [100_000, 1, 0] }],
    });
    const heights = [...svg.matchAll(/<rect class="mark bar"[^>]* height="([\d.]+)"/g)]
      .map((m) => Number(m[1]));
    assert.equal(heights.length, 2, "no rect for a zero count");
    assert.ok(heights[1] >= 1, `${heights}`);
  });

  await t.step("no data says so and draws no mark", () => {
    const svg = lineChart({
      id: "none",
      title: "t",
      x: [],
      xAxis: { label: "x" },
      yAxis: { label: "y" },
      series: [],
    });
    assert.match(svg, />no data</);
    assert.doesNotMatch(svg, /class="mark/);
  });

  await t.step("text is escaped and durations read in their unit", () => {
    assert.equal(escapeXml(`<b a='1'>&"`), "&lt;b a=&#39;1&#39;&gt;&amp;&quot;");
    assert.deepEqual([999, 1000, 25_500, 1_000_000].map(formatUs), [
      "999us",
      "1ms",
      "25.5ms",
      "1s",
    ]);
  });
});

Deno.test("html load report: a real run with its census", async (t) => {
  await using server = await startReferenceServer("well-behaved");
  const run = await runLoadWithCensus(new LoadRunner(server.target, LOAD), {
    census: { drainMs: 500 },
  });
  const verdict = judgeLoad(run);
  assert.equal(verdict.verdict, "pass", verdict.reasons.join("; "));
  const html = renderLoadHtml(run.summary, verdict);

  await t.step("has every chart once, each with data drawn", () => {
    const ids = chartIds(html);
    assert.deepEqual(ids, [
      "sessions-over-time",
      "percentiles",
      "histogram-handshake",
      "histogram-close",
      "sockets-server",
      "sockets-tester",
    ]);
    for (const id of ids) assert.match(chart(html, id), /class="mark/, id);
    // 60 sessions: the handshake histogram's bars add up to them.
    const counts = [...chart(html, "histogram-handshake").matchAll(/: handshake (\d+)</g)]
      .map((m) => Number(m[1]));
    assert.equal(counts.reduce((a, b) => a + b, 0), LOAD.sessions);
  });

  await t.step("shows the verdict, the outcomes and the tester's self-diagnosis", () => {
    assert.match(html, /data-verdict="PASS"/);
    assert.match(html, /<td>clean<\/td><td class="num">60<\/td>/);
    assert.match(html, /no tester limit: what was measured is the server&#39;s/);
    assert.match(html, /<section id="tester">/);
    // The fullest census' client ports toward the server, far from the range here.
    const ports = run.summary.lingering?.testerPorts;
    assert.ok(ports && ports.peak > 0, JSON.stringify(ports));
    assert.match(
      html,
      new RegExp(
        `<td>client ports \\(fullest census\\)</td><td>${ports.peak} of \\d+ toward 127\\.0\\.0\\.1:${server.target.port} at [\\d.]+ s</td>`,
      ),
    );
  });

  await t.step("loads nothing from anywhere", () => assertSelfContained(html));

  await t.step("a failed threshold turns the banner to FAIL and names it", () => {
    const thresholds = evaluateLoadThresholds(
      [parseKnownThreshold("handshake.p99<1us"), parseKnownThreshold("sessions==60")],
      run.summary,
    );
    const failed = renderLoadHtml(run.summary, verdict, thresholds);
    assert.match(
      failed,
      /class="banner bad" data-verdict="FAIL">FAIL<ul><li>thresholds handshake\.p99&lt;1us/,
    );
    assert.match(failed, /<td>sessions==60<\/td><td class="v-PASS">PASS<\/td>/);
  });

  await t.step("what it quotes from the run is escaped", () => {
    const hostile = renderLoadHtml(
      { ...run.summary, target: "<img src=x onerror=alert(1)>", tags: { team: "</td>" } },
      verdict,
    );
    assert.doesNotMatch(hostile, /<img|<\/td><\/td>/);
    assert.match(hostile, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });
});

Deno.test("html load report: a server that resets shows failing sessions over time", async () => {
  await using server = await startReferenceServer("reset");
  const run = await runLoadWithCensus(new LoadRunner(server.target, LOAD), { census: "off" });
  const verdict = judgeLoad(run);
  assert.equal(verdict.verdict, "fail");
  const html = renderLoadHtml(run.summary, verdict);
  assert.match(html, /class="banner bad" data-verdict="FAIL"/);
  const failing = [...chart(html, "sessions-over-time").matchAll(/: finished, failing (\d+)</g)]
    .map((m) => Number(m[1]));
  assert.equal(failing.reduce((a, b) => a + b, 0), run.summary.outcomes.reset);
  assert.match(html, /No socket census was taken of this run/);
  assert.ok(!chartIds(html).includes("sockets-server"));
});

Deno.test("html suite report: the verdict table", () => {
  const result: SuiteResult = {
    version: 1,
    target: "127.0.0.1:8080",
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 1200,
    strict: false,
    thresholds: [],
    load: null,
    lifecycle: null,
    idle: null,
    interrupted: false,
    status: "failed",
    testerLimit: null,
    passed: false,
    cases: [
      {
        id: "close/answers-fin",
        severity: "MUST",
        requirement: "It answers our FIN",
        verdict: "FAIL",
        expected: "a FIN",
        actual: "20 of 20 sessions got no FIN",
        durationMs: 2000,
      },
      {
        id: "handshake/accepts",
        severity: "MUST",
        requirement: "It accepts",
        verdict: "PASS",
        expected: "accepts",
        actual: "20 of 20",
        durationMs: 3,
      },
    ],
  };
  const html = renderSuiteHtml(result);
  assert.match(html, /class="banner bad" data-verdict="FAILED: 1 FAIL, 1 PASS"/);
  assert.match(html, /<li>close\/answers-fin: 20 of 20 sessions got no FIN<\/li>/);
  assert.match(html, /<td>close\/answers-fin<\/td><td>MUST<\/td><td class="v-FAIL">FAIL<\/td>/);
  assert.match(html, /<td class="v-PASS">PASS<\/td>/);
  assertSelfContained(html);
});

Deno.test("html backlog report: a real sweep's chart", async () => {
  await using server = await startReferenceServer("well-behaved");
  const sweep = await sweepBacklog(server.target, { sizes: [4, 8], holdMs: 50, refine: false });
  const html = renderBacklogHtml([sweep]);
  assert.deepEqual(chartIds(html), ["backlog-sweep"]);
  const answered = [...chart(html, "backlog-sweep").matchAll(/(\d+): first SYN answered (\d+)/g)]
    .map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(answered, [[4, 4], [8, 8]]);
  assert.match(html, /data-verdict="MEASURED: no overflow up to the largest burst \(8\)"/);
  assertSelfContained(html);
  // Two sweeps on one page keep their chart IDs apart.
  assert.deepEqual(chartIds(renderBacklogHtml([sweep, sweep])), [
    "1-backlog-sweep",
    "2-backlog-sweep",
  ]);
});

Deno.test("html on the CLI: the path is checked before anything connects", async (t) => {
  const dir = await Deno.makeTempDir();
  const missing = `${dir}/missing/report.html`;
  // Port 1 refuses: a check after connecting would exit 3, not 2.
  for (
    const args of [
      ["load", "--no-census", "--html", missing, "127.0.0.1:1"],
      ["run", "redis-ping", "--no-census", "--html", missing, "127.0.0.1:1"],
      ["check", "--no-census", "--html", missing, "127.0.0.1:1"],
      ["backlog", "--html", missing, "127.0.0.1:1"],
    ]
  ) {
    await t.step(args[0], async () => {
      const run = await synfin(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`Cannot write --html ${missing}: no such file`));
    });
  }
  await t.step("--html - is a usage error: stdout has the report", async () => {
    const run = await synfin(["load", "--no-census", "--html", "-", "127.0.0.1:1"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--html writes a file: give a path/);
  });
  await Deno.remove(dir, { recursive: true });
});
