/**
 * The `load` command line: the load's shape and sessions, the census around
 * it and the thresholds on it; and {@link planLoad}, which lays it over the
 * config file (`--config FILE`, or `./synfin.json`), as `check` does.
 *
 * @module
 */

import { parseDuration } from "../base/duration.ts";
import { MAX_CONCURRENCY as SUITE_MAX_CONCURRENCY } from "../base/limits.ts";
import { UsageError } from "../base/errors.ts";
import { parseSourceAddresses } from "../base/address_list.ts";
import { chooseEngine } from "../engine/engine_choice.ts";
import { checkSourcesEngine } from "../engine/sources.ts";
import type { Target } from "../base/target.ts";
import type { LoadOptions } from "../engine/runner.ts";
import type { Stage } from "../engine/stages.ts";
import { type CensusChoice, type CensusSettings, censusSettings } from "../census/settings.ts";
import type { SynfinConfig } from "../suite/config.ts";
import { tagProblem } from "../suite/run_keys.ts";
import { type Segment, segmentFlag, segmentLoad } from "../engine/segment.ts";
import { parseKnownThreshold, type Threshold } from "../suite/threshold.ts";
import { TLS_OPTIONS, type TlsFlags, tlsFlagsOf } from "./tls_args.ts";
import { OUTPUT_OPTIONS, type OutputFlags, outputFlagsOf } from "./output_args.ts";
import {
  CENSUS_OPTIONS,
  censusGiven,
  COMMON_OPTIONS,
  type EarlyCommand,
  ENGINE_OPTIONS,
  engineGiven,
  integer,
  jsonPathOf,
  nonEmpty,
  parseOptions,
  positiveDuration,
  unescapePayload,
} from "./parse.ts";

/** Most sessions in flight in `check`; each holds a file descriptor (`ulimit -n` is often 20,000). */
export const MAX_CONCURRENCY: number = SUITE_MAX_CONCURRENCY;

/**
 * Most sessions in flight in `load`: past the file descriptor limit of one
 * process the run is spread over generator processes (`generatorsNeeded`).
 */
export const MAX_LOAD_CONCURRENCY = 200_000;

/** A parsed `load` command line. */
export interface LoadCommand {
  /** The command. */
  kind: "load";
  /** The server. */
  target: Target;
  /** What was given; the runner fills in the rest. */
  load: LoadOptions;
  /** The census: `"off"` with `--no-census`, else its settings with the defaults filled in. */
  census: CensusChoice;
  /** `--json FILE`: write the JSON summary there (`-`: stdout instead of the text). */
  jsonPath?: string;
  /** `--threshold EXPR`, each checked by `parseKnownThreshold`; absent when none was given. */
  thresholds?: string[];
  /** `--config FILE` (default: `./synfin.json` if present). */
  configPath?: string;
  /**
   * The census options as given (`"off"` for `--no-census`); absent when
   * none was. `census` fills in the defaults, which would hide from
   * {@link planLoad} whether the config file's `drain` may apply.
   */
  censusGiven?: "off" | Partial<CensusSettings>;
  /** `--junit FILE`: write the verdict and thresholds as JUnit XML there. */
  junitPath?: string;
  /** `--html FILE`: write the HTML report (verdict, tables, charts) there. */
  htmlPath?: string;
  /** `--scenario NAME|FILE` (or `run NAME|FILE`): a built-in scenario or a module. */
  scenario?: string;
  /** `--tag k=v`, each checked; absent when none was given. */
  tags?: Record<string, string>;
  /** `--no-check`: do not type-check a scenario file before running it. */
  noTypeCheck?: boolean;
  /** `--send-file FILE`: the payload is the file's bytes, read by `load` before it connects. */
  sendFile?: string;
  /** `--tls`, `--tls-ca`, `--tls-servername` as given (see `resolveTls`). */
  tls?: TlsFlags;
  /** `--hgrm`, `--hlog`, `--trace`, `--trace-limit`, `--csv` as given (`output_args.ts`). */
  outputs?: OutputFlags;
  /** `--segment i/N` (or `auto/N`, the index from `JOB_COMPLETION_INDEX`): this generator's share. */
  segment?: Segment;
}

/** What `load` runs: the command line over the config file over the defaults. */
export interface LoadPlan {
  /** The server. */
  target: Target;
  /** What was given, on the command line or in the file; the runner fills in the rest. */
  load: LoadOptions;
  /** The census, `"off"` or its settings with the defaults filled in. */
  census: CensusChoice;
  /** Thresholds on the load's metrics, the config file's first. */
  thresholds: Threshold[];
  /** Where to write the JSON summary (`-`: stdout instead of the text). */
  jsonPath?: string;
  /** Where to write the JUnit XML report. */
  junitPath?: string;
  /** The run's tags: the config file's, the scenario's, then `--tag`. */
  tags?: Record<string, string>;
  /** `--segment i/N`: `load` holds this generator's share of it, recorded in the summary. */
  segment?: Segment;
}

