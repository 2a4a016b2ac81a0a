/**
 * The `check` command line (the default command): case selection,
 * thresholds, reports, and the settings of the suite, as a
 * {@link CheckRequest} that `planCheck` merges with the config file.
 *
 * @module
 */

import type { Target } from "../base/target.ts";
import type { CheckRequest } from "../suite/plan.ts";
import { parseKnownThreshold } from "../suite/threshold.ts";
import { MAX_CONCURRENCY } from "../base/limits.ts";
import {
  CENSUS_OPTIONS,
  censusGiven,
  COMMON_OPTIONS,
  type EarlyCommand,
  ENGINE_OPTIONS,
  engineGiven,
  integer,
  nonEmpty,
  parseOptions,
  positiveDuration,
  unescapePayload,
} from "./parse.ts";

/** Most connects in the suite's burst (one worker per 100, and a port and fd each). */
export const MAX_SUITE_BURST = 4096;

/** A parsed `check` command line. */
export interface CheckCommand {
  /** The command. */
  kind: "check";
  /** The server; absent when the config file is to give it. */
  target?: Target;
  /** What the command line asks of the suite. */
  request: CheckRequest;
  /** `--config FILE` (default: `./synfin.json` if present). */
  configPath?: string;
  /** `--html FILE`: write the HTML report (verdict table, charts) there. */
  htmlPath?: string;
}

/** `--list`: print the suite's cases and exit. */
export interface ListCommand {
  /** The command. */
  kind: "list";
}

const CHECK_OPTIONS = {
  ...COMMON_OPTIONS,
  ...CENSUS_OPTIONS,
  ...ENGINE_OPTIONS,
  list: { type: "boolean" },
  case: { type: "string", multiple: true },
  skip: { type: "string", multiple: true },
  strict: { type: "boolean" },
  threshold: { type: "string", multiple: true },
  junit: { type: "string" },
  html: { type: "string" },
  config: { type: "string" },
  concurrency: { type: "string", short: "c" },
  duration: { type: "string", short: "d" },
  burst: { type: "string" },
  "idle-bound": { type: "string" },
  send: { type: "string" },
} as const;

/**
 * Parses the words of a `check` command line (after `check`, if it was named:
 * `named`, so `--help` is the help of `check` alone).
 *
 * @throws {UsageError} on any bad option or value, a bad threshold included.
 * @example
 * ```ts
 * import { parseCheckArgs } from "./check_args.ts";
 * const command = parseCheckArgs(["--skip", "idle/", "--no-census", "127.0.0.1:8080"]);
 * console.assert(command.kind === "check" && command.request.census === "off");
 * ```
 */
export function parseCheckArgs(
  args: string[],
  { named = false }: { named?: boolean } = {},
): CheckCommand | ListCommand | EarlyCommand {
  const { values, target, early } = parseOptions(args, CHECK_OPTIONS, {
    targetOptional: true,
    ...(named ? { topic: "check" as const } : {}),
  });
  if (values.list) return { kind: "list" };
  if (early) return early;
  const request: CheckRequest = {
    cases: values.case ?? [],
    skip: values.skip ?? [],
    thresholds: (values.threshold ?? []).map((expression) => {
      parseKnownThreshold(expression);
      return expression;
    }),
  };
  if (values.strict) request.strict = true;
  if (values.junit !== undefined) request.junitPath = nonEmpty(values.junit, "--junit");
  if (values.json !== undefined) request.jsonPath = nonEmpty(values.json, "--json");
  const configPath = values.config === undefined ? undefined : nonEmpty(values.config, "--config");
  if (values["connect-timeout"] !== undefined) {
    request.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
  }
  if (values["close-timeout"] !== undefined) {
    request.closeTimeoutMs = positiveDuration(values["close-timeout"], "--close-timeout");
  }
  const census = censusGiven(values);
  if (census !== undefined) request.census = census;
  if (values.duration !== undefined) {
    request.durationMs = positiveDuration(values.duration, "--duration");
  }
  if (values.concurrency !== undefined) {
    request.concurrency = integer(values.concurrency, "--concurrency", 1, MAX_CONCURRENCY);
  }
  if (values.burst !== undefined) {
    request.burstSize = integer(values.burst, "--burst", 1, MAX_SUITE_BURST);
  }
  if (values["idle-bound"] !== undefined) {
    request.idleBoundMs = positiveDuration(values["idle-bound"], "--idle-bound");
  }
  if (values.send !== undefined) request.payload = unescapePayload(values.send);
  const engine = engineGiven(values.engine);
  if (engine !== undefined) request.engine = engine;
  return {
    kind: "check",
    ...(target === undefined ? {} : { target }),
    request,
    ...(configPath === undefined ? {} : { configPath }),
    ...(values.html === undefined ? {} : { htmlPath: nonEmpty(values.html, "--html") }),
  };
}
