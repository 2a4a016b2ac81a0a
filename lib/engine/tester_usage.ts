/**
 * Samples what a run costs the tester: resident memory (one process: the
 * workers are its threads) against the sessions in flight, and the file
 * descriptor limit. Sampled at the runner's progress reports, never on a
 * session's path.
 *
 * @module
 */

import type { EventLoopCpu, TesterUsage } from "./load.ts";
import { LINUX, openLibc, rawEngineUnavailable } from "./raw/libc.ts";

/** Collects {@link TesterUsage} over one run. */
export class TesterUsageSampler {
  readonly #before = Deno.memoryUsage().rss;
  #peak = this.#before;
  #peakInFlight = 0;
  #rssAtPeakInFlight: number | undefined;
  readonly #eventLoops: EventLoopCpu[] = [];

  /**
   * Takes one sample with `inFlight` sessions open.
   *
   * @example
   * ```ts
   * import { TesterUsageSampler } from "./tester_usage.ts";
   * const sampler = new TesterUsageSampler();
   * sampler.sample(10);
   * const usage = sampler.result();
   * console.assert(usage.peakInFlight === 10 && usage.rssPeakBytes >= usage.rssBeforeBytes);
   * ```
   */
  sample(inFlight: number): void {
    const rss = Deno.memoryUsage().rss;
    if (rss > this.#peak) this.#peak = rss;
    if (inFlight >= this.#peakInFlight && inFlight > 0) {
      this.#peakInFlight = inFlight;
      this.#rssAtPeakInFlight = rss;
    }
  }

  /** Notes one raw event loop's CPU over its run, as its worker reported it. */
  eventLoop(cpu: EventLoopCpu | undefined): void {
    if (cpu) this.#eventLoops.push(cpu);
  }

  /** What was sampled; the fd limit is read now. */
  result(): TesterUsage {
    this.sample(0);
    return {
      rssBeforeBytes: this.#before,
      rssPeakBytes: this.#peak,
      peakInFlight: this.#peakInFlight,
      bytesPerSessionInFlight: this.#rssAtPeakInFlight === undefined
        ? null
        : Math.max(0, this.#rssAtPeakInFlight - this.#before) / this.#peakInFlight,
      fdLimit: fileDescriptorLimit(),
      ...(this.#eventLoops.length > 0 && { eventLoops: this.#eventLoops }),
    };
  }
}

/**
 * The soft `RLIMIT_NOFILE` of this process through libc, or `null` where
 * the raw engine cannot run (not Linux, or FFI not permitted). Deno itself
 * raises the soft limit to the hard one at start-up (docs/tcp-facts.md), so
 * this is the most sockets one synfin process can hold.
 *
 * @example
 * ```ts
 * import { fileDescriptorLimit } from "./tester_usage.ts";
 * const limit = fileDescriptorLimit();
 * console.assert(limit === null || limit > 0);
 * ```
 */
export function fileDescriptorLimit(): number | null {
  if (rawEngineUnavailable()) return null;
  const libc = openLibc();
  try {
    const limits = new BigUint64Array(2); // struct rlimit { rlim_cur, rlim_max }
    if (libc.symbols.getrlimit(LINUX.RLIMIT_NOFILE, new Uint8Array(limits.buffer)) !== 0) {
      return null;
    }
    return Number(limits[0]);
  } finally {
    libc.close();
  }
}
