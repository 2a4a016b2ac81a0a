/**
 * GitHub Actions workflow commands (`::error title=...::message`) for failed
 * cases, warnings and failed thresholds, so they show on the run's summary
 * page and the pull request without opening the log.
 *
 * @module
 */

import type { CaseResult } from "../suite/result.ts";
import type { ThresholdResult } from "../suite/threshold.ts";

/**
 * One workflow-command line per `FAIL` case (`::error`), `WARN` case
 * (`::warning`), case cut by a tester limit (`::error` titled "synfin tester
 * limit", since the job exits 4 for it) and failed threshold (`::error`), in
 * that order of input: cases first, then thresholds. Print each on its own
 * line of stdout.
 *
 * @example
 * ```ts
 * import { renderGitHubAnnotations } from "./github_annotations.ts";
 * const [line] = renderGitHubAnnotations([{
 *   id: "close/answers-fin",
 *   severity: "MUST",
 *   requirement: "The server answers our FIN with its FIN",
 *   verdict: "FAIL",
 *   expected: "a FIN within 2s",
 *   actual: "no FIN in 20 of 20 sessions",
 *   durationMs: 2010,
 * }], []);
 * console.assert(
 *   line === "::error title=synfin close/answers-fin::The server answers our FIN with its FIN: " +
 *     "expected a FIN within 2s; got no FIN in 20 of 20 sessions",
 * );
 * ```
 */
export function renderGitHubAnnotations(
  cases: CaseResult[],
  thresholds: ThresholdResult[],
): string[] {
  const lines: string[] = [];
  for (const result of cases) {
    if (result.testerLimit !== undefined) {
      // The job fails (exit 4) for it: say why on the summary page, as synfin's own limit.
      lines.push(annotation(
        "error",
        `synfin tester limit (${result.id})`,
        `${result.requirement}: not checked, ${result.testerLimit}`,
      ));
      continue;
    }
    if (result.verdict !== "FAIL" && result.verdict !== "WARN") continue;
    const command = result.verdict === "FAIL" ? "error" : "warning";
    lines.push(annotation(
      command,
      `synfin ${result.id}`,
      `${result.requirement}: expected ${result.expected}; got ${result.actual}`,
    ));
  }
  for (const result of thresholds) {
    if (result.passed) continue;
    lines.push(annotation("error", `synfin threshold ${result.expression}`, result.message));
  }
  return lines;
}

/**
 * Whether we run as a GitHub Actions step (the runner sets
 * `GITHUB_ACTIONS=true`).
 *
 * @example
 * ```ts
 * import { isGitHubActions } from "./github_annotations.ts";
 * const env = new Map([["GITHUB_ACTIONS", "true"]]);
 * console.assert(isGitHubActions(env));
 * console.assert(!isGitHubActions(new Map()));
 * ```
 */
export function isGitHubActions(
  env: { get(name: string): string | undefined } = Deno.env,
): boolean {
  return env.get("GITHUB_ACTIONS") === "true";
}

function annotation(command: "error" | "warning", title: string, message: string): string {
  return `::${command} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** Escapes a command's message, as the Actions runner unescapes it. */
function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a property value: `:` and `,` would end it early. */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
