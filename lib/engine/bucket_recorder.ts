/**
 * A record-only latency histogram in plain TypeScript, for the one process
 * kind that must stay small: a generator holding its share of 100,000
 * connections (issue 10). Everywhere else synfin uses `hdr-histogram-js`
 * (`histogram.ts`), as the house rule prefers a well-kept library to
 * hand-written code; this one piece is hand-written because loading any
 * `npm:` module starts Deno's Node compatibility layer: measured, a process
 * with the generator's modules is 43-44 MB VmRSS without the library and
 * 55-56 MB with it (+12.5 MB, 9 MB of it the binary's file pages); a
 * generator holding 13,333 connections, 62-65 MB with it and 55-56 MB
 * without (bench/hold_bench.ts, 40,000 over 3), times 6 generators for
 * 100,000.
 *
 * It mirrors the library's *index math* (`JsHistogram`'s `init`,
 * `countsArrayIndex`, `getBucketIndex`, `getSubBucketIndex`,
 * `valueFromIndex`, the equivalent-value ranges and `getValueAtPercentile`,
 * same expressions), not its file formats: a generator ships its non-empty
 * buckets as plain pairs (see {@link BucketRecorder.encode}) and the parent
 * records them into a real `hdr-histogram-js` histogram with
 * `recordValueWithCount`, which then holds the same counts, total, min and
 * max as if it had recorded every value (tests/engine/bucket_recorder_test.ts
 * compares the encodings).
 *
 * @module
 */

/** What a {@link BucketRecorder} ships: its encoding starts with this. */
export const BUCKETS_PREFIX = "SYNFIN-BUCKETS:";

/** A recorder's content: `[value, count]` pairs that rebuild it exactly, and their sums. */
export interface RecordedBuckets {
  /** Values recorded. */
  total: number;
  /** Flat `[value, count, value, count, ...]`, every pair in a distinct bucket or the same as min/max. */
  values: number[];
}

/**
 * Counts of values in HdrHistogram's buckets for one set of settings, with
 * the exact smallest and largest value (what the library keeps too).
 *
 * @example
 * ```ts
 * import { BucketRecorder } from "./bucket_recorder.ts";
 * const recorder = new BucketRecorder(1, 600_000_000, 3);
 * recorder.record(30);
 * recorder.record(123_456);
 * console.assert(recorder.total === 2 && recorder.percentile(100) === 123_519);
 * const buckets = BucketRecorder.decode(recorder.encode())!;
 * console.assert(buckets.total === 2 && buckets.values.length === 4);
 * ```
 */
export class BucketRecorder {
  /** Values recorded. */
  total = 0;
  #min = Number.MAX_SAFE_INTEGER;
  #max = 0;
  readonly #unitMagnitude: number;
  readonly #subBucketHalfCountMagnitude: number;
  readonly #subBucketCount: number;
  readonly #subBucketHalfCount: number;
  readonly #counts: Uint32Array;

  /** As `new Int32Histogram(lowest, highest, digits)`; `lowest` >= 1, values integers in range. */
  constructor(lowest: number, highest: number, digits: number) {
    // JsHistogram.init and establishSize, same expressions.
    const largestValueWithSingleUnitResolution = 2 * Math.floor(Math.pow(10, digits));
    this.#unitMagnitude = Math.floor(Math.log2(lowest));
    const subBucketCountMagnitude = Math.ceil(Math.log2(largestValueWithSingleUnitResolution));
    this.#subBucketHalfCountMagnitude =
      (subBucketCountMagnitude > 1 ? subBucketCountMagnitude : 1) -
      1;
    this.#subBucketCount = Math.pow(2, this.#subBucketHalfCountMagnitude + 1);
    this.#subBucketHalfCount = this.#subBucketCount / 2;
    let smallestUntrackableValue = this.#subBucketCount * Math.pow(2, this.#unitMagnitude);
    let bucketsNeeded = 1;
    while (smallestUntrackableValue <= highest) {
      smallestUntrackableValue *= 2;
      bucketsNeeded++;
    }
    this.#counts = new Uint32Array((bucketsNeeded + 1) * (this.#subBucketCount / 2));
  }

