/**
 * The `check` command's plan: a {@link CheckRequest} (what the command line
 * asked for) over the config file over the defaults, resolved into suite
 * settings, a case selection, thresholds and report paths.
 *
 * @module
 */

import type { EngineName } from "../engine/load.ts";
import type { SynfinConfig } from "./config.ts";
import type { SuiteSettings } from "./case.ts";
import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import { parseTarget, type Target } from "../base/target.ts";
import { type CensusChoice, type CensusSettings, censusSettings } from "../census/settings.ts";
import { parseThreshold, type Threshold } from "./threshold.ts";

/**
 * What a caller asks of the suite, each field overriding the config file's
 * key of the same meaning; the CLI builds it from the `check` options.
 */
export interface CheckRequest {
  /** Case IDs or groups to run; empty: the config file's, else all (`--case`). */
  cases: string[];
  /** Case IDs or groups to leave out, added to the config file's (`--skip`). */
  skip: string[];
  /** Whether a failed SHOULD case fails the run (`--strict`). */
  strict?: boolean;
  /** Threshold expressions, added after the config file's (`--threshold`). */
  thresholds: string[];
  /** Where to write JUnit XML (`--junit`). */
  junitPath?: string;
  /** Where to write the JSON summary, `-` for stdout (`--json`). */
  jsonPath?: string;
  /** Handshake timeout, ms (`--connect-timeout`). */
  connectTimeoutMs?: number;
  /** Wait for the server's FIN after ours, ms (`--close-timeout`). */
  closeTimeoutMs?: number;
  /**
   * The census: `"off"` (`--no-census`: the config file's `drain` and
   * `serverSockets` are ignored too), or the settings given (`--drain`,
   * `--server-sockets`), the rest from the config file and the defaults.
   */
  census?: "off" | Partial<CensusSettings>;
  /** Length of `load/steady`, ms (`-d`). */
  durationMs?: number;
  /** Concurrency of `load/steady` (`-c`). */
  concurrency?: number;
  /** Connects in `handshake/burst` (`--burst`). */
  burstSize?: number;
  /** How long `idle/timeout` waits, ms (`--idle-bound`). */
  idleBoundMs?: number;
  /** What `close/half-close` sends before its FIN (`--send`). */
  payload?: Uint8Array;
  /** `--engine`. */
  engine?: EngineName;
}

/** Suite defaults: a healthy local server passes the whole suite in about 10 s. */
export const DEFAULT_SUITE_SETTINGS: SuiteSettings = {
  handshakeBoundMs: 1000,
  connectTimeoutMs: 3000,
  closeTimeoutMs: 2000,
  census: censusSettings(),
  loadDurationMs: 3000,
  concurrency: 50,
  burstSize: 128,
  idleBoundMs: 5000,
  payload: new TextEncoder().encode("synfin half-close probe\r\n"),
};

/** Everything `check` needs to run. */
export interface CheckPlan {
  /** The server. */
  target: Target;
  /** What the cases read. */
  settings: SuiteSettings;
  /** `--case` patterns (empty: all). */
  only: string[];
  /** `--skip` patterns. */
  skip: string[];
  /** SHOULD counts as MUST. */
  strict: boolean;
  /** Thresholds, config file first, then the command line's. */
  thresholds: Threshold[];
  /** Where to write JUnit XML. */
  junitPath?: string;
  /** Where to write the JSON summary (`-`: stdout). */
  jsonPath?: string;
}

/**
 * Merges the request, the config file and the defaults. The request wins;
 * thresholds and skips add up, the config file's first.
 *
 * @throws {UsageError} when no target is given anywhere, or a config value
 * does not parse.
 * @example
 * ```ts
 * import { planCheck } from "./plan.ts";
 * const plan = planCheck({ cases: [], skip: [], thresholds: ["handshake.p99<5ms"] }, {
 *   target: "127.0.0.1:8080",
 *   duration: "10s",
 *   drain: "1s",
 * });
 * console.assert(plan.settings.loadDurationMs === 10_000 && plan.thresholds.length === 1);
 * console.assert(plan.settings.census !== "off" && plan.settings.census.drainMs === 1000);
 * const off = planCheck({ cases: [], skip: [], thresholds: [], census: "off" }, {}, plan.target);
 * console.assert(off.settings.census === "off");
 * ```
 */
export function planCheck(
  request: CheckRequest,
  config: SynfinConfig = {},
  target?: Target,
): CheckPlan {
  const resolvedTarget = target ?? (config.target ? parseTarget(config.target) : undefined);
  if (!resolvedTarget) {
    throw new UsageError('Missing target: give HOST:PORT, or "target" in the config file');
  }
  const d = DEFAULT_SUITE_SETTINGS;
  const settings: SuiteSettings = {
    handshakeBoundMs: d.handshakeBoundMs,
    connectTimeoutMs: request.connectTimeoutMs ?? configMs(config, "connectTimeout") ??
      d.connectTimeoutMs,
    closeTimeoutMs: request.closeTimeoutMs ?? configMs(config, "closeTimeout") ??
      d.closeTimeoutMs,
    census: censusOf(request.census, config),
    loadDurationMs: request.durationMs ?? configMs(config, "duration") ?? d.loadDurationMs,
    concurrency: request.concurrency ?? config.concurrency ?? d.concurrency,
    burstSize: request.burstSize ?? d.burstSize,
    idleBoundMs: request.idleBoundMs ?? d.idleBoundMs,
    payload: request.payload ?? d.payload,
  };
  if (request.engine !== undefined) settings.engine = request.engine;
  const plan: CheckPlan = {
    target: resolvedTarget,
    settings,
    only: request.cases.length > 0 ? request.cases : config.cases ?? [],
    skip: [...(config.skip ?? []), ...request.skip],
    strict: request.strict ?? config.strict ?? false,
    thresholds: [...(config.thresholds ?? []), ...request.thresholds].map(parseThreshold),
  };
  const junit = request.junitPath ?? config.junit;
  if (junit !== undefined) plan.junitPath = junit;
  const json = request.jsonPath ?? config.json;
  if (json !== undefined) plan.jsonPath = json;
  return plan;
}

type DurationKey = "connectTimeout" | "closeTimeout" | "drain" | "duration";

function configMs(config: SynfinConfig, key: DurationKey): number | undefined {
  const text = config[key];
  return text === undefined ? undefined : parseDuration(text, `config "${key}"`);
}

/** The request's census over the config file's `drain` and `serverSockets` over the defaults. */
function censusOf(given: CheckRequest["census"], config: SynfinConfig): CensusChoice {
  if (given === "off") return "off";
  return censusSettings({
    drainMs: given?.drainMs ?? configMs(config, "drain"),
    serverSocketsCommand: given?.serverSocketsCommand ?? config.serverSockets,
  });
}
