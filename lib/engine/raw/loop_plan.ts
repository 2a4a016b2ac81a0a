/**
 * What the raw loop is asked to run, what it tells its caller while running,
 * and what it returns.
 *
 * @module
 */

import type { SessionOptions, SessionRecord } from "../session.ts";
import type { StartCounts } from "../start_schedule.ts";
import type { Stage } from "../stages.ts";

/** A server address literal (IPv4 or IPv6, already resolved) and port. */
export interface RawDestination {
  /** The address literal. */
  address: string;
  /** The port. */
  port: number;
}

/** One event loop's share of a load, for `runSessionLoop`. */
export interface SessionLoopPlan {
  /** Where sessions connect: one, or several taken in turn. */
  destinations: readonly RawDestination[];
  /**
   * IPv4 source addresses taken in turn, each bound before `connect` with
   * its port left to the kernel (`IP_BIND_ADDRESS_NO_PORT`); none: the
   * kernel picks the source.
   *
   * @default {[]}
   */
  sources?: readonly string[];
  /**
   * Which destination (and source) the first session takes: each worker of
   * a load starts at its own index, so the sessions of all workers spread
   * evenly.
   *
   * @default {0}
   */
  spreadFrom?: number;
  /** What each session does. */
  session: SessionOptions;
  /** Sessions in flight (closed loop) or at most (open loop). */
  concurrency: number;
  /** Sessions to run at most; `null` for no count bound. */
  sessions: number | null;
  /** Stop starting sessions this many ms after the start; `null` for no time bound. */
  durationMs: number | null;
  /** Open loop: sessions per second; `null` for closed loop. */
  rate: number | null;
  /** Open loop: delay of the first intended start, ms. */
  rateOffsetMs: number;
  /** The whole run's stages: this loop ramps its share, as loop `spreadFrom` of `workers`. */
  stages?: readonly Stage[];
  /** With `stages`: how many loops share them. @default {1} */
  workers?: number;
  /**
   * A burst: open, bind and register every socket before
   * {@link SessionLoopHooks.beforeStart} returns, so the burst itself is
   * only `connect()` calls, back to back.
   *
   * @default {false}
   */
  prepare?: boolean;
}

/** What the loop tells its caller. */
export interface SessionLoopHooks {
  /** Called once the sockets of a `prepare`d burst are open, right before the first connect. */
  beforeStart?(): void;
  /** Polled every turn: true once the run must stop (sessions end as `interrupted`). */
  stopped(): boolean;
  /** Every finished session. */
  onRecord(record: SessionRecord): void;
  /** About every `progressMs`: sessions finished, failed-outcome count and in flight. */
  onProgress?(inFlight: number): void;
  /** Interval of `onProgress`, ms. @default {250} */
  progressMs?: number;
}

/** How the loop ended. */
export interface SessionLoopResult {
  /** Most sessions in flight at once. */
  maxInFlight: number;
  /** Open loop: slots of the start schedule started or dropped; absent in a closed loop. */
  starts?: StartCounts;
  /** Wall time spent waiting in `epoll_wait`, ms: a loop that hardly waits set the pace. */
  idleMs?: number;
}
