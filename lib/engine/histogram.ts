/**
 * Latency histograms for one phase of a TCP session, in microseconds, on
 * `hdr-histogram-js`. Encoded histograms (compressed base64, the HdrHistogram
 * interchange format) merge exactly, so workers, runs and machines combine
 * without losing percentiles.
 *
 * A process that chose record-only histograms (`histogram_mode.ts`: a
 * generator holding connections) does not load the library: its histograms
 * record into a `BucketRecorder`, give counts and percentiles, and encode as
 * plain buckets that {@link LatencyHistogram.decode} (in a process with the
 * library) records back exactly; the rest of the API throws there.
 *
 * @module
 */

import type * as Hdr from "hdr-histogram-js";
import { BucketRecorder } from "./bucket_recorder.ts";
import { histogramsRecordOnly } from "./histogram_mode.ts";

// Loaded as this module is evaluated, unless this process records only: an
// npm import starts Deno's Node compatibility layer (+12 MB VmRSS).
const hdr: typeof Hdr | undefined = histogramsRecordOnly()
  ? undefined
  : await import("hdr-histogram-js");

/**
 * Highest value tracked: 10 minutes. The kernel gives up a connect after
 * about 135 s here (tcp_syn_retries=6 with linear timeouts), and other hosts
 * retry longer; anything slower is clamped to this value.
 */
export const HIGHEST_TRACKABLE_US = 600_000_000;
const SIGNIFICANT_DIGITS = 3;

/** Percentiles and extremes of one phase, in microseconds. */
export interface PhaseStats {
  /** Number of recorded values. */
  count: number;
  /** Smallest value (0 when empty). */
  minUs: number;
  /** Arithmetic mean. */
  meanUs: number;
  /** Median. */
  p50Us: number;
  /** 90th percentile. */
  p90Us: number;
  /** 99th percentile. */
  p99Us: number;
  /** 99.9th percentile. */
  p999Us: number;
  /** Largest value. */
  maxUs: number;
}

/** One bar of a log-scaled histogram: values in `[fromUs, toUs)`. */
export interface LatencyBucket {
  /** Lower edge, inclusive. */
  fromUs: number;
  /** Upper edge, exclusive. */
  toUs: number;
  /** Values recorded in the bucket. */
  count: number;
}

/**
 * A microsecond-resolution HDR histogram for one session phase.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./histogram.ts";
 * const a = new LatencyHistogram();
 * a.record(30);
 * const b = LatencyHistogram.decode(a.encode());
 * b.record(1_000_000);
 * console.assert(b.stats().count === 2);
 * ```
 */
export class LatencyHistogram {
  #library: Hdr.JsHistogram | undefined;
  #recorder: BucketRecorder | undefined;

  constructor() {
    if (hdr) this.#library = new hdr.Int32Histogram(1, HIGHEST_TRACKABLE_US, SIGNIFICANT_DIGITS);
    else this.#recorder = new BucketRecorder(1, HIGHEST_TRACKABLE_US, SIGNIFICANT_DIGITS);
  }

