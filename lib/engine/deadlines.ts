/**
 * Coarse deadlines for many sessions on one event loop, swept by a single
 * interval timer instead of one timer (and one `AbortSignal.timeout`) per
 * session. Timeouts here are hundreds of milliseconds or more, so a 10 ms
 * sweep is precise enough, and the per-session cost of a timer showed as a
 * few percent of sessions/s in `deno task bench`.
 *
 * @module
 */

/** A scheduled deadline; pass it to {@link Deadlines.cancel}. */
export interface Deadline {
  /** `performance.now()` at which it fires. */
  readonly at: number;
  /** Called once when the deadline passes. */
  readonly fire: () => void;
}

/**
 * A set of deadlines swept every `sweepMs` while any is pending.
 *
 * @example
 * ```ts
 * import { Deadlines } from "./deadlines.ts";
 * const deadlines = new Deadlines();
 * const fired = await new Promise<boolean>((resolve) => {
 *   deadlines.add(20, () => resolve(true));
 * });
 * console.assert(fired);
 * ```
 */
export class Deadlines {
  readonly #pending = new Set<Deadline>();
  readonly #sweepMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Creates an empty set swept every `sweepMs` (default 10 ms). */
  constructor(sweepMs = 10) {
    this.#sweepMs = sweepMs;
  }

  /** Calls `fire` once, `delayMs` from now (within one sweep interval). */
  add(delayMs: number, fire: () => void): Deadline {
    const deadline = { at: performance.now() + delayMs, fire };
    this.#pending.add(deadline);
    this.#timer ??= setInterval(() => this.#sweep(), this.#sweepMs);
    return deadline;
  }

  /** Cancels a deadline that has not fired (no-op otherwise). */
  cancel(deadline: Deadline): void {
    this.#pending.delete(deadline);
    if (this.#pending.size === 0) this.#stop();
  }

  /** Deadlines not yet fired or cancelled. */
  get size(): number {
    return this.#pending.size;
  }

  #sweep(): void {
    const now = performance.now();
    for (const deadline of this.#pending) {
      if (deadline.at <= now) {
        this.#pending.delete(deadline);
        deadline.fire();
      }
    }
    if (this.#pending.size === 0) this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
