/**
 * Which generator shares run inline (`generator_inline.ts`), in a module of
 * its own: a generator decides before it loads the tally, as a record-only
 * histogram mode must be chosen before `histogram.ts` is loaded
 * (`histogram_mode.ts`).
 *
 * @module
 */

import type { GeneratorStart } from "./generators.ts";

/**
 * Whether a generator runs `start` on its own thread: a raw share of exactly
 * one loop, no scenario (scripted sessions are async code: they need the
 * event loop) and no synchronized start (a burst runs in one process).
 *
 * @example
 * ```ts
 * import { runsInline } from "./inline_share.ts";
 * import { generatorStart } from "./generators.ts";
 * const target = { hostname: "127.0.0.1", port: 9, label: "127.0.0.1:9" };
 * const shape = { concurrency: 3, sessions: 3, durationMs: null, rate: null, workers: 1 };
 * const session = { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000 };
 * console.assert(runsInline(generatorStart(target, shape, session, "raw", [])));
 * console.assert(!runsInline(generatorStart(target, shape, session, "deno", [])));
 * console.assert(!runsInline(generatorStart(target, { ...shape, workers: 2 }, session, "raw", [])));
 * ```
 */
export function runsInline(start: GeneratorStart): boolean {
  return start.engine === "raw" && start.shape.workers === 1 &&
    start.session.scenario === undefined && start.session.tls === undefined &&
    !start.shape.synchronizedStart;
}
