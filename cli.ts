/**
 * `synfin` command line: `deno run -P cli.ts [check|load|idle|backlog] ...`.
 *
 * Results go to stdout, progress and one-line errors to stderr; the exit code
 * is documented in `--help` and the README.
 *
 * @module
 */

import { type CliCommand, HELP, parseCli } from "./lib/cli/args.ts";
import { TargetUnreachableError, UsageError } from "./lib/base/errors.ts";
import { EXIT } from "./lib/base/exit_codes.ts";
import { type LoadProgressEvent, type LoadResult } from "./lib/engine/runner.ts";
import type { Target } from "./lib/base/target.ts";
import { FAILING_OUTCOMES, OUTCOMES } from "./lib/engine/outcome.ts";
import { preflight } from "./lib/engine/preflight.ts";
import type { LoadSummary } from "./lib/census/load_summary.ts";
import { renderTextReport } from "./lib/report/load_text.ts";
import { VERSION } from "./lib/base/version.ts";
import { probeIdleTimeout } from "./lib/engine/idle_probe.ts";
import { renderIdleReport } from "./lib/report/idle_text.ts";
import { runLoadWithCensus } from "./lib/census/load.ts";
import { findDefaultConfig, loadConfig } from "./lib/suite/config.ts";
import { type CheckPlan, planCheck } from "./lib/suite/plan.ts";
import { selectCases } from "./lib/suite/selection.ts";
import { type CaseEvent, SuiteRunner } from "./lib/suite/runner.ts";
import { renderSuiteReport, verdictLine } from "./lib/report/suite_text.ts";
import { renderJUnit } from "./lib/report/junit.ts";
import { isGitHubActions, renderGitHubAnnotations } from "./lib/report/github_annotations.ts";
import { BUILTIN_CASES } from "./scenarios/builtin.ts";
import { BACKLOG_HELP, type BacklogCommand, parseBacklogArgs } from "./lib/cli/backlog_args.ts";
import { type BacklogSweep, sweepBacklog } from "./lib/backlog/sweep.ts";
import { estimateBacklog } from "./lib/backlog/estimate.ts";
import { compareBacklogSweeps, loadBacklogSweep } from "./lib/backlog/compare.ts";
import { renderBacklogComparison, renderBacklogReport } from "./lib/report/backlog_text.ts";

const encoder = new TextEncoder();

function say(text: string): void {
  Deno.stderr.writeSync(encoder.encode(`synfin: ${text}\n`));
}

/**
 * Runs the CLI with `args` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * Deno.exit(await main(["load", "-n", "100", "127.0.0.1:8080"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  if (args[0] === "backlog") return await backlog(args.slice(1));
  let command: CliCommand;
  let plan: CheckPlan | undefined;
  try {
    command = parseCli(args);
    if (command.kind === "check") {
      const configPath = command.flags.configPath ?? await findDefaultConfig();
      const config = configPath ? await loadConfig(configPath) : {};
      plan = planCheck(command.flags, config, command.target);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      say(`${error.message} (see --help)`);
      return EXIT.usage;
    }
    throw error;
  }
  if (command.kind === "help") {
    console.log(`${HELP}\n${BACKLOG_HELP}`);
    return EXIT.ok;
  }
  if (command.kind === "version") {
    console.log(`synfin ${VERSION}`);
    return EXIT.ok;
  }
  if (command.kind === "list") {
    console.log(listCases());
    return EXIT.ok;
  }
  let cases = BUILTIN_CASES;
  if (plan) {
    try {
      cases = selectCases(BUILTIN_CASES, { only: plan.only, skip: plan.skip });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      say(`${error.message}`);
      return EXIT.usage;
    }
  }

  using stop = onCtrlC();
  const target = plan?.target ?? (command.kind === "check" ? undefined : command.target)!;
  const unreachable = await reach(
    target,
    plan?.settings.connectTimeoutMs ??
      (command.kind === "load"
        ? command.load.connectTimeoutMs
        : command.kind === "idle"
        ? command.idle.connectTimeoutMs
        : undefined),
    stop.signal,
  );
  if (unreachable !== undefined) return unreachable;
  if (plan) return await runCheck(plan, cases, stop.signal);
  if (command.kind === "idle") {
    const result = await probeIdleTimeout(command.target, {
      ...command.idle,
      signal: stop.signal,
    });
    const json = JSON.stringify(result, null, 2);
    if (!await emit(command.jsonPath, json, () => renderIdleReport(command.target, result))) {
      return EXIT.usage;
    }
    if (result.interrupted) return EXIT.interrupted;
    return result.opened === 0 ? EXIT.failed : EXIT.ok;
  }
  if (command.kind !== "load") return EXIT.usage;
  const showProgress = Deno.stderr.isTerminal();
  const { result, summary } = await runLoadWithCensus(command.target, {
    load: command.load,
    census: command.census.enabled ? command.census : undefined,
    signal: stop.signal,
    onRunner: (runner) => showProgress && runner.addEventListener("progress", renderProgress),
    onCensusUnavailable: (reason) => say(`no socket census: ${reason}`),
    onDrain: (ms) => {
      if (showProgress) {
        Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
        say(`draining: sampling the server's sockets for up to ${ms / 1000}s`);
      }
    },
  });
  if (showProgress) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
  const json = JSON.stringify(summary, null, 2);
  if (!await emit(command.jsonPath, json, () => renderTextReport(summary))) return EXIT.usage;
  return loadVerdict(result, summary);
}

/**
 * Ctrl+C aborts the returned controller's signal, so the run stops and
 * still reports; a second Ctrl+C means "now" and exits at once, skipping the
 * drain and the report. Disposing it removes the handler.
 */
