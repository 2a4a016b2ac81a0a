/**
 * When the raw loop may start a session: the closed loop's count and time
 * bounds, or the open loop's start schedule, and how long the loop may sleep
 * in `epoll_wait` without missing a start.
 *
 * @module
 */

import { type StartCounts, StartSchedule } from "../start_schedule.ts";
import type { SessionLoopPlan } from "./loop_plan.ts";

/**
 * The start bounds of one raw loop.
 *
 * @example
 * ```ts
 * import { LoopStarts } from "./loop_starts.ts";
 * const starts = new LoopStarts({ sessions: 2, durationMs: null, rate: null, rateOffsetMs: 0 }, 0);
 * starts.claimed = 2;
 * console.assert(!starts.more(0) && starts.schedule === undefined);
 * ```
 */
export class LoopStarts {
  /** Open loop: the slots to start or drop; `undefined` in a closed loop. */
  readonly schedule: StartSchedule | undefined;
  /** Sessions started (closed and open loop). */
  claimed = 0;
  readonly #deadline: number;
  readonly #sessions: number;

  /** The bounds of `plan`, counted from `start` (`performance.now()` ms). */
  constructor(
    plan: Pick<SessionLoopPlan, "sessions" | "durationMs" | "rate" | "rateOffsetMs">,
    start: number,
  ) {
    // Open loop: a slot due while the cap is reached is dropped (k6's dropped_iterations).
    this.schedule = plan.rate === null
      ? undefined
      : new StartSchedule({ ...plan, rate: plan.rate }, start);
    this.#deadline = plan.durationMs === null ? Infinity : start + plan.durationMs;
    this.#sessions = plan.sessions ?? Infinity;
  }

  /** True while the bounds allow another start (the stop flag and tester limits aside). */
  more(now: number): boolean {
    if (this.schedule) return !this.schedule.done;
    return this.claimed < this.#sessions && now < this.#deadline;
  }

  /**
   * Shortens an `epoll_wait` of `waitMs` to wake at the next slot (even at
   * the cap: a slot is dropped only if no session is free at its time) or at
   * the closed loop's deadline.
   */
  waitMs(now: number, waitMs: number): number {
    const until = this.schedule ? this.schedule.next : this.#deadline;
    return until === Infinity ? waitMs : Math.min(waitMs, Math.max(0, Math.ceil(until - now)));
  }

  /** Open loop: the schedule's intended and dropped starts; `undefined` in a closed loop. */
  counts(): StartCounts | undefined {
    const s = this.schedule;
    return s && { intended: s.intended, dropped: s.dropped };
  }
}
