/**
 * The `check` command's plan: command-line flags over the config file over
 * the defaults, resolved into suite settings, a case selection, thresholds
 * and report paths.
 *
 * @module
 */

import type { CheckFlags } from "../cli/args.ts";
import type { SynfinConfig } from "./config.ts";
import type { SuiteSettings } from "./case.ts";
import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import { parseTarget, type Target } from "../base/target.ts";
import { parseThreshold, type Threshold } from "./threshold.ts";

/** Suite defaults: a healthy local server passes the whole suite in about 10 s. */
export const DEFAULT_SUITE_SETTINGS: SuiteSettings = {
  handshakeBoundMs: 1000,
  connectTimeoutMs: 3000,
  closeTimeoutMs: 2000,
  drainMs: 3000,
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
 * Merges flags, config and defaults. Flags win; thresholds add up.
 *
 * @throws {UsageError} when no target is given anywhere.
 * @example
 * ```ts
 * import { planCheck } from "./plan.ts";
 * const plan = planCheck({ cases: [], skip: [], thresholds: ["handshake.p99<5ms"] }, {
 *   target: "127.0.0.1:8080",
 *   duration: "10s",
 * });
 * console.assert(plan.settings.loadDurationMs === 10_000 && plan.thresholds.length === 1);
 * ```
 */
export function planCheck(
  flags: CheckFlags,
  config: SynfinConfig = {},
  target?: Target,
): CheckPlan {
  const resolvedTarget = target ?? (config.target ? parseTarget(config.target) : undefined);
  if (!resolvedTarget) {
    throw new UsageError('Missing target: give HOST:PORT, or "target" in the config file');
  }
  const ms = (text: string | undefined, key: string) =>
    text === undefined ? undefined : parseDuration(text, `config "${key}"`);
  const d = DEFAULT_SUITE_SETTINGS;
  const noCensus = flags.noCensus ?? false;
  const settings: SuiteSettings = {
    handshakeBoundMs: d.handshakeBoundMs,
    connectTimeoutMs: flags.connectTimeoutMs ?? ms(config.connectTimeout, "connectTimeout") ??
      d.connectTimeoutMs,
    closeTimeoutMs: flags.closeTimeoutMs ?? ms(config.closeTimeout, "closeTimeout") ??
      d.closeTimeoutMs,
    drainMs: noCensus ? null : flags.drainMs ?? ms(config.drain, "drain") ?? d.drainMs,
    loadDurationMs: flags.durationMs ?? ms(config.duration, "duration") ?? d.loadDurationMs,
    concurrency: flags.concurrency ?? config.concurrency ?? d.concurrency,
    burstSize: flags.burstSize ?? d.burstSize,
    idleBoundMs: flags.idleBoundMs ?? d.idleBoundMs,
    payload: flags.payload ?? d.payload,
  };
  const serverSockets = flags.serverSocketsCommand ?? (noCensus ? undefined : config.serverSockets);
  if (serverSockets !== undefined) settings.serverSocketsCommand = serverSockets;
  const plan: CheckPlan = {
    target: resolvedTarget,
    settings,
    only: flags.cases.length > 0 ? flags.cases : config.cases ?? [],
    skip: [...(config.skip ?? []), ...flags.skip],
    strict: flags.strict ?? config.strict ?? false,
    thresholds: [...(config.thresholds ?? []), ...flags.thresholds].map(parseThreshold),
  };
  const junit = flags.junitPath ?? config.junit;
  if (junit !== undefined) plan.junitPath = junit;
  const json = flags.jsonPath ?? config.json;
  if (json !== undefined) plan.jsonPath = json;
  return plan;
}
