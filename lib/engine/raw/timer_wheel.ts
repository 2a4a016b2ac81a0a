/**
 * A hashed timer wheel for the raw engine's session timeouts: O(1) to arm,
 * O(1) per expiry, and no cancel at all. A session bumps its generation when
 * it moves on, and an expiry whose generation no longer matches is dropped
 * (lazy cancellation), so thousands of sessions arming and abandoning
 * timeouts cost no allocation per timer beyond two numbers in an array.
 *
 * @module
 */

/** One wheel: `slots` buckets of `tickMs` each; longer timeouts wait for their round. */
export class TimerWheel {
  readonly #tickMs: number;
  readonly #buckets: number[][];
  #tick: number;
  #armed = 0;

  /**
   * Creates a wheel whose clock starts at `nowMs`.
   *
   * @param nowMs the current time, in the same unit as later calls (e.g. `performance.now()`).
   * @param tickMs resolution, ms. @default {1}
   * @param slots number of buckets; a timeout longer than `slots * tickMs` waits rounds. @default {4096}
   */
  constructor(nowMs: number, tickMs = 1, slots = 4096) {
    this.#tickMs = tickMs;
    this.#buckets = Array.from({ length: slots }, () => []);
    this.#tick = Math.floor(nowMs / tickMs);
  }

  /** Timers armed and not yet expired (including abandoned ones). */
  get armed(): number {
    return this.#armed;
  }

  /**
   * Arms a timer for `id` (a session slot) of generation `generation`, due at
   * `dueMs`. It fires on the first {@link TimerWheel.advance} at or after that
   * time, never before.
   *
   * @example
   * ```ts
   * import { TimerWheel } from "./timer_wheel.ts";
   * const wheel = new TimerWheel(0);
   * wheel.arm(5, 7, 1);
   * const fired: number[] = [];
   * wheel.advance(4, (id) => fired.push(id));
   * wheel.advance(5, (id) => fired.push(id));
   * console.assert(fired.length === 1 && fired[0] === 7);
   * ```
   */
  arm(dueMs: number, id: number, generation: number): void {
    // Round up: a timer may fire late by up to one tick, never early.
    const dueTick = Math.max(Math.ceil(dueMs / this.#tickMs), this.#tick + 1);
    this.#buckets[dueTick % this.#buckets.length].push(dueTick, id, generation);
    this.#armed++;
  }

  /**
   * Moves the clock to `nowMs` and calls `expire(id, generation)` for every
   * timer due by then, in tick order.
   *
   * @example
   * ```ts
   * import { TimerWheel } from "./timer_wheel.ts";
   * const wheel = new TimerWheel(0, 1, 8);
   * wheel.arm(20, 1, 0); // beyond one turn of 8 slots: waits its round
   * let fired = 0;
   * wheel.advance(10, () => fired++);
   * console.assert(fired === 0);
   * wheel.advance(20, () => fired++);
   * console.assert(fired === 1 && wheel.armed === 0);
   * ```
   */
  advance(nowMs: number, expire: (id: number, generation: number) => void): void {
    const target = Math.floor(nowMs / this.#tickMs);
    if (this.#armed === 0) {
      this.#tick = Math.max(this.#tick, target);
      return;
    }
    const slots = this.#buckets.length;
    // Past one full turn every bucket has been visited; visit each once.
    const last = Math.min(target, this.#tick + slots);
    for (let tick = this.#tick + 1; tick <= last; tick++) {
      // A timer armed by an expiry lands on a later tick, not this one.
      this.#tick = tick;
      const bucket = this.#buckets[tick % slots];
      if (bucket.length === 0) continue;
      let kept = 0;
      for (let i = 0; i < bucket.length; i += 3) {
        const dueTick = bucket[i];
        if (dueTick <= target) {
          this.#armed--;
          expire(bucket[i + 1], bucket[i + 2]);
        } else {
          bucket[kept++] = dueTick;
          bucket[kept++] = bucket[i + 1];
          bucket[kept++] = bucket[i + 2];
        }
      }
      bucket.length = kept;
    }
    this.#tick = Math.max(this.#tick, target);
  }
}