const LOAD_OPTIONS = {
  ...COMMON_OPTIONS,
  ...CENSUS_OPTIONS,
  ...ENGINE_OPTIONS,
  ...TLS_OPTIONS,
  ...OUTPUT_OPTIONS,
  concurrency: { type: "string", short: "c" },
  sessions: { type: "string", short: "n" },
  duration: { type: "string", short: "d" },
  rate: { type: "string", short: "r" },
  send: { type: "string" },
  "send-file": { type: "string" },
  "message-rate": { type: "string" },
  hold: { type: "string" },
  source: { type: "string" },
  threshold: { type: "string", multiple: true },
  config: { type: "string" },
  scenario: { type: "string" },
  junit: { type: "string" },
  html: { type: "string" },
  tag: { type: "string", multiple: true },
  stage: { type: "string", multiple: true },
  "no-check": { type: "boolean" },
  segment: { type: "string" },
} as const;

/**
 * Parses the words after `load`.
 *
 * @throws {UsageError} on any bad option or value.
 * @example
 * ```ts
 * import { parseLoadArgs } from "./load_args.ts";
 * const command = parseLoadArgs(["-c", "10", "--no-census", "127.0.0.1:8080"]);
 * console.assert(command.kind === "load" && command.census === "off");
 * ```
 */
export function parseLoadArgs(
  args: string[],
  topic: "load" | "run" = "load",
): LoadCommand | EarlyCommand {
  const { values, target, early } = parseOptions(args, LOAD_OPTIONS, { topic });
  if (early) return early;
  const load: LoadOptions = {};
  if (values.concurrency !== undefined) {
    load.concurrency = integer(values.concurrency, "--concurrency", 1, MAX_LOAD_CONCURRENCY);
  }
  if (values.sessions !== undefined) {
    load.sessions = integer(values.sessions, "--sessions", 1, 100_000_000);
  }
  if (values.duration !== undefined) {
    load.durationMs = positiveDuration(values.duration, "--duration");
  }
  if (values.rate !== undefined) load.rate = rate(values.rate);
  const engine = engineGiven(values.engine);
  if (engine !== undefined) load.engine = engine;
  if (values.source !== undefined) {
    load.sources = parseSourceAddresses(values.source);
    checkSourcesEngine(load.sources, chooseEngine(load.engine));
  }
  if (values.send !== undefined) load.send = unescapePayload(values.send);
  if (values.send !== undefined && values["send-file"] !== undefined) {
    throw new UsageError(
      "Give --send TEXT or --send-file FILE, not both: each is the whole payload",
    );
  }
  if (values["message-rate"] !== undefined) {
    load.messageRate = messageRate(values["message-rate"]);
  }
  if (values.hold !== undefined) load.holdMs = parseDuration(values.hold, "--hold");
  if (values["connect-timeout"] !== undefined) {
    load.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
  }
  if (values["close-timeout"] !== undefined) {
    load.closeTimeoutMs = positiveDuration(values["close-timeout"], "--close-timeout");
  }
  const given = censusGiven(values);
  const census = given === "off" ? given : censusSettings(given);
  const command: LoadCommand = { kind: "load", target: target!, load, census };
  Object.assign(command, jsonPathOf(values.json));
  if (values.threshold !== undefined) {
    command.thresholds = values.threshold.map((expression) => {
      parseKnownThreshold(expression);
      return expression;
    });
  }
  if (values.config !== undefined) command.configPath = nonEmpty(values.config, "--config");
  if (values["send-file"] !== undefined) {
    command.sendFile = nonEmpty(values["send-file"], "--send-file");
  }
  if (given !== undefined) command.censusGiven = given;
  if (values.scenario !== undefined) command.scenario = nonEmpty(values.scenario, "--scenario");
  if (values.junit !== undefined) command.junitPath = nonEmpty(values.junit, "--junit");
  if (values.html !== undefined) command.htmlPath = nonEmpty(values.html, "--html");
  if (values.stage !== undefined) {
    if (values.duration !== undefined) {
      throw new UsageError("Give --stage or --duration, not both: the stages set the run's length");
    }
    load.stages = values.stage.map(parseStage);
  }
  if (values.tag !== undefined) command.tags = parseTags(values.tag);
  if (values["no-check"]) command.noTypeCheck = true;
  if (values.segment !== undefined) command.segment = segmentFlag(values.segment);
  Object.assign(command, tlsFlagsOf(values));
  Object.assign(command, outputFlagsOf(values));
  return command;
}

