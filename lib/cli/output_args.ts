/**
 * The HDR and time-series outputs of `load` and `run`: `--hgrm DIR`,
 * `--hlog FILE`, `--trace FILE` with `--trace-limit N`, and `--csv FILE`;
 * what each asks of the load (per-second histograms, a trace sample).
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import { DEFAULT_TRACE_LIMIT } from "../engine/trace_sample.ts";
import type { LoadOptions } from "../engine/load.ts";
import { integer, nonEmpty } from "./parse.ts";

/** The output flags, for `parseArgs`. */
export const OUTPUT_OPTIONS = {
  hgrm: { type: "string" },
  hlog: { type: "string" },
  trace: { type: "string" },
  "trace-limit": { type: "string" },
  csv: { type: "string" },
} as const;

/** The largest `--trace-limit`: 1,000,000 lines is about 300 MB of JSONL. */
export const MAX_TRACE_LIMIT = 1_000_000;

/** The output flags as given; absent keys were not. */
export interface OutputFlags {
  /** `--hgrm DIR`: one `.hgrm` file per phase and mark in DIR. */
  hgrmDir?: string;
  /** `--hlog FILE`: an HdrHistogram interval log. */
  hlogPath?: string;
  /** `--trace FILE`: one JSON line per (sampled) session. */
  tracePath?: string;
  /** `--trace-limit N`: most session lines in the trace ({@link DEFAULT_TRACE_LIMIT}). */
  traceLimit?: number;
  /** `--csv FILE`: the time series as CSV. */
  csvPath?: string;
}

/**
 * `{ outputs }` with the output flags given, else nothing.
 *
 * @throws {UsageError} on an empty path, a bad `--trace-limit`, or `--trace-limit` without `--trace`.
 * @example
 * ```ts
 * import { outputFlagsOf } from "./output_args.ts";
 * const { outputs } = outputFlagsOf({ trace: "t.jsonl", "trace-limit": "500" });
 * console.assert(outputs?.tracePath === "t.jsonl" && outputs.traceLimit === 500);
 * console.assert(outputFlagsOf({}).outputs === undefined);
 * ```
 */
export function outputFlagsOf(values: {
  hgrm?: string;
  hlog?: string;
  trace?: string;
  "trace-limit"?: string;
  csv?: string;
}): { outputs?: OutputFlags } {
  const flags: OutputFlags = {};
  if (values.hgrm !== undefined) flags.hgrmDir = nonEmpty(values.hgrm, "--hgrm");
  if (values.hlog !== undefined) flags.hlogPath = nonEmpty(values.hlog, "--hlog");
  if (values.trace !== undefined) flags.tracePath = nonEmpty(values.trace, "--trace");
  if (values.csv !== undefined) flags.csvPath = nonEmpty(values.csv, "--csv");
  if (values["trace-limit"] !== undefined) {
    if (flags.tracePath === undefined) {
      throw new UsageError("--trace-limit needs --trace FILE: it bounds the trace's lines");
    }
    flags.traceLimit = integer(values["trace-limit"], "--trace-limit", 1, MAX_TRACE_LIMIT);
  }
  return Object.keys(flags).length > 0 ? { outputs: flags } : {};
}

/**
 * What the outputs ask of the load: per-second histograms for `--hlog` and
 * `--csv` (its per-second percentiles), a trace sample for `--trace`.
 *
 * @example
 * ```ts
 * import { loadOptionsForOutputs } from "./output_args.ts";
 * const options = loadOptionsForOutputs({ hlogPath: "run.hlog", tracePath: "t.jsonl" });
 * console.assert(options.intervalHistograms === true && options.traceLimit === 10_000);
 * ```
 */
export function loadOptionsForOutputs(flags: OutputFlags | undefined): Partial<LoadOptions> {
  if (!flags) return {};
  return {
    ...((flags.hlogPath !== undefined || flags.csvPath !== undefined) &&
      { intervalHistograms: true }),
    ...(flags.tracePath !== undefined &&
      { traceLimit: flags.traceLimit ?? DEFAULT_TRACE_LIMIT }),
  };
}