  /** Records one value in microseconds (clamped to 1..{@link HIGHEST_TRACKABLE_US}). */
  record(us: number): void {
    if (Number.isNaN(us)) return;
    const value = Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round(us)));
    if (this.#recorder) this.#recorder.record(value);
    else this.#library!.recordValue(value);
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#recorder?.total ?? this.#library!.totalCount;
  }

  /** Adds every value of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    this.#histogram.add(other.#histogram);
  }

  /**
   * Encodes as compressed base64 (`HISTFAAA...`), mergeable with
   * {@link decode}; record-only, as plain buckets (`SYNFIN-BUCKETS:...`).
   */
  encode(): string {
    return this.#recorder?.encode() ?? hdr!.encodeIntoCompressedBase64(this.#histogram);
  }

  /**
   * Decodes a histogram made by {@link encode} (or any HdrHistogram
   * encoder); a record-only histogram's buckets are recorded with
   * `recordValueWithCount`, which gives the counts, total, minimum and
   * maximum that recording each value would have.
   */
  static decode(encoded: string): LatencyHistogram {
    const histogram = new LatencyHistogram();
    const buckets = BucketRecorder.decode(encoded);
    if (buckets) {
      const { values } = buckets;
      const h = histogram.#histogram;
      for (let i = 0; i < values.length; i += 2) h.recordValueWithCount(values[i], values[i + 1]);
      return histogram;
    }
    const decoded = library().decodeFromCompressedBase64(encoded, 32, false) as Hdr.JsHistogram;
    histogram.#histogram.add(decoded);
    decoded.destroy();
    return histogram;
  }

  /** Value at a percentile (0..100), in microseconds. */
  percentile(percentile: number): number {
    if (this.#recorder) return this.#recorder.percentile(percentile);
    return this.count === 0 ? 0 : this.#histogram.getValueAtPercentile(percentile);
  }

  /** Count, min, mean, p50, p90, p99, p99.9 and max. */
  stats(): PhaseStats {
    const h = this.#histogram;
    if (h.totalCount === 0) {
      return { count: 0, minUs: 0, meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
    }
    return {
      count: h.totalCount,
      minUs: h.minNonZeroValue,
      meanUs: Math.round(h.mean),
      p50Us: h.getValueAtPercentile(50),
      p90Us: h.getValueAtPercentile(90),
      p99Us: h.getValueAtPercentile(99),
      p999Us: h.getValueAtPercentile(99.9),
      // Percentiles report the top of their HDR bucket; so must the maximum.
      maxUs: Math.min(HIGHEST_TRACKABLE_US, h.highestEquivalentValue(h.maxValue)),
    };
  }

  /** Number of values at or above `us`. */
  countAtOrAbove(us: number): number {
    let count = 0;
    for (const bucket of this.#nonZero()) if (bucket.value >= us) count += bucket.count;
    return count;
  }

  /**
   * Counts on log-scaled buckets with 1-2-5 edges (1us, 2us, 5us, 10us, ...),
   * from the first non-empty bucket to the last, so a 1 s SYN-retransmit mode
   * shows on the same chart as a 30 us mode.
   */
  logBuckets(): LatencyBucket[] {
    if (this.count === 0) return [];
    const edges: number[] = [];
    for (let decade = 1; decade <= HIGHEST_TRACKABLE_US * 10; decade *= 10) {
      edges.push(decade, decade * 2, decade * 5);
    }
    const buckets: LatencyBucket[] = edges.slice(0, -1).map((fromUs, i) => ({
      fromUs,
      toUs: edges[i + 1],
      count: 0,
    }));
    for (const { value, count } of this.#nonZero()) {
      const bucket = buckets.find((b) => value < b.toUs) ?? buckets[buckets.length - 1];
      bucket.count += count;
    }
    const first = buckets.findIndex((b) => b.count > 0);
    const last = buckets.findLastIndex((b) => b.count > 0);
    return buckets.slice(first, last + 1);
  }

  /** The library's histogram; a record-only process has none. */
  get #histogram(): Hdr.JsHistogram {
    if (this.#library) return this.#library;
    throw libraryMissing();
  }

  *#nonZero(): Generator<{ value: number; count: number }> {
    const h = this.#histogram;
    const lastIndex = h.countsArrayIndex(h.maxValue);
    for (let index = 0; index <= lastIndex; index++) {
      const count = h.getCountAtIndex(index);
      if (count > 0) yield { value: h.highestEquivalentValue(h.valueFromIndex(index)), count };
    }
  }
}

function library(): typeof Hdr {
  if (hdr) return hdr;
  throw libraryMissing();
}

function libraryMissing(): Error {
  return new Error(
    "This process records histograms only (histogram_mode.ts): hdr-histogram-js is not loaded",
  );
}
