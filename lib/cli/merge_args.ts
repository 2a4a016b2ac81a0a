/**
 * The `merge` command line: the summary files to merge, where the merged
 * JSON and HTML reports go, and the thresholds checked on the merged result.
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import { parseKnownThreshold } from "../suite/threshold.ts";
import { type EarlyCommand, jsonPathOf, nonEmpty, parseArgv } from "./parse.ts";

/** A parsed `merge` command line. */
export interface MergeCommand {
  /** The command. */
  kind: "merge";
  /** The summaries (`load --json` or `run --json` files), at least one; `-` reads stdin. */
  files: string[];
  /** `--json FILE`: write the merged summary there (`-`: stdout instead of the text). */
  jsonPath?: string;
  /** `--html FILE`: write the merged result's HTML report there (a file, never stdout). */
  htmlPath?: string;
  /** `--threshold EXPR`, each checked by `parseKnownThreshold`. */
  thresholds: string[];
}

const MERGE_OPTIONS = {
  json: { type: "string" },
  html: { type: "string" },
  threshold: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/**
 * Parses the words after `merge`.
 *
 * @throws {UsageError} on an unknown option, a bad threshold, `--html -`, or no file.
 * @example
 * ```ts
 * import { parseMergeArgs } from "./merge_args.ts";
 * const command = parseMergeArgs(["a.json", "b.json", "--threshold", "handshake.p99<5ms"]);
 * console.assert(command.kind === "merge" && command.files.length === 2);
 * ```
 */
export function parseMergeArgs(args: string[]): MergeCommand | EarlyCommand {
  const { values, positionals } = parseArgv(args, MERGE_OPTIONS);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (positionals.length === 0) {
    throw new UsageError("Missing summaries: give merge FILE.json... (written by load --json)");
  }
  const files = positionals.map((file) => nonEmpty(file, "summary file"));
  const thresholds = (values.threshold ?? []).map((expression) => {
    parseKnownThreshold(expression);
    return expression;
  });
  const html = values.html === undefined ? {} : { htmlPath: nonEmpty(values.html, "--html") };
  if (html.htmlPath === "-") {
    // As load's: stdout is the text or JSON report's.
    throw new UsageError(
      "--html writes a file: give a path (stdout carries the text or JSON report)",
    );
  }
  return { kind: "merge", files, thresholds, ...jsonPathOf(values.json), ...html };
}
