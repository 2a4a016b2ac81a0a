/**
 * When the raw loop may start a session: the closed loop's count and time
 * bounds, or the open loop's start schedule, and how long the loop may sleep
 * in `epoll_wait` without missing a start.
 *
 * @module
 */

import { type StartCounts, StartSchedule } from "../start_schedule.ts";
import type { SessionLoopPlan } from "./loop_plan.ts";
import { shareOf, stageTargetAt } from "../stages.ts";

/** How often a loop whose concurrency ramps looks at its target again, ms. */
const RAMP_POLL_MS = 5;

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
  readonly #concurrencyAt: ((now: number) => number) | undefined;

  /** The bounds of `plan`, counted from `start` (`performance.now()` ms). */
  constructor(
    plan: Pick<
      SessionLoopPlan,
      "sessions" | "durationMs" | "rate" | "rateOffsetMs" | "stages" | "workers" | "spreadFrom"
    >,
    start: number,
  ) {
    const { stages, workers = 1, spreadFrom: index = 0 } = plan;
    // Open loop: a slot due while the cap is reached is dropped (k6's dropped_iterations).
    const staged = stages && { stages, firstSlot: index, stride: workers };
    this.schedule = plan.rate === null ? undefined : new StartSchedule(
      { ...plan, rate: staged ? plan.rate * workers : plan.rate, ...staged },
      start,
    );
    this.#concurrencyAt = stages && plan.rate === null
      ? (now) => shareOf(stageTargetAt(stages, now - start), index, workers)
      : undefined;
    this.#deadline = plan.durationMs === null ? Infinity : start + plan.durationMs;
    this.#sessions = plan.sessions ?? Infinity;
  }

  /** Closed loop: the sessions to keep in flight at `now`, at most `cap` (a ramping stage's share). */
  concurrency(now: number, cap: number): number {
    return this.#concurrencyAt ? Math.min(cap, this.#concurrencyAt(now)) : cap;
  }

  /** Whether the target concurrency changes over time (the loop must wake to follow it). */
  get ramping(): boolean {
    return this.#concurrencyAt !== undefined;
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
    // A ramping concurrency is looked at again every few ms.
    if (this.ramping) waitMs = Math.min(waitMs, RAMP_POLL_MS);
    const until = this.schedule ? this.schedule.next : this.#deadline;
    return until === Infinity ? waitMs : Math.min(waitMs, Math.max(0, Math.ceil(until - now)));
  }

  /** Open loop: the schedule's intended and dropped starts; `undefined` in a closed loop. */
  counts(): StartCounts | undefined {
    const s = this.schedule;
    return s && { intended: s.intended, dropped: s.dropped };
  }
}
