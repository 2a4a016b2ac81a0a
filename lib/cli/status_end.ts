/**
 * The one progress line a run prints on stderr at its end when stderr is
 * not a terminal (a CI log, a pipe), where no live line was drawn: the live
 * line's fields in their final state, read from the result itself so the
 * line agrees with the report (the live line's p99 is an upper bound over
 * event loops; the report's is exact).
 *
 * @module
 */

import type { LoadSummary, PhaseSummary, TimeSeriesPoint } from "../census/load_summary.ts";
import type { BurstSummary } from "../backlog/sweep_result.ts";
import type { IdleProbeResult } from "../engine/idle_probe.ts";
import { type Verdict, VERDICTS } from "../suite/result.ts";
import { count, outcomeWords, seconds, shortLatency } from "./status.ts";

/** What {@link renderLoadEnd} reads of a `LoadSummary` (which has it all). */
export type LoadEnd =
  & Pick<LoadSummary, "durationMs" | "sessions" | "sessionsPerSecond" | "outcomes">
  & {
    /** The plan: its time and session bounds. */
    load: Pick<LoadSummary["load"], "durationLimitMs" | "sessionsLimit">;
    /** The handshake phase's count and p99. */
    phases: { handshake: Pick<PhaseSummary, "count" | "p99Us"> };
    /** Sessions started per second. */
    timeSeries: { points: readonly Pick<TimeSeriesPoint, "started">[] };
  };

/**
 * A load's last line: elapsed / planned, sessions started and finished
 * (of the planned count), sessions/s over the run, outcomes (failing ones
 * first), handshake p99.
 *
 * @example
 * ```ts
 * import { renderLoadEnd } from "./status_end.ts";
 * const line = renderLoadEnd({
 *   durationMs: 2000, sessions: 1200, sessionsPerSecond: 600,
 *   outcomes: { clean: 1197, reset: 3 } as never,
 *   load: { durationLimitMs: 2000, sessionsLimit: null },
 *   phases: { handshake: { count: 1200, p99Us: 1500 } },
 *   timeSeries: { points: [{ started: 600 }, { started: 600 }] },
 * });
 * console.assert(line === "ran 2.0s / 2.0s  1,200 started  1,200 finished  600/s  reset 3  clean 1,197  handshake p99 1.5ms");
 * ```
 */
export function renderLoadEnd(summary: LoadEnd): string {
  const { durationLimitMs, sessionsLimit } = summary.load;
  const started = summary.timeSeries.points.reduce((sum, point) => sum + point.started, 0);
  const parts = [
    durationLimitMs === null
      // A -n run may be over in milliseconds: "0.0s" would say nothing.
      ? (summary.durationMs < 1000
        ? `${Math.round(summary.durationMs)}ms`
        : seconds(summary.durationMs))
      : `${seconds(summary.durationMs)} / ${seconds(durationLimitMs)}`,
    `${count(started)} started`,
    sessionsLimit === null
      ? `${count(summary.sessions)} finished`
      : `${count(summary.sessions)} / ${count(sessionsLimit)} finished`,
    `${count(summary.sessionsPerSecond)}/s`,
    ...outcomeWords(summary.outcomes),
  ];
  const handshake = summary.phases.handshake;
  if (handshake.count > 0) parts.push(`handshake p99 ${shortLatency(handshake.p99Us)}`);
  return `ran ${parts.join("  ")}`;
}

/**
 * `check`'s last line: how many cases ran, for how long, and their
 * verdicts (the line a terminal printed as each case finished, counted).
 *
 * @example
 * ```ts
 * import { renderSuiteEnd } from "./status_end.ts";
 * const line = renderSuiteEnd({
 *   durationMs: 2140,
 *   cases: [{ verdict: "PASS" }, { verdict: "FAIL" }, { verdict: "PASS" }],
 * });
 * console.assert(line === "ran 3 cases in 2.1s  PASS 2  FAIL 1");
 * ```
 */
