/**
 * Picks the cases a run includes: `--case ID` (repeatable; an ID or a
 * prefix such as `close/`) and `--skip ID`.
 *
 * @module
 */

import type { ConformanceCase } from "./case.ts";
import { UsageError } from "../base/errors.ts";

/** Options of {@link selectCases}. */
export interface CaseSelection {
  /** Run only cases whose ID equals or starts with one of these. Empty: all. */
  only?: readonly string[];
  /** Leave out cases whose ID equals or starts with one of these. */
  skip?: readonly string[];
}

/**
 * Filters `cases`, keeping their order.
 *
 * @throws {UsageError} when a pattern matches no case (a typo would
 *   otherwise silently run nothing or everything), or when the skips leave
 *   no case at all.
 * @example
 * ```ts
 * import { selectCases } from "./selection.ts";
 * const cases = [
 *   { options: { id: "close/no-reset", severity: "MUST" as const, requirement: "" } },
 *   { options: { id: "idle/timeout", severity: "INFO" as const, requirement: "" } },
 * ];
 * console.assert(selectCases(cases, { only: ["close/"] }).length === 1);
 * ```
 */
export function selectCases<T extends Pick<ConformanceCase, "options">>(
  cases: readonly T[],
  selection: CaseSelection = {},
): T[] {
  const matches = (pattern: string, id: string) =>
    id === pattern ||
    (pattern.endsWith("/") ? id.startsWith(pattern) : id.startsWith(`${pattern}/`));
  const known = cases.map((c) => c.options.id);
  for (
    const [option, patterns] of [["--case", selection.only], ["--skip", selection.skip]] as const
  ) {
    for (const pattern of patterns ?? []) {
      if (!known.some((id) => matches(pattern, id))) {
        throw new UsageError(
          `Unknown case "${pattern}" in ${option}: use an ID or a group such as close/ ` +
            `(see --list)`,
        );
      }
    }
  }
  const only = selection.only ?? [];
  const selected = cases.filter((c) =>
    (only.length === 0 || only.some((p) => matches(p, c.options.id))) &&
    !(selection.skip ?? []).some((p) => matches(p, c.options.id))
  );
  if (selected.length === 0 && cases.length > 0) {
    // A run of no case would pass: a gate that checks nothing must not.
    throw new UsageError(
      `No case left to run: --skip ${(selection.skip ?? []).join(", ")} leaves out every ` +
        `case${only.length > 0 ? ` of --case ${only.join(", ")}` : ""} (see --list)`,
    );
  }
  return selected;
}
