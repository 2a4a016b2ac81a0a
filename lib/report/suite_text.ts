/**
 * Renders a suite run as text: the verdict table (expected against actual
 * for every case that did not pass), the thresholds, the steady load's
 * histograms and the socket report of the lifecycle run.
 *
 * @module
 */

import type { CaseResult, Verdict } from "../suite/result.ts";
import { renderSocketReport } from "./socket_text.ts";
import type { SuiteResult } from "../suite/runner.ts";
import { renderTextReport } from "./load_text.ts";

/**
 * Renders the suite result.
 *
 * @example
 * ```ts
 * import { renderSuiteReport } from "./suite_text.ts";
 * import { SUITE_SUMMARY_VERSION, type SuiteResult } from "../suite/runner.ts";
 * const result: SuiteResult = {
 *   version: SUITE_SUMMARY_VERSION,
 *   target: "127.0.0.1:8080",
 *   startedAt: "2026-01-01T00:00:00.000Z",
 *   durationMs: 2100,
 *   strict: false,
 *   cases: [{
 *     id: "close/answers-fin",
 *     severity: "MUST",
 *     requirement: "After our FIN, the server answers with its FIN",
 *     verdict: "FAIL",
 *     expected: "the server's FIN within 2s of ours, in every session",
 *     actual: "0 of 200 sessions got the server's FIN",
 *     durationMs: 2100,
 *   }],
 *   thresholds: [],
 *   load: null,
 *   lifecycle: null,
 *   idle: null,
 *   interrupted: false,
 *   status: "failed",
 *   testerLimit: null,
 *   passed: false,
 * };
 * const text = renderSuiteReport(result);
 * console.assert(text.includes("FAIL     MUST    close/answers-fin"));
 * console.assert(text.endsWith("FAIL: 1 failed; failed: cases close/answers-fin"));
 * ```
 */
export function renderSuiteReport(result: SuiteResult): string {
  const lines: string[] = [
    `synfin check ${result.target}  ${result.cases.length} case${
      result.cases.length === 1 ? "" : "s"
    } in ` +
    `${(result.durationMs / 1000).toFixed(1)}s${
      result.strict ? " (strict: SHOULD counts as MUST)" : ""
    }`,
    "",
  ];
  const idWidth = Math.max(4, ...result.cases.map((c) => c.id.length));
  lines.push(`${"verdict".padEnd(7)}  ${"level".padEnd(6)}  ${"case".padEnd(idWidth)}  result`);
  for (const c of result.cases) {
    const actual = c.verdict === "SKIP" ? `skipped: ${c.reason}` : c.actual;
    lines.push(
      `${c.verdict.padEnd(7)}  ${c.severity.padEnd(6)}  ${c.id.padEnd(idWidth)}  ${actual}`,
    );
    const indent = " ".repeat(17 + idWidth + 2);
    if (c.verdict === "FAIL" || c.verdict === "WARN") {
      lines.push(`${indent}requirement: ${c.requirement}`);
      lines.push(`${indent}expected: ${c.expected}`);
    }
    // A case cut by a tester limit still shows what it saw: the cut itself.
    if (c.testerLimit !== undefined && c.actual !== "not run") {
      lines.push(`${indent}measured: ${c.actual}`);
    }
  }
  if (result.thresholds.length > 0) {
    lines.push("", "thresholds");
    for (const t of result.thresholds) {
      lines.push(`  ${t.passed ? "PASS" : "FAIL"}  ${t.message}`);
    }
  }
  lines.push("", verdictLine(result));
  if (result.load) lines.push("", "load/steady", ...indentBlock(renderTextReport(result.load)));
  const lifecycle = result.lifecycle;
  if (lifecycle?.sockets && lifecycle.lingering) {
    lines.push(
      "",
      `lifecycle run (${lifecycle.sessions} sessions, each dwelling ${lifecycle.load.holdMs}ms ` +
        "before our FIN)",
      ...indentBlock(renderSocketReport(lifecycle.sockets, lifecycle.lingering).join("\n")),
    );
  }
  return lines.join("\n");
}

