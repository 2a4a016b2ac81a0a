/**
 * The config keys only `load` and `run` read beyond the flags' own:
 * `tags` and `stages`, checked as `--tag` and `--stage` are.
 *
 * @module
 */

import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";

/**
 * The `tags` key: an object of short strings, `{"region": "eu"}`.
 *
 * @example
 * ```ts
 * import { checkTags } from "./run_keys.ts";
 * console.assert("value" in checkTags({ region: "eu" }));
 * console.assert("problem" in checkTags(["eu"]));
 * ```
 */
export function checkTags(value: unknown): { problem: string } | { value: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { problem: 'must be an object of strings, e.g. {"region": "eu"}' };
  }
  for (const [key, tag] of Object.entries(value)) {
    const problem = tagProblem(key, tag);
    if (problem) return { problem };
  }
  return { value: { ...value } };
}

/**
 * What is wrong with a tag, or `undefined`: names and values appear in
 * threshold filters (`check.pong{region:eu}`), so they may not hold the
 * filter's own punctuation.
 *
 * @example
 * ```ts
 * import { tagProblem } from "./run_keys.ts";
 * console.assert(tagProblem("region", "eu") === undefined);
 * console.assert(tagProblem("a b", "x") !== undefined);
 * ```
 */
export function tagProblem(key: string, value: unknown): string | undefined {
  if (!/^[\w.-]{1,64}$/.test(key)) {
    return `tag ${JSON.stringify(key)}: a name is 1 to 64 letters, digits, ".", "-" or "_"`;
  }
  if (typeof value !== "string" || !/^[^{},:<>=!]{0,128}$/.test(value)) {
    return `tag ${JSON.stringify(key)}: the value must be a string of at most 128 characters ` +
      "without { } , : < > = !";
  }
  return undefined;
}

/** The most stages of a run, and the highest target (as `-c` in `load`, `--rate`). */
const MAX_STAGES = 100;
const MAX_STAGE_TARGET = 1_000_000;

/**
 * The `stages` key: `[{"duration": "5s", "target": 200}, ...]`, each
 * checked as `--stage` is.
 *
 * @example
 * ```ts
 * import { checkStages } from "./run_keys.ts";
 * console.assert("value" in checkStages([{ duration: "5s", target: 200 }]));
 * console.assert("problem" in checkStages([{ duration: "0s", target: 1 }]));
 * ```
 */
export function checkStages(value: unknown): { problem: string } | { value: unknown } {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_STAGES) {
    return {
      problem:
        `must be an array of 1 to ${MAX_STAGES} stages, e.g. [{"duration": "5s", "target": 200}]`,
    };
  }
  const checked: { duration: string; target: number }[] = [];
  for (const [index, stage] of value.entries()) {
    const where = `stage ${index + 1}`;
    if (typeof stage !== "object" || stage === null || Array.isArray(stage)) {
      return { problem: `${where} must be an object {"duration": "5s", "target": 200}` };
    }
    const { duration: given, target, ...rest } = stage as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) return { problem: `${where} has an unknown key "${extra}"` };
    if (typeof given !== "number" && (typeof given !== "string" || given === "")) {
      return { problem: `${where}: duration must be a duration, e.g. "2s" or 5 (seconds)` };
    }
    try {
      parseDuration(given, "stage duration", { positive: true });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { problem: `${where}: ${error.message}` };
    }
    if (typeof target !== "number" || !(target >= 0) || target > MAX_STAGE_TARGET) {
      return { problem: `${where}: target must be a number from 0 to ${MAX_STAGE_TARGET}` };
    }
    checked.push({ duration: String(given), target });
  }
  return { value: checked };
}
