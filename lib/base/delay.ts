/**
 * A wait that a stop cuts short. Unlike `@std/async`'s `delay`, an abort
 * resolves rather than rejects: every caller here (census drain, burst
 * pause, slow-accept server, worker schedule) just moves on to reporting
 * what it has.
 *
 * @module
 */

/** Options of {@link delay}. */
export interface DelayOptions {
  /** Ends the wait early (the promise still resolves). */
  signal?: AbortSignal;
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts; leaves no timer or
 * listener behind either way.
 *
 * @example
 * ```ts
 * import { delay } from "./delay.ts";
 * const stop = new AbortController();
 * stop.abort();
 * await delay(60_000, { signal: stop.signal }); // returns at once
 * ```
 */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
