/**
 * The open loop's start schedule: one intended start every `1000 / rate` ms,
 * over the run's duration or up to its session count. Each slot is either
 * started or dropped, as k6's arrival-rate executors do with
 * `dropped_iterations`: a slot that comes due while the in-flight cap is
 * reached is dropped, not queued, so a slow server shows up as dropped
 * starts instead of a burst of late ones once it catches up (a queued start
 * would also pile its wait onto the next sessions' start times).
 *
 * Both engines drive it: the `deno` engine's workers and the raw epoll loop.
 *
 * @module
 */

import { arrivalAt, type Stage } from "./stages.ts";

/** What a schedule is made of: a worker's open-loop share. */
export interface StartSchedulePlan {
  /** Intended starts per second. */
  rate: number;
  /** Delay of the first intended start after `start`, ms. */
  rateOffsetMs: number;
  /** No slot at or after this many ms past `start`; `null` for no time bound. */
  durationMs: number | null;
  /** At most this many slots; `null` for no count bound. */
  sessions: number | null;
  /**
   * Ramping arrival rate: the whole run's stages, ramping from `rate` (the
   * start rate of the whole run, not this worker's). This worker then takes
   * the run's arrivals `firstSlot`, `firstSlot + stride`, ... so that the
   * workers together keep the staged rate.
   */
  stages?: readonly Stage[];
  /** With `stages`: this worker's first arrival of the run (its index). @default {0} */
  firstSlot?: number;
  /** With `stages`: the number of workers sharing the arrivals. @default {1} */
  stride?: number;
}

/** Intended and dropped starts of a run, as {@link StartSchedule} counts them. */
export interface StartCounts {
  /** Slots of the schedule that came due: started plus dropped. */
  intended: number;
  /** Slots that came due while the in-flight cap was reached. */
  dropped: number;
}

/**
 * Open-loop start slots, taken in order: {@link StartSchedule.due} says
 * whether the next one has come, then the caller either starts it or drops it.
 *
 * @example
 * ```ts
 * import { StartSchedule } from "./start_schedule.ts";
 * const schedule = new StartSchedule({ rate: 100, rateOffsetMs: 0, durationMs: 30, sessions: null }, 0);
 * const inFlight: number[] = [];
 * while (schedule.due(25)) {
 *   if (inFlight.length < 1) inFlight.push(schedule.start());
 *   else schedule.drop(); // the cap of 1 is reached
 * }
 * console.assert(schedule.intended === 3 && schedule.dropped === 2 && schedule.done);
 * ```
 */
export class StartSchedule implements StartCounts {
  /** Slots that came due: started plus dropped. */
  intended = 0;
  /** Slots dropped because the in-flight cap was reached. */
  dropped = 0;
  // Slot i's time is computed from i, not a running sum: summed intervals
  // drift, and a slot landing just past the deadline changes the count.
  #next: number;
  readonly #slotAt: (slot: number) => number;
  readonly #end: number;
  readonly #limit: number;

  /** A schedule whose first slot is at `start + plan.rateOffsetMs` (`performance.now()` ms). */
  constructor(plan: StartSchedulePlan, start: number) {
    const { stages } = plan;
    if (stages) {
      const first = plan.firstSlot ?? 0;
      const stride = plan.stride ?? 1;
      this.#slotAt = (slot) => start + arrivalAt(stages, first + slot * stride, plan.rate);
    } else {
      const interval = 1000 / plan.rate;
      const first = start + plan.rateOffsetMs;
      this.#slotAt = (slot) => first + slot * interval;
    }
    this.#next = this.#slotAt(0);
    this.#end = plan.durationMs === null ? Infinity : start + plan.durationMs;
    this.#limit = plan.sessions ?? Infinity;
  }

  /** True once every slot is taken: the time or count bound is reached. */
  get done(): boolean {
    return this.intended >= this.#limit || this.#next >= this.#end;
  }

  /** Time of the next slot, or `Infinity` when {@link StartSchedule.done}. */
  get next(): number {
    return this.done ? Infinity : this.#next;
  }

  /** True when the next slot's time is at or before `now`. */
  due(now: number): boolean {
    return !this.done && this.#next <= now;
  }

  /** Takes the next slot as started; returns its intended start time. */
  start(): number {
    const at = this.#next;
    this.#take();
    return at;
  }

  /** Takes the next slot as dropped. */
  drop(): void {
    this.dropped++;
    this.#take();
  }

  #take(): void {
    this.intended++;
    this.#next = this.#slotAt(this.intended);
  }
}
