/**
 * Renders a load summary as text for a terminal: per-phase percentiles,
 * outcome counts, grouped errors, log-scaled latency bars and the
 * thresholds' verdicts.
 *
 * @module
 */

import type { KernelEvidenceTally } from "../engine/kernel_evidence.ts";
import type { TesterUsage } from "../engine/load.ts";
import { SATURATED_LOOP_BUSY, testerSaturation } from "../engine/tester_saturation.ts";
import { formatMicros } from "../base/duration.ts";
import { LatencyHistogram } from "../engine/histogram.ts";
import { type Outcome, OUTCOMES } from "../engine/outcome.ts";
import type { LoadSummary } from "../census/load_summary.ts";
import { TIMED_PHASES, type TimedPhase } from "../engine/tally.ts";
import { noFinMeaning, renderSocketReport } from "./socket_text.ts";
import { testerLimitIn } from "../suite/tester_limit.ts";
import type { ThresholdResult } from "../suite/threshold.ts";
import { scenarioLines } from "./scenario_text.ts";
import { TLS_ERRNO_WORDS } from "../engine/tls.ts";

/** What each outcome means, in the server author's terms. */
export const OUTCOME_MEANING: Record<Outcome, string> = {
  "clean": "we sent FIN, the server answered with its FIN",
  "server-closed-first": "the server sent the first FIN: it holds the TIME_WAIT",
  "reset": "the server sent an RST instead of closing gracefully",
  "no-fin": "the server never answered our FIN: its socket sits in CLOSE_WAIT",
  "refused": "the SYN was refused: nothing listening",
  "connect-timeout": "the handshake did not finish in time",
  "tester-limit": "synfin ran out of file descriptors or ephemeral ports",
  "interrupted": "stopped by the user while open",
  "aborted": "the scenario ended it with our own RST (abort())",
  "error": "another error (see errors), or the scenario threw",
};

/**
 * An outcome's meaning in this run: sessions still open when synfin's own
 * fd or port limit stopped the run were cut by that limit, not by the user.
 */
function outcomeMeaning(outcome: Outcome, summary: LoadSummary): string {
  // The census tells a FIN acknowledged (server in CLOSE_WAIT) from one never acknowledged.
  if (outcome === "no-fin") return noFinMeaning(summary.lingering);
  if (outcome !== "interrupted" || summary.stoppedBy !== "tester-limit") {
    return OUTCOME_MEANING[outcome];
  }
  const limit = testerLimitIn([summary]);
  const what = limit && limit.errno !== "tester-limit"
    ? `${limit.resource} (${limit.errno})`
    : "file descriptors or local ports";
  return `stopped when synfin ran out of ${what}, while open`;
}

const PHASE_LABEL: Record<TimedPhase, string> = {
  handshake: "handshake",
  tls: "tls handshake",
  firstByte: "first byte",
  close: "close",
};

/** Options of {@link renderTextReport}. */
export interface TextReportOptions {
  /**
   * Width of the longest bar, in characters.
   *
   * @default {40}
   */
  barWidth?: number;
  /**
   * The thresholds' verdicts, one line each at the end (`PASS` or `FAIL`,
   * the value and the limit), as `check` prints them; none: no section.
   *
   * @default {[]}
   */
  thresholds?: readonly ThresholdResult[];
}

/**
 * Renders the summary as text.
 *
 * @example
 * ```ts
 * import { renderTextReport } from "./load_text.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await new LoadRunner(server.target, { sessions: 20, concurrency: 4 }).run();
 * const text = renderTextReport(summarizeLoad(result), { barWidth: 20 });
 * console.assert(/clean\s+20\b/.test(text));
 * ```
 */
