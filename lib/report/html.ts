/**
 * The HTML report (`--html FILE`) of `load`, `run`, `check`, `backlog` and `merge`:
 * one self-contained page with the verdict, tables and server-rendered SVG
 * charts, from the same typed results the JSON and text reports come from.
 * No script and no fetch (its Content-Security-Policy forbids both), so it
 * opens offline, from a CI artifact, years later.
 *
 * @module
 */

import type { LoadSummary } from "../census/load_summary.ts";
import type { LoadVerdict } from "../census/load_verdict.ts";
import type { MergedSummary } from "../census/merge_summaries.ts";
import type { SuiteResult } from "../suite/runner.ts";
import type { ThresholdResult } from "../suite/threshold.ts";
import type { BacklogSweep } from "../backlog/sweep_result.ts";
import { type BacklogEstimate, estimateBacklog } from "../backlog/estimate.ts";
import { judgeSweep } from "../backlog/verdict.ts";
import { renderTextReport } from "./load_text.ts";
import { renderSuiteReport } from "./suite_text.ts";
import { renderBacklogReport } from "./backlog_text.ts";
import { backlogSweepChart } from "./html_charts.ts";
import { loadSections } from "./html_load.ts";
import {
  chartRow,
  htmlDocument,
  section,
  table,
  textDetails,
  type Tone,
  verdictBanner,
} from "./html_page.ts";
import { escapeXml, formatUs } from "./html_axes.ts";
import { VERSION } from "../base/version.ts";

const GENERATOR = `synfin ${VERSION}`;

function thresholdsTable(thresholds: readonly ThresholdResult[]): string {
  if (thresholds.length === 0) return "";
  return table(
    ["threshold", "verdict", "measured"],
    thresholds.map((t) => [
      t.expression,
      t.passed ? { text: "PASS", class: "v-PASS" } : { text: "FAIL", class: "v-FAIL" },
      t.message,
    ]),
  );
}

const LOAD_TONE: Record<LoadVerdict["verdict"], Tone> = {
  pass: "good",
  fail: "bad",
  "tester-limit": "warn",
  interrupted: "neutral",
};

/**
 * The report of a `load` or `run`: its verdict and thresholds, then every
 * section of the summary (see `loadSections`) and the text report, folded.
 *
 * @example
 * ```ts
 * import { renderLoadHtml } from "./html.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const summary = summarizeLoad(await new LoadRunner(server.target, { sessions: 10 }).run());
 * const html = renderLoadHtml(summary, { verdict: "pass", reasons: [] });
 * console.assert(html.includes('data-verdict="PASS"') && html.includes("<svg"));
 * ```
 */
export function renderLoadHtml(
  summary: LoadSummary,
  { verdict, reasons }: LoadVerdict,
  thresholds: readonly ThresholdResult[] = [],
): string {
  const failed = thresholds.filter((t) => !t.passed);
  const fails = verdict === "pass" && failed.length > 0;
  const headline = fails ? "FAIL" : verdict.toUpperCase();
  const why = fails ? [`thresholds ${failed.map((t) => t.expression).join(", ")}`] : reasons;
  const what = summary.scenario ? `run ${summary.scenario.name}` : "load";
  return loadPage(summary, {
    banner: verdictBanner(fails ? "bad" : LOAD_TONE[verdict], headline, why),
    thresholds,
    text: renderTextReport(summary, { thresholds }),
    title: `synfin ${what} ${summary.target}`,
    subtitle: `${summary.startedAt}, ${summary.sessions} sessions; ${GENERATOR}`,
  });
}

/**
 * The report of a `merge`: the page {@link renderLoadHtml} draws of one
 * load, of the merged summary (its charts from the added histograms, so of
 * every sample of every generator), with the merged summaries listed. Its
 * verdict is the merge's exit code's: the thresholds on the merged result
 * (PASS without any); `coverage` (the `--segment` line) is said under it
 * when the segments are not the whole load. `text` is the text report as
 * printed (default: the merged summary's load report).
 *
 * @example
 * ```ts
 * import { renderMergedHtml } from "./html.ts";
 * import { mergeSummaries } from "../census/merge_summaries.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const run = async () => summarizeLoad(await new LoadRunner(server.target, { sessions: 5 }).run());
 * const merged = mergeSummaries([{ label: "a", summary: await run() }, { label: "b", summary: await run() }]);
 * const html = renderMergedHtml(merged);
 * console.assert(html.includes('data-verdict="PASS"') && html.includes("(10 sessions)"));
 * ```
 */
