/**
 * The HTML sections of one load's summary: the run, its outcomes over
 * time, latency (percentile curves and a histogram per phase), scripted
 * checks, the socket census and the tester's self-diagnosis. Used by the
 * `load` report and by the `check` report for the loads its cases ran.
 *
 * @module
 */

import type { LoadSummary, PhaseSummary } from "../census/load_summary.ts";
import type { SocketReport } from "../census/socket_report.ts";
import { destinationLabel } from "../base/target.ts";
import { CENSUS_STATES } from "../census/census.ts";
import { OUTCOMES } from "../engine/outcome.ts";
import { TIMED_PHASES } from "../engine/tally.ts";
import { testerLimitIn } from "../suite/tester_limit.ts";
import { loopBusyShare, testerSaturation } from "../engine/tester_saturation.ts";
import { OUTCOME_MEANING } from "./load_text.ts";
import {
  latencyHistogramChart,
  percentileCurveChart,
  sessionsOverTimeChart,
  socketStatesChart,
} from "./html_charts.ts";
import { type Cell, chartRow, section, table } from "./html_page.ts";
import { escapeXml, formatUs } from "./html_axes.ts";

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Every section of one load summary, as HTML. `prefix` goes before each
 * section and chart ID, so one page can hold two loads (`check` has the
 * steady load and the lifecycle run).
 *
 * @example
 * ```ts
 * import { loadSections } from "./html_load.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const summary = summarizeLoad(await new LoadRunner(server.target, { sessions: 10 }).run());
 * const html = loadSections(summary);
 * console.assert(html.includes('data-chart="histogram-handshake"'));
 * console.assert(html.includes('data-chart="sessions-over-time"'));
 * ```
 */
export function loadSections(summary: LoadSummary, prefix = ""): string {
  return [
    section(`${prefix}run`, "The run", runTable(summary)),
    section(
      `${prefix}outcomes`,
      "Outcomes",
      chartRow([
        `<div>${outcomesTable(summary)}</div>`,
        sessionsOverTimeChart(summary.timeSeries, prefix),
      ]),
    ),
    section(`${prefix}latency`, "Latency", latency(summary, prefix)),
    summary.checks?.length ? section(`${prefix}checks`, "Checks", checksTable(summary)) : "",
    section(`${prefix}sockets`, "Socket census", census(summary, prefix)),
    section(`${prefix}tester`, "The tester's self-diagnosis", testerTable(summary)),
  ].join("");
}

function runTable(s: LoadSummary): string {
  const l = s.load;
  const rows: Cell[][] = [
    ["target", s.target],
    ["started", s.startedAt],
    ["duration", `${(s.durationMs / 1000).toFixed(2)} s, stopped by ${s.stoppedBy}`],
    ["sessions", `${s.sessions.toLocaleString("en-US")} (${s.sessionsPerSecond}/s)`],
    [
      "load",
      l.loop === "open"
        ? `open loop at ${l.rate}/s, at most ${l.concurrency} in flight`
        : `closed loop, ${l.concurrency} in flight`,
    ],
    ["engine", `${l.engine}, ${l.maxInFlightPerEventLoop.length} event loop(s)`],
    [
      "session",
      `send ${l.sendBytes} bytes, hold ${l.holdMs} ms, connect timeout ` +
      `${l.connectTimeoutMs} ms, close timeout ${l.closeTimeoutMs} ms`,
    ],
  ];
  if (s.scenario) rows.push(["scenario", s.scenario.name]);
  if (s.tags) {
    rows.push(["tags", Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(", ")]);
  }
  return table(["", ""], rows);
}

function outcomesTable(s: LoadSummary): string {
  const rows = OUTCOMES.filter((o) => s.outcomes[o] > 0).map((o): Cell[] => [
    o,
    s.outcomes[o],
    OUTCOME_MEANING[o],
  ]);
  const errors = s.errors.length
    ? table(
      ["phase", "errno", "failed operations"],
      s.errors.map((e) => [e.phase, e.errno, e.count]),
    )
    : "";
  return table(["outcome", "sessions", "meaning"], rows) + errors;
}

function statsRows(phases: Readonly<Record<string, PhaseSummary>>): Cell[][] {
  return Object.entries(phases).filter(([, p]) => p.count > 0).map(([name, p]) => [
    name,
    p.count,
    ...[p.minUs, p.p50Us, p.p90Us, p.p99Us, p.p999Us, p.maxUs].map(formatUs),
  ]);
}

const STATS_HEAD = ["phase", "count", "min", "p50", "p90", "p99", "p99.9", "max"];

function latency(s: LoadSummary, prefix: string): string {
  const phases = Object.fromEntries(TIMED_PHASES.map((p) => [p, s.phases[p]]));
  const histograms = TIMED_PHASES.filter((p) => s.phases[p].count > 0)
    .map((p) => latencyHistogramChart(p, s.phases[p], prefix));
  let html = table(STATS_HEAD, statsRows(phases)) + chartRow([
    percentileCurveChart(`${prefix}percentiles`, "Latency by percentile, per phase", phases),
    ...histograms,
  ]);
  if (s.marks && Object.keys(s.marks).length > 0) {
    html += `<h3>Marks</h3>` + table(["mark", ...STATS_HEAD.slice(1)], statsRows(s.marks)) +
      chartRow([percentileCurveChart(`${prefix}mark-percentiles`, "Marks by percentile", s.marks)]);
  }
  return html;
}