export function renderTextReport(summary: LoadSummary, options: TextReportOptions = {}): string {
  const barWidth = options.barWidth ?? 40;
  const lines: string[] = [];
  const load = summary.load;
  const shape = load.loop === "closed"
    ? `closed loop, concurrency ${load.concurrency}`
    : `open loop, ${num(load.rate ?? 0)} sessions/s, at most ${load.concurrency} in flight`;
  const extras = [
    load.sendBytes > 0 ? `send ${load.sendBytes} B` : "",
    load.holdMs > 0 ? `hold ${load.holdMs}ms` : "",
  ].filter(Boolean).join(", ");
  const scenario = summary.scenario ? `scenario ${summary.scenario.name}, ` : "";
  lines.push(`synfin ${summary.target}  ${scenario}${shape}${extras ? `, ${extras}` : ""}`);
  lines.push(
    `${num(summary.sessions)} sessions in ${(summary.durationMs / 1000).toFixed(2)}s ` +
      `(${num(summary.sessionsPerSecond)} sessions/s), stopped by ${summary.stoppedBy}, ` +
      `${load.engine} engine, ${load.maxInFlightPerEventLoop.length} event loops`,
  );
  lines.push("");

  const header = ["phase", "count", "min", "p50", "p90", "p99", "p99.9", "max"];
  // Without a payload there is no first byte to time, without --tls no TLS
  // handshake: leave their rows out.
  const phases = TIMED_PHASES.filter((phase) =>
    phase === "tls"
      ? summary.phases.tls?.count > 0
      : phase !== "firstByte" || load.sendBytes > 0 || summary.phases.firstByte.count > 0
  );
  // A scenario's marks are phases of its own, in the same table.
  const named = [
    ...phases.map((phase) => [PHASE_LABEL[phase], summary.phases[phase]] as const),
    ...Object.entries(summary.marks ?? {}).map(([series, s]) => [`mark.${series}`, s] as const),
  ];
  const rows = named.map(([label, s]) => {
    if (s.count === 0) return [label, "0", "-", "-", "-", "-", "-", "-"];
    return [
      label,
      num(s.count),
      ...[s.minUs, s.p50Us, s.p90Us, s.p99Us, s.p999Us, s.maxUs].map(formatMicros),
    ];
  });
  lines.push(...table([header, ...rows]));
  lines.push("");

  lines.push("outcomes");
  const total = Math.max(1, summary.sessions);
  const outcomeRows = OUTCOMES.filter((o) => summary.outcomes[o] > 0).map((o) => [
    `  ${o}`,
    num(summary.outcomes[o]),
    `${((summary.outcomes[o] / total) * 100).toFixed(2)}%`,
    outcomeMeaning(o, summary),
  ]);
  lines.push(...(outcomeRows.length > 0 ? table(outcomeRows) : ["  (no sessions)"]));
  if (summary.noResponse > 0) {
    lines.push(`  ${num(summary.noResponse)} sessions got no response byte to their payload`);
  }
  if (summary.droppedStarts > 0) {
    lines.push(
      `  dropped starts: ${num(summary.droppedStarts)} of ${num(summary.intendedStarts ?? 0)} ` +
        `intended (the in-flight cap of ${num(load.concurrency)} was reached): ` +
        "the server is slower than the rate",
    );
  }
  if (summary.tls && summary.tls.closeNotify + summary.tls.bareFin > 0) {
    lines.push(tlsCloseLine(summary.tls));
  }
  const uncounted = uncountedServerTimeWait(summary);
  if (uncounted) lines.push(uncounted);

  lines.push(...scenarioLines(summary));
  if (summary.kernel) lines.push("", ...kernelLines(summary.kernel));
  lines.push("", testerLine(summary.tester));

  if (summary.errors.length > 0) {
    lines.push("", "errors");
    lines.push(...table([
      ["  phase", "errno", "count"],
      // A TLS code is synfin's, not the kernel's: its words go with it.
      ...summary.errors.map((e) =>
        [`  ${e.phase}`, e.errno, num(e.count), TLS_ERRNO_WORDS[e.errno] ?? ""].filter(Boolean)
      ),
    ]));
  }

  for (const phase of TIMED_PHASES) {
    const encoded = summary.phases[phase];
    if (!encoded || encoded.count === 0) continue;
    lines.push("", `${PHASE_LABEL[phase]} latency (log-scaled buckets)`);
    lines.push(...bars(LatencyHistogram.decode(encoded.histogram), barWidth));
  }
  if (summary.sockets && summary.lingering) {
    lines.push("", ...renderSocketReport(summary.sockets, summary.lingering));
  }
  const thresholds = options.thresholds ?? [];
  if (thresholds.length > 0) {
    lines.push("", "thresholds");
    for (const t of thresholds) lines.push(`  ${t.passed ? "PASS" : "FAIL"}  ${t.message}`);
  }
  return lines.join("\n");
}

/**
 * The stderr note of an open loop that dropped starts, or `undefined` when
 * it dropped none: the rate asked for was not what the server got.
 *
 * @example
 * ```ts
 * import { droppedStartsNote } from "./load_text.ts";
 * import type { LoadSummary } from "../census/load_summary.ts";
 * const summary = { droppedStarts: 930, intendedStarts: 1000, load: { concurrency: 10 } };
 * console.assert(droppedStartsNote(summary as LoadSummary)?.startsWith("930 of 1,000"));
 * ```
 */
export function droppedStartsNote(summary: LoadSummary): string | undefined {
  if (!(summary.droppedStarts > 0)) return undefined;
  return `${num(summary.droppedStarts)} of ${num(summary.intendedStarts ?? 0)} intended starts ` +
    `dropped: the in-flight cap of ${num(summary.load.concurrency)} was reached`;
}

function bars(histogram: LatencyHistogram, width: number): string[] {
  const buckets = histogram.logBuckets();
  const peak = Math.max(...buckets.map((b) => b.count));
  const total = histogram.count;
  const rows = buckets.map((b) => {
    // A lone 1 s retransmit among thousands still gets one mark.
    const length = b.count === 0 ? 0 : Math.max(1, Math.round((b.count / peak) * width));
    return [
      `  ${formatMicros(b.fromUs)}-${formatMicros(b.toUs)}`,
      `|${"#".repeat(length).padEnd(width)}|`,
      num(b.count),
      `${((b.count / total) * 100).toFixed(1)}%`,
    ];
  });
  return table(rows);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  return rows.map((row) =>
    row.map((cell, col) => {
      const last = col === row.length - 1;
      if (col === 0) return cell.padEnd(widths[col]);
      if (last && !/^[\d,.%]+$/.test(cell)) return cell;
      return cell.padStart(widths[col]);
    }).join("  ").trimEnd()
  );
}

