/**
 * Renders a backlog sweep and its estimate as text for a terminal: one row
 * per burst, sparklines of the p50/p99 handshake and of the failures per
 * burst, the estimate with its evidence and advice, and the queue settings;
 * and two sweeps side by side.
 *
 * @module
 */

import type { BacklogComparison, ComparedBurst, ComparedSweep } from "../backlog/compare.ts";
import type { BacklogEstimate, BacklogLimit } from "../backlog/estimate.ts";
import type { BacklogSweep, BurstSummary } from "../backlog/sweep_result.ts";
import { burstFailures } from "../backlog/capacity.ts";
import { formatMicros } from "../base/duration.ts";
import { sparkline } from "./sparkline.ts";
import { backlogNotes } from "./backlog_notes.ts";

/**
 * Each limit in a few words.
 *
 * @example
 * ```ts
 * import { BACKLOG_LIMIT_LABEL } from "./backlog_text.ts";
 * console.assert(BACKLOG_LIMIT_LABEL["application-backlog"] === "application backlog");
 * ```
 */
export const BACKLOG_LIMIT_LABEL: Readonly<Record<BacklogLimit, string>> = Object.freeze({
  "application-backlog": "application backlog",
  "somaxconn": "somaxconn",
  "syn-backlog": "SYN backlog",
  "accept-loop": "accept-loop speed",
  "server-gone": "server stopped answering",
  "not-reached": "not reached",
  "unknown": "unknown",
});

/**
 * Renders a sweep and its estimate.
 *
 * @example
 * ```ts
 * import { renderBacklogReport } from "./backlog_text.ts";
 * import { estimateBacklog } from "../backlog/estimate.ts";
 * import { sweepBacklog } from "../backlog/sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const sweep = await sweepBacklog(server.target, { sizes: [4], holdMs: 100 });
 * const text = renderBacklogReport(sweep, estimateBacklog(sweep));
 * console.assert(text.includes("capacity: no overflow up to the largest burst (4)"));
 * ```
 */
export function renderBacklogReport(sweep: BacklogSweep, estimate: BacklogEstimate): string {
  const lines: string[] = [];
  const s = sweep.settings;
  const refined = sweep.bursts.filter((burst) => burst.stage === "refine").length;
  const swept = sweep.bursts.length - refined;
  const ran = [
    swept < s.sizes.length ? `${swept} run` : "",
    refined > 0 ? `+${refined} bisecting` : "",
  ].filter(Boolean).join(", ");
  lines.push(
    `synfin backlog ${sweep.target}  bursts ${sizesText(s.sizes)}${ran ? ` (${ran})` : ""}, ` +
      `hold ${ms(s.holdMs)}, connect timeout ${ms(s.connectTimeoutMs)}`,
  );
  lines.push(settingsLine(sweep), "");

  const bursts = [...sweep.bursts].sort((a, b) => a.size - b.size);
  if (bursts.length === 0) {
    lines.push("no burst ran");
  } else {
    lines.push(...burstTable(bursts), "");
    lines.push(...charts(bursts.filter((burst) => !burst.interrupted)), "");
  }
  lines.push(...estimateLines(estimate));
  lines.push(...backlogNotes(sweep, estimate));
  return lines.join("\n");
}

/**
 * Renders two sweeps side by side: the settings and estimate of each, then
 * per burst size the retransmits, failures and p99 handshake of both.
 *
 * @example
 * ```ts
 * import { renderBacklogComparison } from "./backlog_text.ts";
 * import { compareBacklogSweeps } from "../backlog/compare.ts";
 * import { sweepBacklog } from "../backlog/sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const a = await sweepBacklog(server.target, { sizes: [4], holdMs: 100 });
 * const b = await sweepBacklog(server.target, { sizes: [4, 8], holdMs: 100 });
 * const text = renderBacklogComparison(compareBacklogSweeps(a, b, { labels: ["a", "b"] }));
 * console.assert(/^limit\s+not reached\s+not reached$/m.test(text));
 * ```
 */