export function renderMergedHtml(
  merged: MergedSummary,
  thresholds: readonly ThresholdResult[] = [],
  { coverage, text }: { coverage?: string; text?: string } = {},
): string {
  const failed = thresholds.filter((t) => !t.passed);
  const { inputs, labels, segments, withoutSegment } = merged.merged;
  const whole = segments === null || (segments.complete && withoutSegment.length === 0);
  const why = [
    ...(failed.length > 0 ? [`thresholds ${failed.map((t) => t.expression).join(", ")}`] : []),
    ...(coverage && !whole ? [coverage] : []),
  ];
  const tone: Tone = failed.length > 0 ? "bad" : whole ? "good" : "warn";
  const what = merged.scenario ? `run ${merged.scenario.name}` : "load";
  return loadPage(merged, {
    banner: verdictBanner(tone, failed.length > 0 ? "FAIL" : "PASS", why),
    thresholds,
    before: section(
      "merged",
      "Merged summaries",
      table(["summary"], labels.map((label) => [label])) +
        (coverage ? `<p>${escapeXml(coverage)}</p>` : ""),
    ),
    text: text ?? renderTextReport(merged, { thresholds }),
    title: `synfin merge: ${what} ${merged.target}`,
    subtitle: `${merged.startedAt}, ${merged.sessions} sessions from ${inputs} summaries; ` +
      GENERATOR,
  });
}

/** The page of one load: verdict and thresholds, `before`, the load's sections, the text. */
function loadPage(summary: LoadSummary, page: {
  banner: string;
  thresholds: readonly ThresholdResult[];
  before?: string;
  text: string;
  title: string;
  subtitle: string;
}): string {
  const body = section("verdict", "Verdict", page.banner + thresholdsTable(page.thresholds)) +
    (page.before ?? "") + loadSections(summary) +
    section("text", "Text report", textDetails("as printed", page.text));
  return htmlDocument({ title: page.title, subtitle: page.subtitle, body });
}

const SUITE_TONE: Record<SuiteResult["status"], Tone> = {
  passed: "good",
  failed: "bad",
  "tester-limit": "warn",
  interrupted: "neutral",
};

/**
 * The report of a `check`: the suite's status, the verdict table (one row
 * per case: severity, verdict, expected, actual), the thresholds, and the
 * sections of the loads its cases ran (`load/steady`, the lifecycle run
 * with its census).
 *
 * @example
 * ```ts
 * import { renderSuiteHtml } from "./html.ts";
 * const html = renderSuiteHtml({
 *   version: 1, target: "127.0.0.1:8080", startedAt: "2026-01-01T00:00:00.000Z",
 *   durationMs: 10, strict: false, thresholds: [], load: null, lifecycle: null, idle: null,
 *   interrupted: false, status: "passed", testerLimit: null, passed: true,
 *   cases: [{
 *     id: "handshake/accepts", severity: "MUST", requirement: "It accepts", verdict: "PASS",
 *     expected: "accepts", actual: "accepted 5 of 5", durationMs: 3,
 *   }],
 * });
 * console.assert(html.includes('id="cases"') && html.includes('class="v-PASS"'));
 * ```
 */
