/**
 * From a case's finding to its verdict: the severity and `--strict` decide
 * FAIL or WARN; a tester limit or the signal that cut the case's sessions
 * overrides what the finding judged.
 *
 * @module
 */

import type { IdleProbeResult } from "../engine/idle_probe.ts";
import type { CaseFinding } from "./case.ts";
import type { CaseInfo, CaseResult, Verdict } from "./result.ts";
import type { SessionEvidence } from "./tester_limit.ts";

/**
 * The verdict of a finding: `skipped` is SKIP; `measured`, or any finding of
 * an INFO case, is INFO; `held` is PASS; `broken` is FAIL for a MUST case
 * (or any case with `strict`), else WARN.
 *
 * @example
 * ```ts
 * import { caseResult } from "./case_verdict.ts";
 * const info = { id: "close/fin", severity: "SHOULD", requirement: "It answers our FIN" } as const;
 * const broken = { status: "broken", expected: "a FIN", actual: "no FIN" } as const;
 * console.assert(caseResult(info, broken, false, 12).verdict === "WARN");
 * console.assert(caseResult(info, broken, true, 12).verdict === "FAIL");
 * ```
 */
export function caseResult(
  info: CaseInfo,
  finding: CaseFinding,
  strict: boolean,
  durationMs: number,
): CaseResult {
  const base = { ...info, durationMs: Math.round(durationMs), expected: finding.expected };
  if (finding.status === "skipped") {
    return { ...base, verdict: "SKIP", actual: "not run", reason: finding.reason };
  }
  let verdict: Verdict;
  if (finding.status === "measured" || info.severity === "INFO") verdict = "INFO";
  else if (finding.status === "held") verdict = "PASS";
  else verdict = info.severity === "MUST" || strict ? "FAIL" : "WARN";
  return { ...base, verdict, actual: finding.actual };
}

/**
 * A finding as its cut makes it. One whose sessions hit a tester limit is a
 * skip naming it, whatever it judged: its sessions were cut by synfin, not
 * by the server. One the signal cut says so: a skip says "interrupted"
 * instead of its own reason (which only describes what the interruption
 * left, e.g. that no session got to send the first FIN), a judgement gets
 * "(interrupted)" after what it saw.
 *
 * @example
 * ```ts
 * import { cutFinding } from "./case_verdict.ts";
 * const held = { status: "held", expected: "0 failed", actual: "0 failed" } as const;
 * const cut = cutFinding(held, "synfin ran out of local ports (EADDRNOTAVAIL, 9 times)", false);
 * console.assert(cut.status === "skipped" && cut.reason.startsWith("tester limit: synfin ran"));
 * const none = { status: "skipped", expected: "a FIN", reason: "no session got to send the first FIN" } as const;
 * const stopped = cutFinding(none, undefined, true);
 * console.assert(stopped.status === "skipped" && stopped.reason === "interrupted");
 * ```
 */
export function cutFinding(
  finding: CaseFinding,
  testerLimit: string | undefined,
  aborted: boolean,
): CaseFinding {
  if (testerLimit !== undefined) {
    return {
      status: "skipped",
      expected: finding.expected,
      reason: `tester limit: ${testerLimit}`,
    };
  }
  if (!aborted) return finding;
  if (finding.status === "skipped") return { ...finding, reason: "interrupted" };
  return { ...finding, actual: `${finding.actual} (interrupted)` };
}

/**
 * The idle probe's failed connects (handshake) and other endings (hold) as
 * session evidence, to find tester limits in.
 *
 * @example
 * ```ts
 * import { idleEvidence } from "./case_verdict.ts";
 * const evidence = idleEvidence({
 *   connections: 5, opened: 2, connectErrors: { EMFILE: 3 }, boundMs: 5000, elapsedMs: 5000,
 *   interrupted: false, finAfterMs: [], resetAfterMs: [], stillOpen: 2, otherErrors: {},
 * });
 * console.assert(evidence.errors[0].errno === "EMFILE" && evidence.errors[0].count === 3);
 * ```
 */
export function idleEvidence(result: IdleProbeResult): SessionEvidence {
  const errors = [
    ...Object.entries(result.connectErrors).map(([errno, count]) => ({
      phase: "handshake" as const,
      errno,
      count,
    })),
    ...Object.entries(result.otherErrors).map(([errno, count]) => ({
      phase: "hold" as const,
      errno,
      count,
    })),
  ];
  return { errors };
}