function checksTable(s: LoadSummary): string {
  return table(
    ["check", "passes", "fails"],
    (s.checks ?? []).map((c) => [
      c.name + (c.tags ? ` {${Object.entries(c.tags).map(([k, v]) => `${k}:${v}`)}}` : ""),
      c.passes,
      c.fails > 0 ? { text: String(c.fails), class: "v-FAIL" } : c.fails,
    ]),
  );
}

function census(s: LoadSummary, prefix: string): string {
  const sockets = s.sockets;
  if (sockets === undefined) return `<p>No socket census was taken of this run.</p>`;
  if (!sockets.available) return `<p>No census: ${escapeXml(sockets.reason)}</p>`;
  const charts = [socketStatesChart(sockets, "server", prefix)];
  if (sockets.tester !== null) charts.push(socketStatesChart(sockets, "tester", prefix));
  return `<p>Server table: ${escapeXml(sockets.source)}; tester table: ` +
    `${escapeXml(sockets.testerSource ?? "not readable")}; ${sockets.samples} censuses, ` +
    `drained after ${sockets.drainedAfterMs} ms of ${sockets.drainWindowMs} ms.</p>` +
    chartRow(charts) + trackTable(sockets);
}

function trackTable(r: SocketReport): string {
  const rows: Cell[][] = [];
  for (const state of CENSUS_STATES) {
    for (const [side, tracks] of [["server", r.server], ["tester", r.tester]] as const) {
      const t = tracks?.[state];
      if (!t || (t.baseline === 0 && t.peak === 0 && t.end === 0 && t.drained === 0)) continue;
      rows.push([`${side} ${state}`, t.baseline, t.peak, t.end, t.drained]);
    }
  }
  const q = r.acceptQueue;
  if (q) {
    rows.push([`accept queue (backlog ${q.backlog ?? "?"})`, q.baseline, q.peak, q.end, q.drained]);
  }
  rows.push(["half-open connections", "", r.halfOpen, "", ""]);
  return table(["sockets", "baseline", "peak (+)", "end (+)", "after drain (+)"], rows);
}

/**
 * What the run cost synfin and whether synfin itself was the limit: a
 * load tester out of memory, descriptors or ports measures itself.
 */
function testerTable(s: LoadSummary): string {
  const t = s.tester;
  const processes = t.generators?.count ?? 1;
  const rows: Cell[][] = [
    ["resident memory", `${mb(t.rssBeforeBytes)} before, ${mb(t.rssPeakBytes)} at peak`],
    [
      "per session in flight",
      t.bytesPerSessionInFlight === null
        ? "not sampled"
        : `${(t.bytesPerSessionInFlight / 1000).toFixed(1)} KB (${t.peakInFlight} in flight)`,
    ],
    [
      "file descriptors",
      t.fdLimit === null
        ? "limit unknown"
        : `${t.peakInFlight} in flight of ${t.fdLimit * processes} allowed` +
          (t.peakInFlight >= 0.9 * t.fdLimit * processes
            ? ": the tester's own limit was near"
            : ""),
    ],
    ["most in flight per event loop", s.load.maxInFlightPerEventLoop.join(", ")],
  ];
  const ports = s.lingering?.testerPorts;
  if (ports) {
    const range = ports.ephemeralPorts === null ? "" : ` of ${ports.ephemeralPorts}`;
    const near = ports.nearRange ? ": the tester's own limit was near" : "";
    rows.push([
      "client ports (fullest census)",
      `${ports.peak}${range} toward ` +
      `${destinationLabel(ports.address, ports.port)} at ` +
      `${(ports.atMs / 1000).toFixed(1)} s${near}`,
    ]);
  }
  if (t.eventLoops) {
    const saturated = testerSaturation(t) !== null;
    const busy = t.eventLoops.map((loop) => `${Math.round(loopBusyShare(loop) * 100)}%`);
    rows.push([
      "event loops busy",
      busy.join(", ") + (saturated ? ": synfin set the pace, not the server" : ""),
    ]);
  }
  if (t.generators) rows.push(["generator processes", `${processes}: ${t.generators.reason}`]);
  if (s.intendedStarts !== null) {
    const dropped = s.droppedStarts;
    rows.push([
      "open-loop schedule",
      dropped > 0
        ? {
          text: `${dropped} of ${s.intendedStarts} starts dropped at the in-flight cap`,
          class: "v-WARN",
        }
        : `all ${s.intendedStarts} starts made on time`,
    ]);
  }
  if (s.kernel) {
    rows.push([
      "TCP_INFO evidence",
      `${s.kernel.sessions} sessions, ${s.kernel.synRetransmits} SYN retransmits`,
    ]);
  }
  const limit = testerLimitIn([s]);
  rows.push([
    "verdict on the tester",
    limit
      ? { text: limit.reason, class: "v-FAIL" }
      : { text: "no tester limit: what was measured is the server's", class: "v-PASS" },
  ]);
  return table(["", ""], rows);
}
