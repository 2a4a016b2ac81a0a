/**
 * Per-second latency histograms of each timed phase, for an HdrHistogram
 * interval log (`--hlog`) and per-second percentiles in the time series.
 * Kept only when asked for (`SessionOptions.intervalHistograms`), keyed by
 * epoch second as the tally's timeline is, so workers and generator
 * processes merge second by second, exactly.
 *
 * Memory: a live `LatencyHistogram` holds 21,504 32-bit counts (86 KB), so
 * only the current second's are live; a second that has passed is kept as
 * its compressed encoding: 64 bytes for a single value, 0.7-1.9 KB for a
 * second of 1,000-20,000 values spread over 30 us-3 ms (measured), so at
 * most about 8 KB per second for the four phases, 28 MB for an hour. Sealing
 * a second costs about 1 ms per phase, once a second.
 *
 * @module
 */

import { LatencyHistogram } from "./histogram.ts";

/** Per-second histograms as plain data: `[epoch second, series → encoded HDR histogram]`. */
export type EncodedIntervals = [number, Record<string, string>][];

/**
 * Histograms per wall-clock second and series (a phase name).
 *
 * @example
 * ```ts
 * import { IntervalHistograms } from "./interval_histograms.ts";
 * const a = new IntervalHistograms();
 * a.record(1_700_000_000, "handshake", 40);
 * a.record(1_700_000_001, "handshake", 50);
 * const b = new IntervalHistograms();
 * b.merge(a.encode());
 * b.merge(a.encode());
 * console.assert(b.seconds.length === 2);
 * console.assert(b.at(1_700_000_000).get("handshake")?.count === 2);
 * ```
 */
export class IntervalHistograms {
  #sealed = new Map<number, Map<string, string>>();
  #openSecond: number | null = null;
  #open = new Map<string, LatencyHistogram>();

  /** Records `us` in `series` for epoch second `second`. */
  record(second: number, series: string, us: number): void {
    if (second !== this.#openSecond) {
      this.#seal();
      this.#openSecond = second;
    }
    let histogram = this.#open.get(series);
    if (!histogram) this.#open.set(series, histogram = new LatencyHistogram());
    histogram.record(us);
  }

  /** The seconds with any value, in order. */
  get seconds(): number[] {
    this.#seal();
    return [...this.#sealed.keys()].sort((a, b) => a - b);
  }

  /** The histograms of one second, by series (empty when none). */
  at(second: number): Map<string, LatencyHistogram> {
    this.#seal();
    const series = new Map<string, LatencyHistogram>();
    for (const [name, encoded] of this.#sealed.get(second) ?? []) {
      series.set(name, LatencyHistogram.decode(encoded));
    }
    return series;
  }

  /** Adds another tally's intervals, second by second and series by series. */
  merge(other: EncodedIntervals): void {
    this.#seal();
    for (const [second, series] of other) {
      for (const [name, encoded] of Object.entries(series)) this.#add(second, name, encoded);
    }
  }

  /** Plain data, seconds in order; {@link merge} reads it back exactly. */
  encode(): EncodedIntervals {
    return this.seconds.map((second) => [second, Object.fromEntries(this.#sealed.get(second)!)]);
  }

  #seal(): void {
    if (this.#openSecond === null) return;
    for (const [name, histogram] of this.#open) {
      this.#add(this.#openSecond, name, histogram.encode());
    }
    this.#open.clear();
    this.#openSecond = null;
  }

  #add(second: number, name: string, encoded: string): void {
    let series = this.#sealed.get(second);
    if (!series) this.#sealed.set(second, series = new Map());
    const before = series.get(name);
    if (before === undefined) {
      series.set(name, encoded);
      return;
    }
    const sum = LatencyHistogram.decode(before);
    sum.add(LatencyHistogram.decode(encoded));
    series.set(name, sum.encode());
  }
}
