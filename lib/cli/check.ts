/**
 * `synfin [check] HOST:PORT`: the conformance suite, the CI gate. Plans the
 * run (command line over config file over defaults), runs the cases, prints
 * the verdict table and writes the reports.
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";
import { findDefaultConfig, loadConfig } from "../suite/config.ts";
import { type CheckPlan, planCheck } from "../suite/plan.ts";
import { selectCases } from "../suite/selection.ts";
import { SuiteRunner } from "../suite/runner.ts";
import type { ConformanceCase } from "../suite/case.ts";
import { renderSuiteReport, testerLimitLine, verdictLine } from "../report/suite_text.ts";
import { renderJUnit } from "../report/junit.ts";
import { renderSuiteHtml } from "../report/html.ts";
import { isGitHubActions, renderGitHubAnnotations } from "../report/github_annotations.ts";
import { BUILTIN_CASES } from "../../scenarios/conformance/builtin.ts";
import type { CheckCommand } from "./check_args.ts";
import { onCtrlC } from "./interrupt.ts";
import { emit, say, sayEngineFallback, sayUsageError, writeReport } from "./output.ts";
import { reach } from "./reach.ts";
import { renderCaseLine, StatusLine } from "./status.ts";
import { renderSuiteEnd } from "./status_end.ts";

/**
 * Runs `check` and returns the exit code of the suite's status: 0 when
 * every MUST case and threshold held; 1 when one failed for the server's
 * reasons, even if synfin's own limits cut other cases (the server's failure
 * is what a CI gate must see first); 4 when no case failed but some were cut
 * by synfin's file descriptors or local ports (their verdict is SKIP); 130
 * when interrupted; 3 when the preflight found the target unreachable.
 *
 * @example
 * ```ts
 * import { check } from "./check.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const code = await check({
 *   kind: "check",
 *   target: server.target,
 *   request: { cases: ["handshake/accepts"], skip: [], thresholds: [], census: "off" },
 * });
 * console.assert(code === 0);
 * ```
 */
export async function check(command: CheckCommand): Promise<number> {
  let plan: CheckPlan;
  try {
    const configPath = command.configPath ?? await findDefaultConfig();
    const config = configPath ? await loadConfig(configPath) : {};
    plan = planCheck(command.request, config, command.target);
  } catch (error) {
    return sayUsageError(error);
  }
  let cases: ConformanceCase[];
  try {
    cases = selectCases(BUILTIN_CASES, { only: plan.only, skip: plan.skip });
  } catch (error) {
    return sayUsageError(error, { hint: false });
  }
  using stop = onCtrlC();
  sayEngineFallback(plan.settings.engine);
  const unreachable = await reach(plan.target, plan.settings.connectTimeoutMs, stop.signal);
  if (unreachable !== undefined) return unreachable;
  return await runSuite(plan, cases, stop.signal, command.htmlPath);
}

/**
 * `--list`: the suite's cases, one a line: ID, severity, requirement.
 *
 * @example
 * ```ts
 * import { listCases } from "./check.ts";
 * console.assert(listCases().startsWith("handshake/accepts"));
 * ```
 */
export function listCases(): string {
  const idWidth = Math.max(...BUILTIN_CASES.map((c) => c.options.id.length));
  return BUILTIN_CASES.map(({ options }) =>
    `${options.id.padEnd(idWidth)}  ${options.severity.padEnd(6)}  ${options.requirement}`
  ).join("\n");
}

async function runSuite(
  plan: CheckPlan,
  cases: readonly ConformanceCase[],
  signal: AbortSignal,
  htmlPath: string | undefined,
): Promise<number> {
  const runner = new SuiteRunner(plan.target, cases, {
    settings: plan.settings,
    strict: plan.strict,
    thresholds: plan.thresholds,
    signal,
  });
  const status = new StatusLine();
  if (status.enabled) {
    runner.addEventListener("case-start", (event) => status.show(`${event.info.id} ...`));
    // Each verdict as it lands, above the line; the report repeats them in full.
    runner.addEventListener("case-done", (event) => {
      if (event.result) status.print(renderCaseLine(event.result));
      else status.clear();
    });
  }
  const result = await runner.run();
  // Off a terminal, the cases' verdicts counted once; before the verdict line, the log's last.
  status.end(renderSuiteEnd(result));
  const json = JSON.stringify(result, null, 2);
  if (!await emit(plan.jsonPath, json, () => renderSuiteReport(result))) return EXIT.usage;
  if (plan.junitPath !== undefined) {
    const xml = renderJUnit({
      target: result.target,
      cases: result.cases,
      thresholds: result.thresholds,
      timestamp: result.startedAt,
    });
    if (!await writeReport(plan.junitPath, "--junit", xml)) return EXIT.usage;
  }
  if (htmlPath !== undefined) {
    if (!await writeReport(htmlPath, "--html", renderSuiteHtml(result))) return EXIT.usage;
  }
  if (isGitHubActions()) {
    for (const line of renderGitHubAnnotations(result.cases, result.thresholds)) console.log(line);
  }
  // The library decides how the run ended (SuiteStatus); this maps it to a code.
  switch (result.status) {
    case "interrupted":
      say("interrupted: the report above covers the cases that ran");
      return EXIT.interrupted;
    case "failed":
      say(verdictLine(result));
      return EXIT.failed;
    case "tester-limit":
      say(testerLimitLine(result));
      return EXIT.testerLimit;
    case "passed":
      return EXIT.ok;
  }
}
