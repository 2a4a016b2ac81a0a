/**
 * How a load is spread over event loops (Web Workers), and the messages the
 * runner and its workers exchange.
 *
 * @module
 */

import type { EncodedTally } from "./tally.ts";
import type { SessionOptions } from "./session.ts";
import type { Target } from "../base/target.ts";
import type { Stage } from "./stages.ts";
import type { Outcome } from "./outcome.ts";
import type { EventLoopCpu } from "./load.ts";

/**
 * Most sessions one event loop keeps in flight. Deno stalls operations past
 * about 128 in flight per event loop (a stalled connect's latency equals the
 * run's length: see docs/tcp-facts.md); a worker's own messaging takes a slot,
 * and a session can briefly have a write pending beside its read. 100 keeps
 * a margin under that limit.
 */
export const MAX_SESSIONS_PER_EVENT_LOOP = 100;

/** One worker's share of a load. */
export interface WorkerPlan {
  /** Index of the worker, 0-based. */
  index: number;
  /** Sessions this worker keeps in flight (closed loop) or at most (open loop). */
  concurrency: number;
  /** Sessions this worker runs at most; `null` for no count bound. */
  sessions: number | null;
  /** Stop starting sessions this many ms after start; `null` for no time bound. */
  durationMs: number | null;
  /** Open loop: sessions per second for this worker; `null` for closed loop. */
  rate: number | null;
  /** Open loop: delay of this worker's first intended start, to interleave workers. */
  rateOffsetMs: number;
  /**
   * The whole run's stages (see {@link LoadShape.stages}): this worker
   * takes its share of each target, as worker `index` of `workers`.
   */
  stages?: readonly Stage[];
  /** How many workers share the load (the stages, the session indexes). */
  workers?: number;
}

/** Runner to worker. */
export type ToWorker =
  | {
    kind: "start";
    target: Target;
    session: SessionOptions;
    plan: WorkerPlan;
    /**
     * Scripted sessions (`session.scenario`): the socket layer, `node`
     * (`node:net`, the deno engine) or `raw` (libc through FFI).
     */
    layer?: "node" | "raw";
    /**
     * Burst: every worker starts its sessions at this wall-clock instant
     * (`performance.timeOrigin + performance.now()` units, shared by all
     * workers of the process) instead of on receipt.
     */
    startAt?: number;
  }
  | { kind: "warm-up" }
  | { kind: "stop" };

/** Worker to runner. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "warmed" }
  | {
    kind: "progress";
    completed: number;
    failed: number;
    inFlight: number;
    /** Sessions finished so far by outcome. */
    outcomes?: Record<Outcome, number>;
    /** This worker's handshake p99 so far, us. */
    handshakeP99Us?: number;
  }
  | { kind: "tester-limit"; errno: string }
  | { kind: "done"; tally: EncodedTally; maxInFlight: number; loopCpu?: EventLoopCpu }
  /** The share could not run (a scenario module failed to load in the worker). */
  | { kind: "failed"; message: string };

/** What a load asks for, before it is split. */
export interface LoadShape {
  /** Closed loop: sessions in flight; open loop: the most in flight. */
  concurrency: number;
  /** Total sessions bound, or `null`. */
  sessions: number | null;
  /** Time bound in ms, or `null`. */
  durationMs: number | null;
  /** Open loop rate in sessions/s, or `null` for closed loop; with `stages`, the start rate. */
  rate: number | null;
  /**
   * Ramp in stages, as k6's ramping executors: in a closed loop each stage
   * ramps the concurrency (from 0), in an open loop the arrival rate (from
   * `rate`); `concurrency` is then the most in flight. The run lasts the
   * stages' sum.
   */
  stages?: readonly Stage[];
  /**
   * Override the per-event-loop limit (tests).
   *
   * @default {MAX_SESSIONS_PER_EVENT_LOOP}
   */
  sessionsPerEventLoop?: number;
  /** Override the number of workers; by default {@link planWorkers} chooses it. */
  workers?: number;
  /**
   * Start every worker's sessions at one instant, once all workers are up
   * (a burst: the spread of connect calls is then the engine's, not the
   * workers' start-up's).
   *
   * @default {false}
   */
  synchronizedStart?: boolean;
}

/**
 * Splits a load over workers so that no event loop holds more than
 * {@link MAX_SESSIONS_PER_EVENT_LOOP} sessions, and at least one worker per
 * core is used when there is enough concurrency to share (measured with
 * `deno task bench`: at C=100 two workers ran 1.5% more sessions/s than a
 * one-loop client with p99 handshake 50 ms against 80 ms).
 *
 * @example
 * ```ts
 * import { planWorkers } from "./plan.ts";
 * const plans = planWorkers({ concurrency: 1000, sessions: null, durationMs: 5000, rate: null });
 * console.assert(plans.length === 10 && plans.every((p) => p.concurrency === 100));
 * ```
 */
export function planWorkers(shape: LoadShape, cores = 2): WorkerPlan[] {
  const perLoop = shape.sessionsPerEventLoop ?? MAX_SESSIONS_PER_EVENT_LOOP;
  let count = shape.workers ??
    Math.max(Math.ceil(shape.concurrency / perLoop), Math.min(shape.concurrency, cores));
  if (shape.sessions !== null) count = Math.min(count, Math.max(1, shape.sessions));
  // Every worker keeps at least one session in flight: more workers than the
  // concurrency would run more at once than asked (the raw engine's one loop
  // per core ran `-c 1` as two sequential loops side by side).
  count = Math.max(1, Math.min(count, shape.concurrency));
  const split = (total: number, i: number) =>
    Math.floor(total / count) + (i < total % count ? 1 : 0);
  return Array.from({ length: count }, (_, index) => ({
    index,
    concurrency: Math.max(1, split(shape.concurrency, index)),
    sessions: shape.sessions === null ? null : split(shape.sessions, index),
    durationMs: shape.durationMs,
    rate: shape.rate === null ? null : shape.rate / count,
    rateOffsetMs: shape.rate === null ? 0 : (index * 1000) / shape.rate,
    workers: count,
    ...(shape.stages && shape.stages.length > 0 && { stages: shape.stages }),
  }));
}
