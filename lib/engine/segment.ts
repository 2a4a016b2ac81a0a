/**
 * Execution segments, as k6's: `--segment i/N` makes this generator the
 * i-th of N that together run one planned load. Each takes its exact share
 * of the concurrency, the session count, the rate and the stages, so the N
 * shares add up to the plan and `merge` of the N summaries is the whole run.
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import { DEFAULT_LOAD_SHAPE, type LoadOptions } from "./load.ts";
import { shareOf } from "./stages.ts";

/** Most generators one load may be split over. */
export const MAX_SEGMENTS = 1000;

/** Generator `index` (1-based) of `count`. */
export interface Segment {
  /** This generator, 1..count. */
  index: number;
  /** Generators in all, 1..{@link MAX_SEGMENTS}. */
  count: number;
}

/** Where `auto/N` finds the index: Kubernetes sets it (0-based) in each pod of an Indexed Job. */
export const COMPLETION_INDEX_VARIABLE = "JOB_COMPLETION_INDEX";

/**
 * Parses `i/N` (1 ≤ i ≤ N ≤ {@link MAX_SEGMENTS}), or `auto/N`, which takes
 * i from `completionIndex` (the 0-based {@link COMPLETION_INDEX_VARIABLE} of
 * a Kubernetes Indexed Job, or a matrix index): i = index + 1.
 *
 * @throws {UsageError} on anything else, naming the bad part.
 * @example
 * ```ts
 * import { parseSegment } from "./segment.ts";
 * console.assert(parseSegment("2/4").index === 2);
 * console.assert(parseSegment("auto/4", "3").index === 4);
 * ```
 */
export function parseSegment(text: string, completionIndex?: string): Segment {
  const match = /^(\d+|auto)\/(\d+)$/.exec(text);
  if (!match) {
    throw new UsageError(`Invalid --segment "${text}": give INDEX/COUNT, e.g. 1/4, or auto/4`);
  }
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SEGMENTS) {
    throw new UsageError(`Invalid --segment "${text}": the count is 1 to ${MAX_SEGMENTS}`);
  }
  let index: number;
  if (match[1] === "auto") {
    if (completionIndex === undefined || !/^\d+$/.test(completionIndex)) {
      throw new UsageError(
        `Invalid --segment "${text}": auto takes the index from ${COMPLETION_INDEX_VARIABLE} ` +
          `(0-based), which is ${
            completionIndex === undefined ? "not set" : `"${completionIndex}"`
          }`,
      );
    }
    index = Number(completionIndex) + 1;
  } else index = Number(match[1]);
  if (index < 1 || index > count) {
    throw new UsageError(
      `Invalid --segment "${text}": the index is 1 to ${count}, got ${index}` +
        (match[1] === "auto" ? ` (${COMPLETION_INDEX_VARIABLE}=${completionIndex})` : ""),
    );
  }
  return { index, count };
}

/**
 * `--segment TEXT`: {@link parseSegment}, reading
 * {@link COMPLETION_INDEX_VARIABLE} for `auto/N` only (so `i/N` needs no
 * env permission).
 *
 * @throws {UsageError} on a bad value, or when the variable may not be read.
 * @example
 * ```ts
 * import { segmentFlag } from "./segment.ts";
 * console.assert(segmentFlag("3/4").index === 3);
 * ```
 */
export function segmentFlag(text: string): Segment {
  if (!text.startsWith("auto/")) return parseSegment(text);
  let index: string | undefined;
  try {
    index = Deno.env.get(COMPLETION_INDEX_VARIABLE);
  } catch (error) {
    throw new UsageError(
      `--segment ${text} reads ${COMPLETION_INDEX_VARIABLE}: run with -P ` +
        `(or --allow-env=${COMPLETION_INDEX_VARIABLE})`,
      { cause: error },
    );
  }
  return parseSegment(text, index);
}