/**
 * The one-line summary: PASS; FAIL with what failed; TESTER LIMIT with the
 * cases synfin's own limits cut (also named after a FAIL); INTERRUPTED.
 *
 * @example
 * ```ts
 * import { verdictLine } from "./suite_text.ts";
 * import { SUITE_SUMMARY_VERSION } from "../suite/runner.ts";
 * const pass = (id: string) => ({
 *   id,
 *   severity: "MUST" as const,
 *   requirement: "r",
 *   verdict: "PASS" as const,
 *   expected: "e",
 *   actual: "a",
 *   durationMs: 1,
 * });
 * const line = verdictLine({
 *   version: SUITE_SUMMARY_VERSION,
 *   target: "127.0.0.1:8080",
 *   startedAt: "2026-01-01T00:00:00.000Z",
 *   durationMs: 10,
 *   strict: false,
 *   cases: [pass("handshake/accepts"), { ...pass("idle/timeout"), verdict: "INFO" }],
 *   thresholds: [],
 *   load: null,
 *   lifecycle: null,
 *   idle: null,
 *   interrupted: false,
 *   status: "passed",
 *   testerLimit: null,
 *   passed: true,
 * });
 * console.assert(line === "PASS: 1 passed, 1 info");
 * ```
 */
export function verdictLine(result: SuiteResult): string {
  const count = (verdict: Verdict) => result.cases.filter((c) => c.verdict === verdict).length;
  const tally = (["PASS", "FAIL", "WARN", "INFO", "SKIP"] as const)
    .filter((v) => count(v) > 0)
    .map((v) => `${count(v)} ${LABEL[v]}`)
    .join(", ") || "no case ran";
  const failedCases = result.cases.filter((c: CaseResult) => c.verdict === "FAIL").map((c) => c.id);
  const failedThresholds = result.thresholds.filter((t) => !t.passed).map((t) => t.expression);
  const cut = cutCases(result);
  const cutText = cut.length > 0 ? `; cut by a tester limit: cases ${cut.join(", ")}` : "";
  if (result.status === "interrupted") return `INTERRUPTED: ${tally}`;
  if (result.status === "passed") return `PASS: ${tally}`;
  if (result.status === "tester-limit") return `TESTER LIMIT: ${tally}${cutText}`;
  const what = [
    failedCases.length > 0 ? `cases ${failedCases.join(", ")}` : "",
    failedThresholds.length > 0 ? `thresholds ${failedThresholds.join(", ")}` : "",
  ].filter(Boolean).join("; ");
  return `FAIL: ${tally}; failed: ${what}${cutText}`;
}

/**
 * The one line the CLI prints when synfin's own limits cut the run: the
 * limit with its advice, and the cases it cut.
 *
 * @example
 * ```ts
 * import { testerLimitLine } from "./suite_text.ts";
 * import { SUITE_SUMMARY_VERSION } from "../suite/runner.ts";
 * const limit = "synfin ran out of file descriptors (EMFILE, 9 times): raise `ulimit -n`";
 * const line = testerLimitLine({
 *   version: SUITE_SUMMARY_VERSION,
 *   target: "127.0.0.1:8080",
 *   startedAt: "2026-01-01T00:00:00.000Z",
 *   durationMs: 10,
 *   strict: false,
 *   cases: [{
 *     id: "handshake/burst",
 *     severity: "MUST",
 *     requirement: "r",
 *     verdict: "SKIP",
 *     expected: "e",
 *     actual: "a",
 *     reason: `tester limit: ${limit}`,
 *     testerLimit: limit,
 *     durationMs: 1,
 *   }],
 *   thresholds: [],
 *   load: null,
 *   lifecycle: null,
 *   idle: null,
 *   interrupted: false,
 *   status: "tester-limit",
 *   testerLimit: limit,
 *   passed: false,
 * });
 * console.assert(line.startsWith(`tester limit: ${limit}; case handshake/burst is SKIP`));
 * ```
 */
export function testerLimitLine(result: SuiteResult): string {
  const cut = cutCases(result);
  return `tester limit: ${result.testerLimit ?? "synfin ran out of its own resources"}` +
    (cut.length > 0
      ? `; ${cut.length === 1 ? "case" : "cases"} ${cut.join(", ")} ${
        cut.length === 1 ? "is" : "are"
      } SKIP: what ${cut.length === 1 ? "it" : "they"} measured is not the server's`
      : "");
}

function cutCases(result: SuiteResult): string[] {
  return result.cases.filter((c) => c.testerLimit !== undefined).map((c) => c.id);
}

const LABEL: Record<Verdict, string> = {
  PASS: "passed",
  FAIL: "failed",
  WARN: "warned",
  INFO: "info",
  SKIP: "skipped",
};

function indentBlock(text: string): string[] {
  return text.split("\n").map((line) => (line === "" ? "" : `  ${line}`));
}