function onCtrlC(): AbortController & Disposable {
  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) Deno.exit(EXIT.interrupted);
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  return Object.assign(stop, {
    [Symbol.dispose]: () => Deno.removeSignalListener("SIGINT", onSigint),
  });
}

/** Preflight connect: `undefined` when reachable, else the exit code (after saying why). */
async function reach(
  target: Target,
  connectTimeoutMs: number | undefined,
  signal: AbortSignal,
): Promise<number | undefined> {
  try {
    await preflight(target, { connectTimeoutMs, signal });
    return undefined;
  } catch (error) {
    if (signal.aborted) return EXIT.interrupted;
    if (error instanceof TargetUnreachableError) {
      say(error.message);
      return EXIT.unreachable;
    }
    throw error;
  }
}

async function runCheck(
  plan: CheckPlan,
  cases: typeof BUILTIN_CASES,
  signal: AbortSignal,
): Promise<number> {
  const runner = new SuiteRunner(plan.target, cases, {
    settings: plan.settings,
    strict: plan.strict,
    thresholds: plan.thresholds,
    signal,
  });
  if (Deno.stderr.isTerminal()) {
    runner.addEventListener("case-start", (event) => {
      const id = (event as CaseEvent).info.id;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${id} ...`));
    });
    runner.addEventListener("case-done", () => Deno.stderr.writeSync(encoder.encode("\r\x1b[K")));
  }
  const result = await runner.run();
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
  if (isGitHubActions()) {
    for (const line of renderGitHubAnnotations(result.cases, result.thresholds)) console.log(line);
  }
  if (result.interrupted) {
    say("interrupted: the report above covers the cases that ran");
    return EXIT.interrupted;
  }
  const limited = [result.load, result.lifecycle].find((s) => s?.stoppedBy === "tester-limit");
  if (limited) {
    say(
      "stopped early, synfin ran out of file descriptors or local ports: the verdicts above " +
        "are not the server's; raise `ulimit -n` or lower --concurrency",
    );
    return EXIT.testerLimit;
  }
  if (!result.passed) {
    say(verdictLine(result));
    return EXIT.failed;
  }
  return EXIT.ok;
}

/**
 * Prints the text report, or the JSON instead with `--json -`, and writes
 * the JSON to the `--json` file. False when the file cannot be written.
 */
async function emit(
  jsonPath: string | undefined,
  json: string,
  text: () => string,
): Promise<boolean> {
  if (jsonPath === "-") {
    console.log(json);
    return true;
  }
  console.log(text());
  return jsonPath === undefined ? true : await writeReport(jsonPath, "--json", json);
}

async function writeReport(path: string, option: string, contents: string): Promise<boolean> {
  try {
    await Deno.writeTextFile(path, contents.endsWith("\n") ? contents : `${contents}\n`);
    return true;
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such directory"
      : error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
      ? "permission denied"
      : error instanceof Error
      ? error.message
      : String(error);
    say(`Cannot write ${option} ${path}: ${why}; give a writable path`);
    return false;
  }
}

/** `cli.ts backlog ...`: burst sweeps, or a comparison of two saved ones. */
async function backlog(args: string[]): Promise<number> {
  let command: BacklogCommand;
  try {
    command = parseBacklogArgs(args);
    if (command.kind === "compare") {
      const [a, b] = await Promise.all(command.files.map(loadBacklogSweep));
      const comparison = compareBacklogSweeps(a, b, { labels: command.files });
      const json = JSON.stringify(comparison, null, 2);
      const emitted = await emit(
        command.jsonPath ?? undefined,
        json,
        () => renderBacklogComparison(comparison),
      );
      return emitted ? EXIT.ok : EXIT.usage;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      say(`${error.message} (see --help)`);
      return EXIT.usage;
    }
    throw error;
  }
  if (command.kind === "help") {
    console.log(BACKLOG_HELP);
    return EXIT.ok;
  }
  using stop = onCtrlC();
  const sweeps: BacklogSweep[] = [];
  for (const [i, target] of command.targets.entries()) {
    const unreachable = await reach(target, command.sweep.connectTimeoutMs, stop.signal);
    if (unreachable !== undefined) return unreachable;
    const tty = Deno.stderr.isTerminal();
    const sweep = await sweepBacklog(target, {
      ...command.sweep,
      signal: stop.signal,
      onBurstStart: (size, index, total) => {
        if (tty) {
          Deno.stderr.writeSync(
            encoder.encode(`\r\x1b[K${target.label}: burst ${index + 1}/${total} of ${size}`),
          );
        }
      },
    });
    if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
    sweeps.push(sweep);
    const json = JSON.stringify(sweep, null, 2);
    const jsonPath = command.jsonPaths[i];
    if (!await emit(jsonPath, json, () => renderBacklogReport(sweep, estimateBacklog(sweep)))) {
      return EXIT.usage;
    }
    if (sweep.stoppedBy === "tester-limit") {
      say("stopped early: synfin ran out of file descriptors or local ports; use smaller bursts");
      return EXIT.testerLimit;
    }
    if (stop.signal.aborted) break;
  }
  if (sweeps.length === 2 && !command.jsonPaths.includes("-")) {
    console.log("");
    console.log(renderBacklogComparison(compareBacklogSweeps(sweeps[0], sweeps[1], {
      labels: [command.targets[0].label, command.targets[1].label],
    })));
  }
  if (stop.signal.aborted) {
    say("interrupted: the report above covers the bursts that ran");
    return EXIT.interrupted;
  }
  return EXIT.ok;
}

function listCases(): string {
  const idWidth = Math.max(...BUILTIN_CASES.map((c) => c.options.id.length));
  return BUILTIN_CASES.map(({ options }) =>
    `${options.id.padEnd(idWidth)}  ${options.severity.padEnd(6)}  ${options.requirement}`
  ).join("\n");
}

function renderProgress(event: Event): void {
  const { completed, failed, inFlight, elapsedMs } = (event as LoadProgressEvent).progress;
  const line = `\r\x1b[K${(elapsedMs / 1000).toFixed(1)}s  ${completed.toLocaleString("en-US")} ` +
    `sessions  ${failed.toLocaleString("en-US")} failed  ${inFlight} in flight`;
  Deno.stderr.writeSync(encoder.encode(line));
}

function loadVerdict(result: LoadResult, summary: LoadSummary): number {
  const { tally } = result;
  if (result.stoppedBy === "signal") {
    say("interrupted: the report above covers the sessions that finished");
    return EXIT.interrupted;
  }
  if (result.stoppedBy === "tester-limit") {
    const advice = result.testerLimitErrno === "EMFILE" || result.testerLimitErrno === "ENFILE"
      ? "out of file descriptors (EMFILE): lower --concurrency or raise `ulimit -n`"
      : `out of local ports or memory (${result.testerLimitErrno}): lower --concurrency or ` +
        "--rate, or widen net.ipv4.ip_local_port_range";
    say(`stopped early, synfin ran ${advice}`);
    return EXIT.testerLimit;
  }
  const failures = OUTCOMES.filter((o) => FAILING_OUTCOMES.has(o) && tally.outcomes[o] > 0);
  if (failures.length > 0) {
    const failed = failures.reduce((sum, o) => sum + tally.outcomes[o], 0);
    say(
      `FAIL: ${failed} of ${tally.sessions} sessions failed (` +
        failures.map((o) => `${o} ${tally.outcomes[o]}`).join(", ") + ")",
    );
    return EXIT.failed;
  }
  if (tally.sessions === 0) {
    say("FAIL: no session finished");
    return EXIT.failed;
  }
  const closeWait = summary.lingering?.closeWait?.remaining ?? 0;
  if (closeWait > 0) {
    say(`FAIL: ${closeWait} server sockets left in CLOSE_WAIT after the drain`);
    return EXIT.failed;
  }
  const halfOpen = summary.lingering?.halfOpen?.count ?? 0;
  if (halfOpen > 0) {
    say(`FAIL: ${halfOpen} half-open connections: the server's accept queue overflowed`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    say(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(70);
  }
}
