/**
 * `synfin load HOST:PORT`: a load with a socket census around it, the
 * text or JSON report, and the load's verdict, with its thresholds, as the
 * exit code.
 *
 * @module
 */

import { EXIT, type ExitCode } from "../base/exit_codes.ts";
import { LoadRunner } from "../engine/runner.ts";
import { runLoadWithCensus } from "../census/load.ts";
import { judgeLoad, type LoadVerdictKind } from "../census/load_verdict.ts";
import { droppedStartsNote, renderTextReport } from "../report/load_text.ts";
import { findDefaultConfig, loadConfig } from "../suite/config.ts";
import { evaluateLoadThresholds } from "../suite/load_thresholds.ts";
import { type LoadCommand, type LoadPlan, planLoad } from "./load_args.ts";
import { onCtrlC } from "./interrupt.ts";
import { emit, say, sayEngineFallback, sayUsageError, writeReport } from "./output.ts";
import { renderLoadJUnit } from "../report/load_junit.ts";
import { renderLoadHtml } from "../report/html.ts";
import { reach } from "./reach.ts";
import { StatusLine } from "./status.ts";
import { renderLoadEnd } from "./status_end.ts";
import { loadOptionsForOutputs } from "./output_args.ts";
import { writeOutputs } from "./extra_outputs.ts";
import { loadShapeOf } from "../engine/load.ts";
import { type ResolvedScenario, resolveScenario } from "./scenario_file.ts";
import { resolveTls } from "./tls_args.ts";
import type { SynfinConfig } from "../suite/config.ts";
import { UsageError } from "../base/errors.ts";
import { describeError } from "../base/errno.ts";
import { builtinScenarioUrl } from "../../scenarios/sessions/registry.ts";

/** The scenario `load --message-rate` runs, and the one that needs a payload. */
const EXCHANGES = "exchanges";

/**
 * The largest `--send-file`, bytes (16 MiB): every event loop's worker
 * holds its own copy, a generator process gets it as JSON (a number per
 * byte, about 4 bytes of text each), and each session writes it whole; a
 * request far larger is more likely a wrong path than a payload.
 *
 * @example
 * ```ts
 * import { MAX_SEND_FILE_BYTES } from "./load.ts";
 * console.assert(MAX_SEND_FILE_BYTES === 16 * 1024 * 1024);
 * ```
 */
export const MAX_SEND_FILE_BYTES = 16 * 1024 * 1024;

/** The payload of `--send-file FILE`, or a one-line usage error saying why not. */
async function readSendFile(path: string): Promise<Uint8Array> {
  const tooLarge = (size: number) =>
    new UsageError(
      `--send-file ${path} is ${size} bytes: at most 16 MiB (${MAX_SEND_FILE_BYTES} bytes), ` +
        "since each worker holds a copy and each session writes it whole",
    );
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      throw new UsageError(`Cannot read --send-file ${path}: it is a directory`);
    }
    if (info.size > MAX_SEND_FILE_BYTES) throw tooLarge(info.size);
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const why = error instanceof Deno.errors.NotFound ? "no such file" : describeError(error);
    throw new UsageError(`Cannot read --send-file ${path}: ${why}`, { cause: error });
  }
  // A file that grew between the two calls.
  if (bytes.byteLength > MAX_SEND_FILE_BYTES) throw tooLarge(bytes.byteLength);
  return bytes;
}

function layerOptions(config: SynfinConfig, options: SynfinConfig): SynfinConfig {
  const { stages, duration, ...lower } = config;
  // The scenario's stages or duration override the file's either.
  const length = options.stages !== undefined || options.duration !== undefined
    ? {}
    : { ...(stages && { stages }), ...(duration && { duration }) };
  return {
    ...lower,
    ...length,
    ...options,
    thresholds: [...(config.thresholds ?? []), ...(options.thresholds ?? [])],
    tags: { ...config.tags, ...options.tags },
  };
}

/** The exit code of each load verdict. */
export const LOAD_VERDICT_EXIT: Readonly<Record<LoadVerdictKind, ExitCode>> = Object.freeze({
  pass: EXIT.ok,
  fail: EXIT.failed,
  "tester-limit": EXIT.testerLimit,
  interrupted: EXIT.interrupted,
});

/**
 * Runs `load` and returns the exit code of its verdict (see `judgeLoad`),
 * after printing the report and the verdict's first reason. The command
 * line is laid over the config file first (`planLoad`); a threshold that
 * fails turns a passing verdict into exit 1, unless synfin's own limits cut
 * the run (exit 4) or it was interrupted (130).
 *
 * @example
 * ```ts
 * import { load } from "./load.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const code = await load({
 *   kind: "load",
 *   target: server.target,
 *   load: { sessions: 20, concurrency: 4 },
 *   census: "off",
 *   jsonPath: "-",
 * });
 * console.assert(code === 0);
 * ```
 */