export function renderBacklogComparison(comparison: BacklogComparison): string {
  const { a, b } = comparison;
  const lines = ["synfin backlog comparison", ""];
  const row = (name: string, pick: (side: ComparedSweep) => string) => [name, pick(a), pick(b)];
  lines.push(...table([
    ["", `A: ${a.label}`, `B: ${b.label}`],
    row("target", (side) => side.target),
    row("started", (side) => side.startedAt),
    row("backlog (ss)", (side) => side.configuredBacklog?.toString() ?? "unknown"),
    row("somaxconn", (side) => side.sysctls?.somaxconn?.toString() ?? "unknown"),
    row("capacity", (side) => shortCapacity(side.estimate)),
    row("knee", (side) => shortKnee(side.estimate)),
    row("limit", (side) => BACKLOG_LIMIT_LABEL[side.estimate.limit]),
  ], "lll"));
  lines.push("");
  for (const [name, side] of [["A", a], ["B", b]] as const) {
    lines.push(`${name}: ${side.estimate.explanation}`, `   ${side.estimate.advice}`);
  }
  lines.push("");
  const cells = (burst: ComparedBurst | null) =>
    burst === null
      ? ["-", "-", "-"]
      : [num(burst.synRetransmitted), num(burst.failures), formatMicros(burst.p99Us)];
  lines.push(...table([
    ["burst", "A retrans", "A failures", "A p99", "B retrans", "B failures", "B p99"],
    ...comparison.sizes.map((size) => [num(size.size), ...cells(size.a), ...cells(size.b)]),
  ], "r"));
  const failures = (pick: (size: BacklogComparison["sizes"][number]) => ComparedBurst | null) =>
    comparison.sizes.map((size) => pick(size)?.failures ?? NaN);
  const top = Math.max(
    1,
    ...comparison.sizes.flatMap((s) => [s.a?.failures ?? 0, s.b?.failures ?? 0]),
  );
  lines.push("");
  // A space marks a size the sweep did not run.
  lines.push(`failures A  ${sparkline(failures((s) => s.a), { min: 0, max: top })}`.trimEnd());
  lines.push(`failures B  ${sparkline(failures((s) => s.b), { min: 0, max: top })}`.trimEnd());
  lines.push(
    `            one mark per burst size, ${sizesText(comparison.sizes.map((s) => s.size))}`,
  );
  return lines.join("\n");
}

function settingsLine(sweep: BacklogSweep): string {
  const backlog = sweep.configuredBacklog === null
    ? "backlog unknown"
    : `backlog ${sweep.configuredBacklog} (ss Send-Q, queue holds ${sweep.configuredBacklog + 1})`;
  const c = sweep.sysctls;
  if (!c) return `listener: ${backlog}; queue sysctls: server not on this host`;
  const v = (value: number | null) => value ?? "unknown";
  return `listener: ${backlog}; somaxconn ${v(c.somaxconn)}, tcp_max_syn_backlog ` +
    `${v(c.tcpMaxSynBacklog)}, tcp_syncookies ${v(c.tcpSyncookies)}, tcp_abort_on_overflow ` +
    `${v(c.tcpAbortOnOverflow)}`;
}

function burstTable(bursts: BurstSummary[]): string[] {
  const header = [
    "burst",
    "stage",
    "spread",
    "first-SYN",
    "retrans",
    "reset/timeout",
    "refused",
    "half-open",
    "overflows",
    "peak queue",
    "p50",
    "p99",
    "queue wait",
  ];
  const rows = bursts.map((burst) => [
    num(burst.size),
    burst.interrupted ? "stopped" : burst.stage,
    `${burst.spreadMs.toFixed(1)}ms`,
    num(burst.firstSyn),
    num(burst.synRetransmitted),
    `${num(burst.resets)}/${num(burst.connectTimeouts)}`,
    num(burst.refused),
    orDash(burst.halfOpen),
    orDash(burst.counters?.listenOverflows ?? null),
    orDash(burst.acceptQueuePeak),
    burst.handshake.count === 0 ? "-" : formatMicros(burst.handshake.p50Us),
    burst.handshake.count === 0 ? "-" : formatMicros(burst.handshake.p99Us),
    burst.queueWaitMs === null ? "-" : burst.queueWaitMs === 0 ? "0" : ms(burst.queueWaitMs),
  ]);
  return table([header, ...rows], "rl");
}