/**
 * This segment's share of a load: the concurrency and the session count
 * split into whole shares (10 over 4: 3, 3, 2, 2; the first segments take
 * the remainder), the rate divided by N, and each stage's target split the
 * same way (whole shares in a closed loop, where it is a concurrency; /N in
 * an open loop, where it is a rate). Durations, timeouts and the session
 * behaviour stay as they are: every generator runs the whole length.
 * Options left out get the runner's defaults first (100 in flight), so
 * `--segment 1/4` alone runs 25.
 *
 * @throws {UsageError} when a share would be empty (concurrency 2 over 4
 *   segments): each generator must run something.
 * @example
 * ```ts
 * import { segmentLoad } from "./segment.ts";
 * const shares = [1, 2, 3, 4].map((index) =>
 *   segmentLoad({ concurrency: 10, sessions: 401 }, { index, count: 4 })
 * );
 * console.assert(shares.map((s) => s.concurrency).join() === "3,3,2,2");
 * console.assert(shares.map((s) => s.sessions).join() === "101,100,100,100");
 * console.assert(segmentLoad({ rate: 100 }, { index: 1, count: 4 }).rate === 25);
 * ```
 */
export function segmentLoad(options: LoadOptions, segment: Segment): LoadOptions {
  const { index, count } = segment;
  const share = (total: number, what: string): number => {
    const mine = shareOf(total, index - 1, count);
    if (mine === 0) {
      throw new UsageError(
        `--segment ${index}/${count} leaves this generator no ${what} (${total} over ${count}): ` +
          `use at most ${Math.max(1, Math.round(total))} segments or raise it`,
      );
    }
    return mine;
  };
  const out: LoadOptions = { ...options };
  const rate = options.rate ?? null;
  const stages = options.stages && options.stages.length > 0 ? options.stages : undefined;
  if (stages) {
    out.stages = stages.map((stage) => ({
      ...stage,
      target: rate === null ? shareOf(stage.target, index - 1, count) : stage.target / count,
    }));
    if (rate === null && !out.stages.some((stage) => stage.target > 0)) {
      throw new UsageError(
        `--segment ${index}/${count} leaves this generator no session in flight in any stage: ` +
          "use fewer segments or higher stage targets",
      );
    }
  }
  // A staged closed loop takes its concurrency from the stages.
  if (!stages || rate !== null) {
    out.concurrency = share(
      options.concurrency ?? DEFAULT_LOAD_SHAPE.concurrency,
      rate === null ? "session in flight (concurrency)" : "in-flight cap (concurrency)",
    );
  }
  if (options.sessions != null) out.sessions = share(options.sessions, "session (sessions)");
  if (rate !== null) out.rate = rate / count;
  return out;
}

/**
 * Whether a set of segments is one whole load: every index of one count,
 * each once. Says which are missing or repeated.
 *
 * @example
 * ```ts
 * import { segmentCoverage } from "./segment.ts";
 * const gaps = segmentCoverage([{ index: 1, count: 4 }, { index: 2, count: 4 }, { index: 2, count: 4 }]);
 * console.assert(!gaps.complete && gaps.missing.join() === "3,4" && gaps.duplicated.join() === "2");
 * console.assert(segmentCoverage([{ index: 1, count: 1 }]).complete);
 * ```
 */
export function segmentCoverage(segments: readonly Segment[]): SegmentCoverage {
  const counts = [...new Set(segments.map((s) => s.count))].sort((a, b) => a - b);
  const count = counts.length === 1 ? counts[0] : null;
  const seen = new Map<number, number>();
  for (const s of segments) seen.set(s.index, (seen.get(s.index) ?? 0) + 1);
  const missing: number[] = [];
  if (count !== null) { for (let i = 1; i <= count; i++) if (!seen.has(i)) missing.push(i); }
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i).sort((a, b) => a - b);
  return {
    count,
    counts,
    missing,
    duplicated,
    complete: count !== null && missing.length === 0 && duplicated.length === 0,
  };
}

/** What {@link segmentCoverage} found. */
export interface SegmentCoverage {
  /** The one count every segment names; `null` when they name several (or none). */
  count: number | null;
  /** Every count named, ascending. */
  counts: number[];
  /** Indexes of the count that no summary ran. */
  missing: number[];
  /** Indexes more than one summary ran. */
  duplicated: number[];
  /** Every index of one count, each once. */
  complete: boolean;
}
