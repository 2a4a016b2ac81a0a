/**
 * Load shapes in stages, as k6's ramping executors: each stage ramps the
 * concurrency (closed loop, `ramping-vus`) or the arrival rate (open loop,
 * `ramping-arrival-rate`) linearly to its target over its duration.
 *
 * @module
 */

/** One stage: reach `target` linearly over `durationMs`. */
export interface Stage {
  /** How long the ramp takes, ms. */
  durationMs: number;
  /** Concurrency (closed loop) or sessions per second (open loop) at the stage's end. */
  target: number;
}

/**
 * The stages' total length, ms: a staged run's time bound.
 *
 * @example
 * ```ts
 * import { stagesDurationMs } from "./stages.ts";
 * console.assert(stagesDurationMs([{ durationMs: 5000, target: 200 }, { durationMs: 1000, target: 0 }]) === 6000);
 * ```
 */
export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/**
 * The target `elapsedMs` into the run, ramping from `from` at the start: the
 * last stage's target once every stage is over.
 *
 * @example
 * ```ts
 * import { stageTargetAt } from "./stages.ts";
 * const stages = [{ durationMs: 1000, target: 100 }, { durationMs: 1000, target: 100 }];
 * console.assert(stageTargetAt(stages, 500) === 50);
 * console.assert(stageTargetAt(stages, 1500) === 100);
 * console.assert(stageTargetAt(stages, 500, 20) === 60);
 * ```
 */
export function stageTargetAt(stages: readonly Stage[], elapsedMs: number, from = 0): number {
  let start = 0;
  let level = from;
  for (const stage of stages) {
    if (elapsedMs < start + stage.durationMs) {
      const fraction = stage.durationMs === 0 ? 1 : (elapsedMs - start) / stage.durationMs;
      return level + (stage.target - level) * Math.max(0, fraction);
    }
    start += stage.durationMs;
    level = stage.target;
  }
  return level;
}

/**
 * When, in ms from the start, the `count`-th arrival (0-based) of a staged
 * arrival rate is due: the time at which the rate's integral, ramping from
 * `from` sessions/s, reaches `count`; `Infinity` if it never does within
 * the stages.
 *
 * @example
 * ```ts
 * import { arrivalAt } from "./stages.ts";
 * const steady = [{ durationMs: 1000, target: 10 }];
 * console.assert(arrivalAt(steady, 5, 10) === 500);
 * // Ramping 0 -> 100/s over 1 s: 50 arrivals in all, the 25th at about 707 ms.
 * console.assert(Math.round(arrivalAt([{ durationMs: 1000, target: 100 }], 25)) === 707);
 * console.assert(arrivalAt([{ durationMs: 1000, target: 100 }], 50) === Infinity);
 * ```
 */
export function arrivalAt(stages: readonly Stage[], count: number, from = 0): number {
  let start = 0;
  let before = 0;
  let r0 = from;
  for (const stage of stages) {
    const seconds = stage.durationMs / 1000;
    const r1 = stage.target;
    const inStage = ((r0 + r1) / 2) * seconds;
    const need = count - before;
    if (need < inStage || (need === 0 && inStage > 0)) {
      // Arrivals t seconds into the stage: r0 t + (r1 - r0) t^2 / (2 s).
      const a = (r1 - r0) / (2 * seconds);
      const t = Math.abs(a) < 1e-12
        ? need / r0
        : (-r0 + Math.sqrt(r0 * r0 + 4 * a * need)) / (2 * a);
      return start + t * 1000;
    }
    before += inStage;
    start += stage.durationMs;
    r0 = r1;
  }
  return Infinity;
}

/**
 * Worker `index` of `count`'s share of a whole-number total, the first
 * workers taking one more when it does not divide.
 *
 * @example
 * ```ts
 * import { shareOf } from "./stages.ts";
 * console.assert([0, 1, 2].map((i) => shareOf(7, i, 3)).join() === "3,2,2");
 * ```
 */
export function shareOf(total: number, index: number, count: number): number {
  const whole = Math.max(0, Math.round(total));
  return Math.floor(whole / count) + (index < whole % count ? 1 : 0);
}
