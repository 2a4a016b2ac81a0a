/**
 * The socket census part of merging N generators' summaries. Unlike the
 * sessions, censuses do not add up: every generator's census reads the
 * same server's table (its port, from whichever host), and generators on
 * one host read the same tester-side table and namespace counters too, so
 * each census already counts the other generators' sockets. Summing would
 * count them N times; the merge takes, per number, the largest any census
 * saw: the whole when the censuses overlap (one host, or one server's
 * table), a lower bound when they do not (tester tables of separate hosts).
 *
 * @module
 */

import type { Outcome } from "../engine/outcome.ts";
import { findLingering, type LingerFindings } from "./findings.ts";
import type { LoadSummary } from "./load_summary.ts";
import type { SocketReport, SocketsUnavailable } from "./socket_report.ts";

/** The merged `sockets` and `lingering` of a summary, either absent when no input had it. */
export interface MergedCensus {
  /** The largest of each census number, or the first input's reason when none was available. */
  sockets?: SocketReport | SocketsUnavailable;
  /** The findings, computed again from the merged census and the merged outcomes. */
  lingering?: LingerFindings;
}

/**
 * Merges the inputs' censuses (see the module doc: largest, not sum) and
 * finds the lingering sockets again from the merged census and outcomes.
 * The per-sample series are dropped: each census's `atMs` counts from its
 * own baseline.
 *
 * @example
 * ```ts
 * import { mergeCensus } from "./merge_census.ts";
 * import type { LoadSummary } from "./load_summary.ts";
 * const none = mergeCensus([{} as LoadSummary, {} as LoadSummary], {} as LoadSummary["outcomes"]);
 * console.assert(none.sockets === undefined && none.lingering === undefined);
 * ```
 */
export function mergeCensus(
  summaries: readonly LoadSummary[],
  outcomes: Record<Outcome, number>,
): MergedCensus {
  const given = summaries.map((s) => s.sockets).filter((s) => s !== undefined);
  if (given.length === 0) return {};
  const available = given.filter((s): s is SocketReport => s.available);
  let sockets: SocketReport | SocketsUnavailable;
  if (available.length === 0) {
    const counters = largest(given.map((s) => s.counters));
    sockets = { ...given[0], counters: counters ?? null };
  } else {
    sockets = { ...largest(available), series: [] } as SocketReport;
  }
  const hadFindings = summaries.some((s) => s.lingering !== undefined);
  if (!hadFindings) return { sockets };
  const ephemeralPorts = summaries
    .map((s) => s.lingering?.testerTimeWait?.ephemeralPorts)
    .find((n) => typeof n === "number");
  return {
    sockets,
    lingering: findLingering(
      sockets,
      outcomes,
      ephemeralPorts === undefined || ephemeralPorts === null ? {} : { ephemeralPorts },
    ),
  };
}

/**
 * The field-by-field largest of same-shaped values: numbers take the
 * maximum, objects recurse, `null` gives way to a value, anything else
 * (strings, booleans, arrays) is the first one's.
 */
function largest<T>(values: readonly T[]): T {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return values[0];
  const first = present[0];
  if (typeof first === "number") {
    return Math.max(...(present as number[])) as T;
  }
  if (typeof first !== "object" || Array.isArray(first)) return first;
  const out: Record<string, unknown> = {};
  const keys = new Set(present.flatMap((v) => Object.keys(v as object)));
  for (const key of keys) {
    out[key] = largest(present.map((v) => (v as Record<string, unknown>)[key]));
  }
  return out as T;
}
