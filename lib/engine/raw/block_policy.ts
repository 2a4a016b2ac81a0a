/**
 * When a {@link Reactor} with nothing to do may hold its thread in a
 * synchronous `epoll_wait` (microseconds to wake, as `runSessionLoop`
 * waits) rather than park on the thread pool (75 us to wake): while the
 * blocks keep waking waits.
 *
 * @module
 */

/** Blocks in a row that woke no wait before the loop parks instead. */
const MISSES_BEFORE_BACKOFF = 4;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1600;

/**
 * Blocks that keep waking no wait may mean the events need this very
 * thread (a server in the same event loop, as in tests): after a few in a
 * row the loop parks instead for 100 ms, twice that after the next few, up
 * to 1.6 s, until a block wakes a wait again. A miss or two is a server
 * short of CPU: under contention a 1 ms block missed about 1 time in 50,
 * and parking after each cost 500 parks per worker in 4 s.
 *
 * @example
 * ```ts
 * import { BlockPolicy } from "./block_policy.ts";
 * const policy = new BlockPolicy(1);
 * console.assert(policy.mayBlock(Infinity));
 * for (let i = 0; i < 4; i++) policy.missed();
 * console.assert(!policy.mayBlock(Infinity)); // parks for a while
 * console.assert(!new BlockPolicy(0).mayBlock(Infinity)); // 0: never blocks
 * ```
 */
export class BlockPolicy {
  /** The longest block, ms (0: never). */
  readonly blockMs: number;
  #blockAfter = 0;
  #misses = 0;
  #backoffMs = FIRST_BACKOFF_MS;

  /** A policy for blocks of at most `blockMs`. */
  constructor(blockMs: number) {
    this.blockMs = blockMs;
  }

  /** Whether to block now, given the earliest wait deadline (`performance.now()`). */
  mayBlock(nextDeadline: number): boolean {
    if (this.blockMs <= 0) return false;
    const now = performance.now();
    // A deadline due within the block is left to its JS timer.
    return now >= this.#blockAfter && nextDeadline - now > this.blockMs;
  }

  /** A block woke a wait. */
  woke(): void {
    this.#misses = 0;
    this.#backoffMs = FIRST_BACKOFF_MS;
  }

  /** A block ended with no wait to wake. */
  missed(): void {
    if (++this.#misses < MISSES_BEFORE_BACKOFF) return;
    this.#misses = 0;
    this.#blockAfter = performance.now() + this.#backoffMs;
    this.#backoffMs = Math.min(2 * this.#backoffMs, MAX_BACKOFF_MS);
  }
}