export function renderSuiteHtml(result: SuiteResult): string {
  const counts = new Map<string, number>();
  for (const c of result.cases) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const tally = [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(", ");
  const reasons = [
    ...result.cases.filter((c) => c.verdict === "FAIL").map((c) => `${c.id}: ${c.actual}`),
    ...result.thresholds.filter((t) => !t.passed).map((t) => `${t.expression}: ${t.message}`),
    ...(result.testerLimit ? [result.testerLimit] : []),
  ];
  const rows = result.cases.map((c) => [
    c.id,
    c.severity,
    { text: c.verdict, class: `v-${c.verdict}` },
    c.requirement,
    c.expected,
    c.reason ?? c.testerLimit ?? c.actual,
    `${c.durationMs} ms`,
  ]);
  let body = section(
    "verdict",
    "Verdict",
    verdictBanner(SUITE_TONE[result.status], `${result.status.toUpperCase()}: ${tally}`, reasons) +
      thresholdsTable(result.thresholds),
  ) + section(
    "cases",
    "Cases",
    table(["case", "severity", "verdict", "requirement", "expected", "actual", "took"], rows),
  );
  if (result.load) body += `<h2>load/steady</h2>` + loadSections(result.load, "steady-");
  if (result.lifecycle) {
    body += `<h2>The lifecycle run</h2>` + loadSections(result.lifecycle, "lifecycle-");
  }
  body += section("text", "Text report", textDetails("as printed", renderSuiteReport(result)));
  return htmlDocument({
    title: `synfin check ${result.target}`,
    subtitle: `${result.startedAt}, ${result.cases.length} cases in ` +
      `${(result.durationMs / 1000).toFixed(1)} s${result.strict ? ", strict" : ""}; ${GENERATOR}`,
    body,
  });
}

/** The estimate in words that follow the verdict, as the text report's `capacity:` line. */
function capacityWords(e: BacklogEstimate): string {
  if (e.unreliable !== null) return `no capacity claimed: ${e.unreliable}`;
  if (e.firstFailing === null) return `no overflow up to the largest burst (${e.largestBurst})`;
  if (e.capacity === null) return `capacity below the first failing burst (${e.firstFailing})`;
  return `accept-queue capacity ${e.capacity} (first failing burst ${e.firstFailing})`;
}

/**
 * The report of a `backlog` sweep (or two, compared): per target its
 * estimate and verdict, the sweep chart and every burst.
 *
 * @example
 * ```ts
 * import { renderBacklogHtml } from "./html.ts";
 * import { sweepBacklog } from "../backlog/sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const sweep = await sweepBacklog(server.target, { sizes: [4, 8], holdMs: 50 });
 * console.assert(renderBacklogHtml([sweep]).includes('data-chart="backlog-sweep"'));
 * ```
 */
export function renderBacklogHtml(sweeps: readonly BacklogSweep[]): string {
  const body = sweeps.map((sweep, i) => {
    const prefix = sweeps.length > 1 ? `${i + 1}-` : "";
    const estimate = estimateBacklog(sweep);
    const verdict = judgeSweep(sweep, estimate);
    const tone: Tone = verdict.kind === "measured"
      ? "good"
      : verdict.kind === "interrupted"
      ? "neutral"
      : verdict.kind === "tester-limit"
      ? "warn"
      : "bad";
    const capacity = capacityWords(estimate);
    const bursts = sweep.bursts.map((b) => [
      b.size,
      b.stage,
      b.firstSyn,
      b.synRetransmitted,
      b.connectTimeouts,
      b.resets,
      b.acceptQueuePeak ?? "",
      formatUs(b.handshake.p99Us),
    ]);
    const chart = backlogSweepChart(sweep, prefix);
    return section(
      `${prefix}backlog`,
      `Backlog sweep of ${sweep.target}`,
      verdictBanner(tone, `${verdict.kind.toUpperCase()}: ${capacity}`, [
        ...(verdict.message ? [verdict.message] : []),
      ]) + chartRow([chart]) +
        table(
          [
            "burst",
            "stage",
            "first SYN",
            "SYN retransmitted",
            "timeouts",
            "resets",
            "queue peak",
            "p99 handshake",
          ],
          bursts,
        ) + textDetails("Text report, as printed", renderBacklogReport(sweep, estimate)),
    );
  }).join("");
  return htmlDocument({
    title: `synfin backlog ${sweeps.map((s) => s.target).join(" vs ")}`,
    subtitle: `${sweeps[0]?.startedAt ?? ""}; ${GENERATOR}`,
    body,
  });
}