  /** Records one value (an integer the histogram's range covers, as the caller clamps it). */
  record(value: number): void {
    this.#counts[this.#countsArrayIndex(value)]++;
    this.total++;
    if (value > this.#max) this.#max = value;
    if (value < this.#min) this.#min = value;
  }

  /** As `JsHistogram.getValueAtPercentile` (0 when empty). */
  percentile(percentile: number): number {
    if (this.total === 0) return 0;
    const requested = Math.min(percentile, 100);
    const fpCountAtPercentile = (requested / 100.0) * this.total;
    const countAtPercentile = Math.max(
      Math.ceil(fpCountAtPercentile - ulp(fpCountAtPercentile)),
      1,
    );
    let totalToCurrentIndex = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      totalToCurrentIndex += this.#counts[i];
      if (totalToCurrentIndex >= countAtPercentile) {
        const valueAtIndex = this.#valueFromIndex(i);
        return percentile === 0.0
          ? this.#lowestEquivalentValue(valueAtIndex)
          : this.#lowestEquivalentValue(valueAtIndex) +
            this.#sizeOfEquivalentValueRange(valueAtIndex) -
            1;
      }
    }
    return 0;
  }

  /**
   * The pairs that rebuild this recorder: each non-empty bucket at its lowest
   * value, except that the smallest and largest values recorded go in at
   * their own value (the library keeps them exactly: recording a bucket's
   * lowest value instead would lower its minimum or maximum).
   */
  buckets(): RecordedBuckets {
    const values: number[] = [];
    if (this.total === 0) return { total: 0, values };
    const minIndex = this.#countsArrayIndex(this.#min);
    const maxIndex = this.#countsArrayIndex(this.#max);
    for (let index = 0; index <= maxIndex; index++) {
      let count = this.#counts[index];
      if (count === 0) continue;
      if (index === maxIndex && this.#max !== this.#min) {
        values.push(this.#max, 1);
        count--;
      }
      if (count > 0) {
        values.push(index === minIndex ? this.#min : this.#valueFromIndex(index), count);
      }
    }
    return { total: this.total, values };
  }

  /** {@link buckets} as one string (`SYNFIN-BUCKETS:{...}`), for a tally's histogram field. */
  encode(): string {
    return BUCKETS_PREFIX + JSON.stringify(this.buckets());
  }

  /** The buckets of an {@link encode}d string; `undefined` for any other string. */
  static decode(encoded: string): RecordedBuckets | undefined {
    if (!encoded.startsWith(BUCKETS_PREFIX)) return undefined;
    const buckets = JSON.parse(encoded.slice(BUCKETS_PREFIX.length)) as RecordedBuckets;
    let sum = 0;
    for (let i = 1; i < buckets.values.length; i += 2) sum += buckets.values[i];
    if (sum !== buckets.total) {
      throw new RangeError(`Bucket counts sum to ${sum}, not their total ${buckets.total}`);
    }
    return buckets;
  }

  #countsArrayIndex(value: number): number {
    const bucketIndex = this.#getBucketIndex(value);
    const subBucketIndex = this.#getSubBucketIndex(value, bucketIndex);
    const bucketBaseIndex = (bucketIndex + 1) * Math.pow(2, this.#subBucketHalfCountMagnitude);
    return bucketBaseIndex + subBucketIndex - this.#subBucketHalfCount;
  }

  #getBucketIndex(value: number): number {
    return Math.max(
      Math.floor(Math.log2(value)) - this.#subBucketHalfCountMagnitude - this.#unitMagnitude,
      0,
    );
  }

  #getSubBucketIndex(value: number, bucketIndex: number): number {
    return Math.floor(value / Math.pow(2, bucketIndex + this.#unitMagnitude));
  }

  #valueFromIndex(index: number): number {
    let bucketIndex = Math.floor(index / this.#subBucketHalfCount) - 1;
    let subBucketIndex = (index % this.#subBucketHalfCount) + this.#subBucketHalfCount;
    if (bucketIndex < 0) {
      subBucketIndex -= this.#subBucketHalfCount;
      bucketIndex = 0;
    }
    return subBucketIndex * Math.pow(2, bucketIndex + this.#unitMagnitude);
  }

  #lowestEquivalentValue(value: number): number {
    const bucketIndex = this.#getBucketIndex(value);
    const subBucketIndex = this.#getSubBucketIndex(value, bucketIndex);
    return subBucketIndex * Math.pow(2, bucketIndex + this.#unitMagnitude);
  }

  #sizeOfEquivalentValueRange(value: number): number {
    const bucketIndex = this.#getBucketIndex(value);
    const subBucketIndex = this.#getSubBucketIndex(value, bucketIndex);
    return Math.pow(
      2,
      this.#unitMagnitude +
        (subBucketIndex >= this.#subBucketCount ? bucketIndex + 1 : bucketIndex),
    );
  }
}

/** The library's `ulp`: the spacing of doubles at `x`. */
function ulp(x: number): number {
  return Math.pow(2, Math.floor(Math.log2(x)) - 52);
}
