/**
 * The verdict of one conformance case, as the suite runner produces it and
 * the reporters (text, JUnit, JSON, GitHub annotations) consume it.
 *
 * @module
 */

/**
 * How much a case counts: a failed `MUST` case fails the gate, a failed
 * `SHOULD` case warns (unless `--strict`), an `INFO` case only reports.
 */
export type Severity = "MUST" | "SHOULD" | "INFO";

/** Severities, strongest first. */
export const SEVERITIES: readonly Severity[] = ["MUST", "SHOULD", "INFO"];

/**
 * The verdict of a case: `PASS`, `FAIL` (gate fails), `WARN` (a SHOULD case
 * that did not hold), `INFO` (measured, nothing to judge), `SKIP` (could not
 * be run here; `reason` says why).
 */
export type Verdict = "PASS" | "FAIL" | "WARN" | "INFO" | "SKIP";

/** Verdicts in report order. */
export const VERDICTS: readonly Verdict[] = ["PASS", "FAIL", "WARN", "INFO", "SKIP"];

/**
 * How a whole suite run ended, strongest first:
 *
 * - `interrupted`: stopped by the signal (Ctrl+C) before its end;
 * - `failed`: a case FAILed, or a threshold on measurements that no tester
 *   limit cut did not hold: the server's fault, even when other cases were
 *   cut by a tester limit (a CI gate wants the server's failure first);
 * - `tester-limit`: no server failure, but at least one case (or the
 *   measurements the thresholds read) was cut by synfin's own file
 *   descriptors or local ports, so the run did not check everything;
 * - `passed`: every case and threshold held.
 */
export type SuiteStatus = "interrupted" | "failed" | "tester-limit" | "passed";

/** What a case checks. */
export interface CaseInfo {
  /** Stable ID, `group/name`, e.g. `close/answers-fin`. */
  id: string;
  /** How much the case counts. */
  severity: Severity;
  /** The requirement in one line, e.g. "The server answers our FIN with its FIN". */
  requirement: string;
}

/** What a case found. */
export interface CaseResult extends CaseInfo {
  /** The verdict. */
  verdict: Verdict;
  /** What a conforming server does, in words a server author reads. */
  expected: string;
  /** What this server did, with counts. */
  actual: string;
  /** Why the case was skipped (only with `SKIP`). */
  reason?: string;
  /**
   * Set when the case's sessions ran out of synfin's own file descriptors
   * or local ports (EMFILE, EADDRNOTAVAIL): the limit and the advice, in
   * one line. Such a case is `SKIP`: what it measured is not the server's.
   */
  testerLimit?: string;
  /** Wall time the case took, ms. */
  durationMs: number;
}

/**
 * The group of a case: the part of its ID before the first `/`.
 *
 * @example
 * ```ts
 * import { caseGroup } from "./result.ts";
 * console.assert(caseGroup("close/answers-fin") === "close");
 * ```
 */
export function caseGroup(id: string): string {
  const slash = id.indexOf("/");
  return slash === -1 ? id : id.slice(0, slash);
}