/**
 * Lays the command line over the config file (its keys checked by
 * `loadConfig`): each option given wins over its key (`-c` over
 * `concurrency`, `--drain` over `drain`, `--json` over `json`), thresholds
 * add up, the file's first (as `check`'s do), and `--no-census` leaves out
 * the file's `drain` and `serverSockets` too. The keys only `check` reads
 * (`cases`, `skip`, `strict`, `junit`, `target`) are left alone.
 *
 * @throws {UsageError} when a config value does not parse.
 * @example
 * ```ts
 * import { parseLoadArgs, planLoad } from "./load_args.ts";
 * const command = parseLoadArgs(["-c", "10", "127.0.0.1:8080"]);
 * if (command.kind === "load") {
 *   const plan = planLoad(command, { concurrency: 50, sessions: 500, thresholds: ["sessions==500"] });
 *   console.assert(plan.load.concurrency === 10 && plan.load.sessions === 500);
 *   console.assert(plan.thresholds[0].metric === "sessions");
 * }
 * ```
 */
export function planLoad(command: LoadCommand, config: SynfinConfig = {}): LoadPlan {
  const load: LoadOptions = { ...command.load };
  const ms = (key: "duration" | "connectTimeout" | "closeTimeout" | "hold" | "drain") =>
    config[key] === undefined ? undefined : parseDuration(config[key], `config "${key}"`);
  load.concurrency ??= config.concurrency;
  load.sessions ??= config.sessions;
  load.durationMs ??= ms("duration");
  load.rate ??= config.rate;
  load.connectTimeoutMs ??= ms("connectTimeout");
  load.closeTimeoutMs ??= ms("closeTimeout");
  load.holdMs ??= ms("hold");
  // A layer's stages or duration override a lower layer's either: `-d` over
  // the file's stages, `--stage` over its duration.
  if (
    load.stages === undefined && config.stages !== undefined &&
    command.load.durationMs === undefined
  ) {
    load.stages = config.stages.map((stage) => ({
      durationMs: parseDuration(stage.duration, "stage duration"),
      target: stage.target,
    }));
  }
  if (load.stages !== undefined) delete load.durationMs;
  if (load.send === undefined && config.send !== undefined) {
    load.send = unescapePayload(config.send);
  }
  // An absent key stays absent: the runner's defaults apply, as without a file.
  for (const key of Object.keys(load) as (keyof LoadOptions)[]) {
    if (load[key] === undefined) delete load[key];
  }
  const given = command.censusGiven;
  const census: CensusChoice = given === "off" ? "off" : censusSettings({
    drainMs: given?.drainMs ?? ms("drain"),
    serverSocketsCommand: given?.serverSocketsCommand ?? config.serverSockets,
  });
  const plan: LoadPlan = {
    target: command.target,
    load,
    census,
    thresholds: [...(config.thresholds ?? []), ...(command.thresholds ?? [])].map(
      parseKnownThreshold,
    ),
  };
  const jsonPath = command.jsonPath ?? config.json;
  if (jsonPath !== undefined) plan.jsonPath = jsonPath;
  const junitPath = command.junitPath ?? config.junit;
  if (junitPath !== undefined) plan.junitPath = junitPath;
  const tags = { ...config.tags, ...command.tags };
  if (Object.keys(tags).length > 0) plan.tags = tags;
  if (command.segment === undefined) return plan;
  // The share of the whole plan (config file and defaults included), as k6's segments.
  return { ...plan, load: segmentLoad(load, command.segment), segment: command.segment };
}

/** `--stage DUR:TARGET`, as k6's `--stage 5s:200`. */
function parseStage(text: string): Stage {
  const match = /^([^:]+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!match) {
    throw new UsageError(`Invalid --stage "${text}": give DURATION:TARGET, e.g. 5s:200`);
  }
  const target = Number(match[2]);
  if (target > MAX_LOAD_CONCURRENCY * 5) {
    throw new UsageError(
      `Invalid --stage "${text}": the target is at most ${MAX_LOAD_CONCURRENCY * 5}`,
    );
  }
  return { durationMs: positiveDuration(match[1], "--stage duration"), target };
}

function parseTags(given: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const text of given) {
    const eq = text.indexOf("=");
    const [key, value] = eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
    const problem = value === undefined ? "give NAME=VALUE" : tagProblem(key, value);
    if (problem) throw new UsageError(`Invalid --tag "${text}": ${problem}`);
    tags[key] = value!;
  }
  return tags;
}

function rate(text: string): number {
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || rate <= 0 || rate > 1_000_000) {
    throw new UsageError(`Invalid --rate "${text}": give sessions per second, e.g. 500`);
  }
  return rate;
}

/**
 * At most 1000 exchanges per second on one connection: Deno's timers fire
 * about 1.2 ms late (p50), so at 1000/s the tester itself already skips most
 * slots (measured in scenarios/sessions/exchanges.ts); more connections go faster.
 */
function messageRate(text: string): number {
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || rate <= 0 || rate > 1000) {
    throw new UsageError(
      `Invalid --message-rate "${text}": give exchanges per second on each connection, ` +
        "more than 0 and at most 1000, e.g. 100",
    );
  }
  return rate;
}