export function renderSuiteEnd(
  result: { durationMs: number; cases: readonly { verdict: Verdict }[] },
): string {
  const words = VERDICTS.map((verdict) => {
    const n = result.cases.filter((c) => c.verdict === verdict).length;
    return n > 0 ? `  ${verdict} ${count(n)}` : "";
  }).join("");
  const cases = result.cases.length === 1 ? "case" : "cases";
  return `ran ${count(result.cases.length)} ${cases} in ${seconds(result.durationMs)}${words}`;
}

/** What {@link renderBacklogEnd} reads of one burst. */
export type BurstEnd = Pick<
  BurstSummary,
  | "size"
  | "firstSyn"
  | "synRetransmitted"
  | "resets"
  | "connectTimeouts"
  | "noFin"
  | "otherFailures"
>;

/**
 * A backlog sweep's last line: the bursts fired (the live line's
 * "burst i/total of size", done), their sizes, and how the handshakes went
 * over all of them.
 *
 * @example
 * ```ts
 * import { renderBacklogEnd } from "./status_end.ts";
 * const burst = { size: 8, firstSyn: 8, synRetransmitted: 0, resets: 0, connectTimeouts: 0,
 *   noFin: 0, otherFailures: 0 };
 * const line = renderBacklogEnd({ target: "127.0.0.1:80", durationMs: 900, bursts: [burst] });
 * console.assert(line === "ran 1 burst of 8 connects against 127.0.0.1:80 in 0.9s  first SYN 8");
 * ```
 */
export function renderBacklogEnd(
  sweep: { target: string; durationMs: number; bursts: readonly BurstEnd[] },
): string {
  const { bursts } = sweep;
  const sizes = bursts.map((b) => b.size);
  const min = Math.min(...sizes);
  const max = Math.max(...sizes);
  const of = bursts.length === 0
    ? ""
    : ` of ${min === max ? count(min) : `${count(min)} to ${count(max)}`} connects`;
  const head = `ran ${bursts.length} burst${bursts.length === 1 ? "" : "s"}${of} ` +
    `against ${sweep.target} in ${seconds(sweep.durationMs)}`;
  if (bursts.length === 0) return head;
  const sum = (key: keyof BurstEnd) => bursts.reduce((total, b) => total + b[key], 0);
  const words = [`first SYN ${count(sum("firstSyn"))}`];
  for (
    const [label, key] of [
      ["SYN retransmitted", "synRetransmitted"],
      ["reset", "resets"],
      ["connect-timeout", "connectTimeouts"],
      ["no-fin", "noFin"],
      ["other failures", "otherFailures"],
    ] as const
  ) if (sum(key) > 0) words.push(`${label} ${count(sum(key))}`);
  return `${head}  ${words.join("  ")}`;
}

/**
 * The idle probe's last line: elapsed / bound, connections opened of those
 * asked for, and how they ended (non-zero counts only).
 *
 * @example
 * ```ts
 * import { renderIdleEnd } from "./status_end.ts";
 * const line = renderIdleEnd({
 *   connections: 2, opened: 2, connectErrors: {}, boundMs: 1000, elapsedMs: 1000,
 *   finAfterMs: [], resetAfterMs: [], stillOpen: 2, otherErrors: {},
 * });
 * console.assert(line === "ran 1.0s / 1.0s  2 of 2 connections opened  still open 2");
 * ```
 */
export function renderIdleEnd(result: Omit<IdleProbeResult, "interrupted">): string {
  const total = (errors: Record<string, number>) =>
    Object.values(errors).reduce((sum, n) => sum + n, 0);
  const words = [
    `${seconds(result.elapsedMs)} / ${seconds(result.boundMs)}`,
    `${count(result.opened)} of ${count(result.connections)} connections opened`,
  ];
  for (
    const [label, n] of [
      ["FIN", result.finAfterMs.length],
      ["reset", result.resetAfterMs.length],
      ["still open", result.stillOpen],
      ["other errors", total(result.otherErrors)],
      ["connect errors", total(result.connectErrors)],
    ] as const
  ) if (n > 0) words.push(`${label} ${count(n)}`);
  return `ran ${words.join("  ")}`;
}