function num(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/**
 * Whoever sends the first FIN holds the TIME_WAIT, so the census's server
 * TIME_WAIT count and the `server-closed-first` count tell the same story,
 * except where a session could not see the server's FIN before sending its
 * own. Without this line the outcome table (clean N) and the socket report
 * (N server TIME_WAIT) would seem to contradict each other.
 */
function uncountedServerTimeWait(summary: LoadSummary): string | undefined {
  const tw = summary.lingering?.serverTimeWait;
  const extra = (tw?.serverTimeWait ?? 0) - (tw?.serverClosedFirst ?? 0);
  if (extra <= 0) return undefined;
  // A simultaneous close leaves TIME_WAIT on both sides; the deno engine also
  // misses a FIN that lands while its event loop is busy (lib/engine/session.ts).
  const deno = summary.load.engine === "deno"
    ? ", or arrived while the deno engine's event loop was busy and looked like an answer " +
      "(--engine raw reads the socket's state from the kernel)"
    : "";
  return `  ${num(extra)} more server-side TIME_WAIT sockets than server-closed-first sessions: ` +
    `the server's FIN crossed ours (both sides then hold TIME_WAIT)${deno}; ` +
    "other clients' connections count too";
}

/**
 * How the servers that closed ended the TLS stream: a FIN without
 * `close_notify` lets a truncated response pass for a whole one.
 */
function tlsCloseLine(tls: { closeNotify: number; bareFin: number }): string {
  const truncation = tls.bareFin > 0 ? " (a truncation an attacker could fake)" : "";
  return `  TLS close: ${num(tls.closeNotify)} with close_notify, ` +
    `${num(tls.bareFin)} bare FIN without it${truncation}`;
}

/** The TCP_INFO sums in words: what the kernel itself saw of the sessions. */
function kernelLines(kernel: KernelEvidenceTally): string[] {
  const lines = [
    `kernel (TCP_INFO of ${num(kernel.sessions)} sessions)`,
    `  SYN retransmissions: ${num(kernel.synRetransmits)} in ` +
    `${num(kernel.sessionsWithSynRetransmits)} handshakes`,
  ];
  if (kernel.closeWaitBeforeFin > 0) {
    lines.push(
      `  ${num(kernel.closeWaitBeforeFin)} sockets were already in CLOSE_WAIT before our FIN ` +
        "(the server closed first)",
    );
  }
  if (kernel.unackedBeforeFin > 0) {
    lines.push(
      `  ${num(kernel.unackedBeforeFin)} sessions had data unacknowledged before our FIN ` +
        "(half-open: the server never acknowledged it)",
    );
  }
  if (kernel.noFinAcked + kernel.noFinUnacked > 0) {
    lines.push(
      `  of the sessions without the server's FIN, ${num(kernel.noFinAcked)} had our FIN ` +
        `acknowledged by the server's kernel (its application never closed), ` +
        `${num(kernel.noFinUnacked)} not even that`,
    );
  }
  return lines;
}

/**
 * The tester's own cost in one line: a load tester that runs out of memory
 * or file descriptors must say so rather than let the server look slow.
 */
function testerLine(tester: TesterUsage): string {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const spread = tester.generators;
  const summed = spread ? ` summed over its ${spread.count + 1} processes` : "";
  const parts = [`tester: ${mb(tester.rssPeakBytes)} RSS at peak${summed}`];
  if (tester.bytesPerSessionInFlight !== null && tester.peakInFlight > 0) {
    parts[0] += ` (${num(tester.peakInFlight)} sessions in flight, ` +
      `${(tester.bytesPerSessionInFlight / 1000).toFixed(1)} KB each)`;
  }
  if (tester.fdLimit !== null) {
    // Spread over generators, each process has the limit of its own.
    const fdLimit = tester.fdLimit * (spread?.count ?? 1);
    const near = tester.peakInFlight >= 0.9 * fdLimit;
    parts.push(
      `${num(tester.peakInFlight)} of ${num(fdLimit)} file descriptors` +
        (near ? ": the tester's own limit was near" : ""),
    );
  }
  let line = parts.join("; ");
  const saturated = testerSaturation(tester);
  if (saturated) {
    const shares = saturated.map((share) => `${Math.round(share * 100)}%`).join(", ");
    line += `\nsynfin set the pace: its event loops were busy ${shares} of the run ` +
      `(${SATURATED_LOOP_BUSY * 100}% or more: hardly ever waiting for the server), so the rate ` +
      "is synfin's and the times after the handshake include its own queue of ready sessions";
  }
  return spread
    ? `${line}\nspread over ${spread.count} generator processes: ${spread.reason}`
    : line;
}