export async function load(command: LoadCommand): Promise<number> {
  let plan: LoadPlan;
  let scenario: ResolvedScenario | undefined;
  try {
    const configPath = command.configPath ?? await findDefaultConfig();
    const config = configPath ? await loadConfig(configPath) : {};
    // Repeated exchanges are a scenario's: `load --message-rate` runs `exchanges`.
    const scenarioName = command.scenario ??
      (command.load.messageRate === undefined ? undefined : EXCHANGES);
    if (scenarioName !== undefined) {
      scenario = await resolveScenario(scenarioName, { typeCheck: !command.noTypeCheck });
    }
    const given = command.sendFile === undefined
      ? command
      : { ...command, load: { ...command.load, send: await readSendFile(command.sendFile) } };
    // A scenario's options sit between the config file and the flags;
    // thresholds and tags add up (file, scenario, flags).
    const layered = scenario ? layerOptions(config, scenario.options) : config;
    plan = planLoad(given, layered);
    if (scenario) plan.load.scenario = scenario.url;
    const tls = await resolveTls(command.tls, layered, plan.load.engine);
    if (tls) plan.load.tls = tls;
    if (scenario?.url === builtinScenarioUrl(EXCHANGES) && !plan.load.send?.byteLength) {
      const who = command.scenario === undefined ? "--message-rate" : EXCHANGES;
      throw new UsageError(`${who} needs a payload: give --send TEXT or --send-file FILE`);
    }
  } catch (error) {
    return sayUsageError(error);
  }
  using stop = onCtrlC();
  sayEngineFallback(plan.load.engine, { tls: plan.load.tls !== undefined });
  const unreachable = await reach(plan.target, plan.load.connectTimeoutMs, stop.signal);
  if (unreachable !== undefined) return unreachable;
  const status = new StatusLine();
  const outputsNeed = loadOptionsForOutputs(command.outputs);
  const runner = new LoadRunner(plan.target, { ...plan.load, ...outputsNeed, signal: stop.signal });
  if (status.enabled) {
    runner.addEventListener("progress", status.loadProgress(loadShapeOf(plan.load)));
  }
  const run = await runLoadWithCensus(runner, {
    census: plan.census,
    signal: stop.signal,
    onCensusUnavailable: (reason) => say(`no socket census: ${reason}`),
    onDrain: (ms) => {
      if (!status.enabled) return;
      status.clear();
      say(`draining: sampling the server's sockets for up to ${ms / 1000}s`);
    },
  });
  status.clear();
  // Off a terminal, the live line's last state once; before the verdict, which ends the log.
  status.end(renderLoadEnd(run.summary));
  const { verdict, reasons } = judgeLoad(run);
  const thresholds = evaluateLoadThresholds(plan.thresholds, run.summary, {
    cutByTesterLimit: verdict === "tester-limit",
  });
  if (scenario) run.summary.scenario = { name: scenario.name };
  if (plan.tags) run.summary.tags = plan.tags;
  if (plan.segment) run.summary.segment = plan.segment;
  // The key only with thresholds: a summary without them keeps its shape.
  const report = thresholds.length > 0 ? { ...run.summary, thresholds } : run.summary;
  const json = JSON.stringify(report, null, 2);
  const text = () => renderTextReport(run.summary, { thresholds });
  if (!await emit(plan.jsonPath, json, text)) return EXIT.usage;
  if (plan.junitPath !== undefined) {
    const xml = renderLoadJUnit(report, { verdict, reasons }, thresholds);
    if (!await writeReport(plan.junitPath, "--junit", xml)) return EXIT.usage;
  }
  if (command.htmlPath !== undefined) {
    const html = renderLoadHtml(report, { verdict, reasons }, thresholds);
    if (!await writeReport(command.htmlPath, "--html", html)) return EXIT.usage;
  }
  if (!await writeOutputs(command.outputs, run)) return EXIT.usage;
  const failed = thresholds.filter((t) => !t.passed).map((t) => t.expression);
  // An open loop that could not keep its rate says so on stderr too, since
  // --json - leaves no text report (k6 prints dropped_iterations likewise).
  const dropped = droppedStartsNote(run.summary);
  if (dropped) say(dropped);
  // One line: the report above shows the rest.
  if (reasons.length > 0) say(reasons[0]);
  else if (verdict === "pass" && failed.length > 0) say(`FAIL: thresholds ${failed.join(", ")}`);
  if (verdict === "pass" && failed.length > 0) return EXIT.failed;
  return LOAD_VERDICT_EXIT[verdict];
}
