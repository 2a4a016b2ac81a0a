/**
 * `synfin merge a.json b.json ...`: one report from N generators' summaries
 * (`load --json`, `run --json`, e.g. of `--segment i/N` runs), percentiles
 * of the union of their samples, and the thresholds checked on the merged
 * result as the exit code.
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";
import { describeError } from "../base/errno.ts";
import { UsageError } from "../base/errors.ts";
import { VERSION } from "../base/version.ts";
import type { LoadSummary } from "../census/load_summary.ts";
import {
  type LabelledSummary,
  loadSummaryProblem,
  type MergedSummary,
  mergeSummaries,
} from "../census/merge_summaries.ts";
import { renderTextReport } from "../report/load_text.ts";
import { renderMergedHtml } from "../report/html.ts";
import { evaluateLoadThresholds } from "../suite/load_thresholds.ts";
import { parseKnownThreshold } from "../suite/threshold.ts";
import { type MergeCommand, parseMergeArgs } from "./merge_args.ts";
import { emit, say, sayUsageError, writeReport } from "./output.ts";
import { checkOutputPath } from "./output_paths.ts";

/** The `--help` text of `merge`. */
export const MERGE_HELP = `merge: one report from several load or run summaries (their --json files)
  deno run -P cli.ts merge seg_1.json seg_2.json ... [--json out.json] [--html out.html]
    [--threshold EXPR]
The HDR histograms are added, so percentiles are those of every sample of every
generator (never an average of percentiles); outcomes, errors, checks, marks and
TCP_INFO sums add up; the time series line up by wall-clock second; the socket
censuses, which each saw the same server, merge as the largest of each count.
Summaries of another target, scenario or format are a usage error (exit 2).
With --segment runs, says whether every segment of i/N is there once.
      --json FILE          write the merged JSON summary (- for stdout instead of the text)
      --html FILE          write the merged result's HTML report (load --html's, charts
                           of the merged histograms, the merged summaries listed)
      --threshold EXPR     fail (exit 1) unless EXPR holds on the merged result; repeatable
Files outside synfin's folder need --allow-read= (and --json or --html elsewhere
--allow-write=).
Exit codes: 0 every threshold held, 1 one failed, 2 usage error.`;

/**
 * Runs `merge` with the words after it and returns the exit code: 0 when
 * every threshold holds on the merged result, 1 when one fails, 2 on a
 * usage error (a file unreadable or not a summary, summaries of different
 * runs).
 *
 * @example
 * ```ts
 * import { merge } from "./merge.ts";
 * console.assert(await merge(["--help"]) === 0);
 * console.assert(await merge([]) === 2);
 * ```
 */
export async function merge(args: string[]): Promise<number> {
  let command: MergeCommand;
  let merged: MergedSummary;
  try {
    const parsed = parseMergeArgs(args);
    if (parsed.kind === "help") {
      console.log(MERGE_HELP);
      return EXIT.ok;
    }
    if (parsed.kind === "version") {
      console.log(`synfin ${VERSION}`);
      return EXIT.ok;
    }
    command = parsed;
  } catch (error) {
    return sayUsageError(error);
  }
  try {
    // Before anything is merged or printed: a bad path is one line, no
    // report (the words already say what to do: no --help hint, as load).
    if (command.jsonPath !== undefined) checkOutputPath(command.jsonPath, "--json");
    if (command.htmlPath !== undefined) checkOutputPath(command.htmlPath, "--html");
  } catch (error) {
    return sayUsageError(error, { hint: false });
  }
  try {
    merged = mergeSummaries(await Promise.all(command.files.map(readSummary)));
  } catch (error) {
    return sayUsageError(error);
  }
  const thresholds = evaluateLoadThresholds(
    command.thresholds.map(parseKnownThreshold),
    merged,
  );
  const report = thresholds.length > 0 ? { ...merged, thresholds } : merged;
  const coverage = segmentsLine(merged);
  const text = () =>
    `merged ${merged.merged.inputs} summaries: ${merged.merged.labels.join(", ")}` +
    (coverage ? `\n${coverage}` : "") + `\n\n${renderTextReport(merged, { thresholds })}`;
  if (!await emit(command.jsonPath, JSON.stringify(report, null, 2), text)) return EXIT.usage;
  if (command.htmlPath !== undefined) {
    const html = renderMergedHtml(merged, thresholds, { coverage, text: text() });
    if (!await writeReport(command.htmlPath, "--html", html)) return EXIT.usage;
  }
  // A partial set on stderr too: --json - leaves no text report to say it.
  const whole = merged.merged.segments?.complete && merged.merged.withoutSegment.length === 0;
  if (coverage && !whole) say(coverage);
  const failed = thresholds.filter((t) => !t.passed).map((t) => t.expression);
  if (failed.length > 0) {
    say(`FAIL: thresholds ${failed.join(", ")}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** Whether the `--segment` runs make one whole load, in words; none without segments. */
function segmentsLine(merged: MergedSummary): string | undefined {
  const { segments, withoutSegment } = merged.merged;
  if (segments === null) return undefined;
  if (segments.complete && withoutSegment.length === 0) {
    return `segments: all ${segments.count} of ${segments.count}, each once: the whole load`;
  }
  const problems: string[] = [];
  if (segments.count === null) {
    problems.push(`of different counts (/${segments.counts.join(", /")})`);
  }
  if (segments.missing.length > 0) problems.push(`missing ${segments.missing.join(", ")}`);
  if (segments.duplicated.length > 0) {
    problems.push(`${segments.duplicated.join(", ")} more than once (counted twice)`);
  }
  if (withoutSegment.length > 0) problems.push(`no segment in ${withoutSegment.join(", ")}`);
  const of = segments.count === null ? "" : ` of ${segments.count}`;
  return `segments${of}: not the whole load: ${problems.join("; ")}`;
}

/** One file's summary (`-`: stdin), or a one-line usage error naming the file and why. */
async function readSummary(file: string): Promise<LabelledSummary> {
  let text: string;
  try {
    text = file === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(file);
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${describeError(error, "--allow-read")}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot merge ${file}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const problem = loadSummaryProblem(value);
  if (problem) throw new UsageError(`Cannot merge ${file}: ${problem}`);
  return { label: file, summary: value as LoadSummary };
}
