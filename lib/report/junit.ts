/**
 * Renders conformance verdicts and threshold results as JUnit XML, the
 * format CI systems (GitLab, Jenkins, GitHub test reporters) show as a test
 * tree.
 *
 * Layout: one `<testsuite>` per case group (`close/answers-fin` is in
 * `close`), one `<testcase classname="synfin.close" name="close/answers-fin">`
 * per case, and a last `<testsuite name="thresholds">` with one test case per
 * threshold (left out when there are no thresholds). `FAIL` is a
 * `<failure>`, `SKIP` is `<skipped>` with its reason (a case cut by a tester
 * limit also keeps what it measured in `<system-out>`); `PASS`, `WARN` and `INFO` pass, with the
 * verdict and what was measured in `<system-out>`, because a `WARN` fails the
 * gate only under `--strict`, and then the case's verdict is already `FAIL`.
 *
 * @module
 */

import { caseGroup, type CaseResult } from "../suite/result.ts";
import type { ThresholdResult } from "../suite/threshold.ts";

/** What {@link renderJUnit} reports. */
export interface JUnitReport {
  /** `HOST:PORT` as given, named in the root element. */
  target: string;
  /** Case verdicts, in report order. */
  cases: CaseResult[];
  /** Threshold results, in the order given. */
  thresholds: ThresholdResult[];
  /** When the run started (ISO 8601), set on every suite when given. */
  timestamp?: string;
}

interface Tally {
  tests: number;
  failures: number;
  skipped: number;
  ms: number;
}

/**
 * Renders the report as a JUnit XML document.
 *
 * @example
 * ```ts
 * import { renderJUnit } from "./junit.ts";
 * const xml = renderJUnit({
 *   target: "127.0.0.1:8080",
 *   cases: [{
 *     id: "close/answers-fin",
 *     severity: "MUST",
 *     requirement: "The server answers our FIN with its FIN",
 *     verdict: "FAIL",
 *     expected: "a FIN within 2s",
 *     actual: "no FIN in 20 of 20 sessions",
 *     durationMs: 2010,
 *   }],
 *   thresholds: [],
 * });
 * console.assert(xml.includes('<failure message="no FIN in 20 of 20 sessions" type="MUST">'));
 * ```
 */
export function renderJUnit(report: JUnitReport): string {
  const timestamp = report.timestamp === undefined ? "" : ` timestamp="${attr(report.timestamp)}"`;
  const groups = new Map<string, CaseResult[]>();
  for (const result of report.cases) {
    const group = caseGroup(result.id);
    groups.set(group, [...groups.get(group) ?? [], result]);
  }
  const total: Tally = { tests: 0, failures: 0, skipped: 0, ms: 0 };
  const suites: string[] = [];
  const addSuite = (name: string, tally: Tally, testcases: string[]) => {
    total.tests += tally.tests;
    total.failures += tally.failures;
    total.skipped += tally.skipped;
    total.ms += tally.ms;
    suites.push(
      `  <testsuite name="${attr(name)}"${counts(tally)}${timestamp}>`,
      ...testcases,
      "  </testsuite>",
    );
  };

  for (const [group, results] of groups) {
    const tally: Tally = { tests: 0, failures: 0, skipped: 0, ms: 0 };
    const testcases = results.map((result) => {
      tally.tests++;
      tally.ms += result.durationMs;
      if (result.verdict === "FAIL") tally.failures++;
      if (result.verdict === "SKIP") tally.skipped++;
      return renderCase(group, result);
    });
    addSuite(group, tally, testcases.flat());
  }

  if (report.thresholds.length > 0) {
    const failures = report.thresholds.filter((result) => !result.passed).length;
    const tally: Tally = { tests: report.thresholds.length, failures, skipped: 0, ms: 0 };
    addSuite("thresholds", tally, report.thresholds.flatMap(renderThreshold));
  }

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`synfin ${report.target}`)}"${counts(total)}${timestamp}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}

function renderCase(group: string, result: CaseResult): string[] {
  const open = `    <testcase classname="${attr(`synfin.${group}`)}" name="${attr(result.id)}" ` +
    `time="${seconds(result.durationMs)}">`;
  const details = `requirement (${result.severity}): ${result.requirement}\n` +
    `expected: ${result.expected}\nactual: ${result.actual}`;
  switch (result.verdict) {
    case "FAIL":
      return [
        open,
        `      <failure message="${attr(result.actual)}" type="${attr(result.severity)}">` +
        `${text(details)}</failure>`,
        "    </testcase>",
      ];
    case "SKIP":
      return [
        open,
        `      <skipped message="${attr(result.reason ?? "skipped")}"/>`,
        // Cut by a tester limit, it still measured something: the cut shows in it.
        ...(result.testerLimit === undefined
          ? []
          : [`      <system-out>${text(`verdict: SKIP (tester limit)\n${details}`)}</system-out>`]),
        "    </testcase>",
      ];
    default:
      return [
        open,
        `      <system-out>${text(`verdict: ${result.verdict}\n${details}`)}</system-out>`,
        "    </testcase>",
      ];
  }
}

function renderThreshold(result: ThresholdResult): string[] {
  const body = result.passed
    ? `      <system-out>${text(result.message)}</system-out>`
    : `      <failure message="${attr(result.message)}" type="threshold">` +
      `${text(`${result.expression}\n${result.message}`)}</failure>`;
  return [
    `    <testcase classname="synfin.thresholds" name="${attr(result.expression)}" time="0.000">`,
    body,
    "    </testcase>",
  ];
}

function counts(tally: Tally): string {
  return ` tests="${tally.tests}" failures="${tally.failures}" errors="0" ` +
    `skipped="${tally.skipped}" time="${seconds(tally.ms)}"`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/**
 * Characters XML 1.0 cannot carry at all, not even as references: controls
 * other than tab, newline and carriage return, lone surrogates, U+FFFE and
 * U+FFFF. A server's bytes can end up in `actual`, so they are dropped.
 */
const ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  // A raw \r would be read back as \n (end-of-line normalisation); a reference keeps it.
  return value.replace(ILLEGAL_XML, "").replace(/&/g, "&amp;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

function attr(value: string): string {
  // Attribute-value normalisation turns raw tabs and newlines into spaces;
  // character references survive it, so multi-line messages keep their lines.
  return text(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;");
}