function charts(bursts: BurstSummary[]): string[] {
  if (bursts.length === 0) return ["no burst completed"];
  const timed = bursts.filter((burst) => burst.handshake.count > 0);
  const p50 = bursts.map((burst) => burst.handshake.count > 0 ? burst.handshake.p50Us : NaN);
  const p99 = bursts.map((burst) => burst.handshake.count > 0 ? burst.handshake.p99Us : NaN);
  const failures = bursts.map(burstFailures);
  const lines: string[] = [];
  if (timed.length > 0) {
    // One scale for both lines, so a p99 bar and a p50 bar of one height mean the same time.
    const min = Math.max(1, Math.min(...timed.map((burst) => burst.handshake.p50Us)));
    const max = Math.max(min, ...timed.map((burst) => burst.handshake.p99Us));
    lines.push(
      `handshake p50  ${sparkline(p50, { log: true, min, max })}`,
      `handshake p99  ${sparkline(p99, { log: true, min, max })}  ` +
        `(log scale, ${formatMicros(min)} .. ${formatMicros(max)})`,
    );
  }
  const top = Math.max(0, ...failures);
  lines.push(
    `failures       ${sparkline(failures, { min: 0, max: Math.max(1, top) })}  ` +
      `(0 .. ${num(top)}: retransmits + resets + timeouts + half-open + other)`,
    `               one mark per burst, ${sizesText(bursts.map((burst) => burst.size))}`,
  );
  return lines;
}

function estimateLines(e: BacklogEstimate): string[] {
  const lines = [
    `capacity: ${capacityText(e)}`,
    `knee: ${kneeText(e)}`,
    `limit: ${BACKLOG_LIMIT_LABEL[e.limit]}`,
    `  ${e.explanation}`,
    `  what to change: ${e.advice}`,
  ];
  if (e.evidence.length > 0) {
    lines.push("", "evidence (failing bursts; kernel counters cover the whole namespace)");
    lines.push(
      ...table([
        [
          "burst",
          "retrans",
          "resets",
          "timeouts",
          "refused",
          "half-open",
          "ListenOverflows",
          "ListenDrops",
          "SyncookiesSent",
          "peak queue",
          "p99",
        ],
        ...e.evidence.map((x) => [
          num(x.size),
          num(x.synRetransmitted),
          num(x.resets),
          num(x.connectTimeouts),
          num(x.refused),
          orDash(x.halfOpen),
          orDash(x.listenOverflows),
          orDash(x.listenDrops),
          orDash(x.syncookiesSent),
          orDash(x.acceptQueuePeak),
          formatMicros(x.p99Us),
        ]),
      ], "r").map((line) => `  ${line}`),
    );
  }
  return lines;
}

function capacityText(e: BacklogEstimate): string {
  if (e.unreliable !== null) return e.unreliable;
  if (e.largestBurst === 0) return "unknown (no burst completed)";
  if (e.firstFailing === null) {
    return `no overflow up to the largest burst (${num(e.largestBurst)})`;
  }
  if (e.capacity === null) return `below ${num(e.firstFailing)} (the smallest burst failed)`;
  const exact = e.firstFailing - e.capacity === 1;
  return `${num(e.capacity)} connects (largest clean burst; ${num(e.firstFailing)} failed` +
    (exact ? ")" : `: the limit lies in between)`);
}

function shortCapacity(e: BacklogEstimate): string {
  if (e.limit === "server-gone") return "none (server stopped answering)";
  if (e.unreliable !== null) return "unreliable (queue not drained)";
  if (e.largestBurst === 0) return "unknown";
  if (e.firstFailing === null) return `no overflow up to ${num(e.largestBurst)}`;
  const held = e.capacity === null ? `below ${num(e.firstFailing)}` : num(e.capacity);
  return `${held} (${num(e.firstFailing)} failed)`;
}

function shortKnee(e: BacklogEstimate): string {
  return e.knee === null ? "none" : `${num(e.knee)} (p99 ${formatMicros(e.kneeP99Us ?? 0)})`;
}

function kneeText(e: BacklogEstimate): string {
  if (e.knee === null) return "none (p99 handshake stayed below the SYN retransmission timeout)";
  return `burst ${num(e.knee)} (p99 handshake ${
    formatMicros(e.kneeP99Us ?? 0)
  }: SYNs retransmitted)`;
}

function sizesText(sizes: readonly number[]): string {
  if (sizes.length === 0) return "none";
  if (sizes.length <= 4) return sizes.join(", ");
  return `${sizes[0]}..${sizes.at(-1)} (${sizes.length} sizes)`;
}

function ms(value: number): string {
  return formatMicros(value * 1000);
}

function orDash(value: number | null): string {
  return value === null ? "-" : num(value);
}

function num(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/**
 * Aligns columns: `align` has one letter per column, `l` or `r`; columns past
 * its end are right-aligned (numbers), and the first column is left-aligned
 * unless `align` says otherwise.
 */
function table(rows: string[][], align = "l"): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  return rows.map((row) =>
    row.map((cell, col) =>
      (align[col] ?? "r") === "l" ? cell.padEnd(widths[col]) : cell.padStart(widths[col])
    ).join("  ").trimEnd()
  );
}
