/**
 * Writes the HDR and time-series outputs of `load` and `run` after the run
 * (`--hgrm DIR`, `--hlog FILE`, `--trace FILE`, `--csv FILE`), and checks
 * before it that each can be written, as `--json` is.
 *
 * @module
 */

import { join } from "node:path";
import { describeError } from "../base/errno.ts";
import { UsageError } from "../base/errors.ts";
import type { LoadSummary } from "../census/load_summary.ts";
import type { LoadResult } from "../engine/load.ts";
import { DEFAULT_TRACE_LIMIT } from "../engine/trace_sample.ts";
import { hgrmFiles } from "../report/hgrm.ts";
import { renderHlog } from "../report/hlog.ts";
import { renderTimeSeriesCsv } from "../report/time_series_csv.ts";
import { renderTrace } from "../report/trace.ts";
import type { OutputFlags } from "./output_args.ts";
import { checkOutputPath } from "./output_paths.ts";
import { writeReport } from "./output.ts";

/**
 * The output files to check before the run, each with its option (the
 * `--hgrm` directory is checked by {@link checkOutputDir}).
 *
 * @example
 * ```ts
 * import { outputFiles } from "./extra_outputs.ts";
 * const files = outputFiles({ hlogPath: "run.hlog", csvPath: "run.csv" });
 * console.assert(files.map((f) => f.option).join() === "--hlog,--csv");
 * ```
 */
export function outputFiles(flags: OutputFlags | undefined): { path: string; option: string }[] {
  if (!flags) return [];
  const given: [string | undefined, string][] = [
    [flags.hlogPath, "--hlog"],
    [flags.tracePath, "--trace"],
    [flags.csvPath, "--csv"],
  ];
  return given.flatMap(([path, option]) => path === undefined ? [] : [{ path, option }]);
}

/**
 * Checks that files can be written in `dir`, creating it (and its parents)
 * when missing, so a run's `.hgrm` files are not lost at its end.
 *
 * @throws {UsageError} `Cannot write --hgrm out: it is a file, not a directory; give a
 * writable directory`, or the words of the failed write.
 * @example
 * ```ts
 * import { checkOutputDir } from "./extra_outputs.ts";
 * const dir = await Deno.makeTempDir();
 * checkOutputDir(`${dir}/hgrm`, "--hgrm"); // created
 * console.assert(Deno.statSync(`${dir}/hgrm`).isDirectory);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function checkOutputDir(dir: string, option: string): void {
  try {
    Deno.mkdirSync(dir, { recursive: true });
  } catch (error) {
    const words = error instanceof Deno.errors.AlreadyExists
      ? "it is a file, not a directory"
      : describeError(error, "--allow-write");
    throw new UsageError(`Cannot write ${option} ${dir}: ${words}; give a writable directory`, {
      cause: error,
    });
  }
  checkOutputPath(join(dir, "handshake.hgrm"), option);
}

/**
 * Writes every output asked for. False when one cannot be written, after
 * saying why in one line (as `--json` does).
 *
 * @example
 * ```ts
 * import { writeOutputs } from "./extra_outputs.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await new LoadRunner(server.target, { sessions: 5 }).run();
 * const dir = await Deno.makeTempDir();
 * console.assert(await writeOutputs({ hgrmDir: dir }, { result, summary: summarizeLoad(result) }));
 * console.assert(Deno.statSync(`${dir}/handshake.hgrm`).isFile);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeOutputs(
  flags: OutputFlags | undefined,
  run: { result: LoadResult; summary: LoadSummary },
): Promise<boolean> {
  if (!flags) return true;
  const { result, summary } = run;
  if (flags.hgrmDir !== undefined) {
    for (const file of hgrmFiles(summary)) {
      if (!await writeReport(join(flags.hgrmDir, file.name), "--hgrm", file.text)) return false;
    }
  }
  const hlog = flags.hlogPath === undefined ? undefined : renderHlog(result);
  if (hlog !== undefined && !await writeReport(flags.hlogPath!, "--hlog", hlog)) return false;
  const limit = flags.traceLimit ?? DEFAULT_TRACE_LIMIT;
  const trace = flags.tracePath === undefined ? undefined : renderTrace(result, limit);
  if (trace !== undefined && !await writeReport(flags.tracePath!, "--trace", trace)) return false;
  if (flags.csvPath !== undefined) {
    const csv = renderTimeSeriesCsv(summary, result.tally.intervals);
    if (!await writeReport(flags.csvPath, "--csv", csv)) return false;
  }
  return true;
}
