/**
 * The `load` command line: the load's shape and sessions, and the census
 * around it.
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
import { type CensusChoice, censusSettings } from "../census/settings.ts";
import {
  CENSUS_OPTIONS,
  censusGiven,
  COMMON_OPTIONS,
  type EarlyCommand,
  ENGINE_OPTIONS,
  engineGiven,
  integer,
  jsonPathOf,
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
}

const LOAD_OPTIONS = {
  ...COMMON_OPTIONS,
  ...CENSUS_OPTIONS,
  ...ENGINE_OPTIONS,
  concurrency: { type: "string", short: "c" },
  sessions: { type: "string", short: "n" },
  duration: { type: "string", short: "d" },
  rate: { type: "string", short: "r" },
  send: { type: "string" },
  hold: { type: "string" },
  source: { type: "string" },
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
export function parseLoadArgs(args: string[]): LoadCommand | EarlyCommand {
  const { values, target, early } = parseOptions(args, LOAD_OPTIONS, { topic: "load" });
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
  if (values.hold !== undefined) load.holdMs = parseDuration(values.hold, "--hold");
  if (values["connect-timeout"] !== undefined) {
    load.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
  }
  if (values["close-timeout"] !== undefined) {
    load.closeTimeoutMs = positiveDuration(values["close-timeout"], "--close-timeout");
  }
  const given = censusGiven(values);
  const census = given === "off" ? given : censusSettings(given);
  return { kind: "load", target: target!, load, census, ...jsonPathOf(values.json) };
}

function rate(text: string): number {
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || rate <= 0 || rate > 1_000_000) {
    throw new UsageError(`Invalid --rate "${text}": give sessions per second, e.g. 500`);
  }
  return rate;
}
