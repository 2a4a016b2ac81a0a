/**
 * What a load is, seen from outside the runner: the options it takes, the
 * progress events it dispatches, and the result it returns.
 *
 * @module
 */

import type { LoadShape } from "./plan.ts";
import type { SessionOptions } from "./session.ts";
import type { Target } from "../base/target.ts";
import type { SessionTally } from "./tally.ts";
import { stagesDurationMs } from "./stages.ts";
import { type Outcome, OUTCOMES } from "./outcome.ts";

/**
 * The socket layer sessions run on: `raw` is libc through FFI, one epoll loop
 * per core (Linux); `deno` is `Deno.connect`, one worker per 100 sessions
 * (portable, no FFI). Both produce the same records and reports.
 */
export type EngineName = "raw" | "deno";

/** Every engine, the default first. */
export const ENGINES: readonly EngineName[] = ["raw", "deno"];

/**
 * Options of a load: its shape ({@link LoadShape}) plus how each session
 * behaves ({@link SessionOptions}); every field may be left out.
 */
export interface LoadOptions extends Partial<SessionOptions>, Partial<LoadShape> {
  /**
   * Closed loop: sessions in flight; open loop: the most in flight.
   *
   * @default {100}
   */
  concurrency?: number;
  /**
   * Stop after this many sessions; `null`: no count bound.
   *
   * @default {null}
   */
  sessions?: number | null;
  /**
   * Stop starting sessions after this long, ms; `null`: no time bound. When
   * only `sessions` is given, the default is `null`.
   *
   * @default {5000}
   */
  durationMs?: number | null;
  /**
   * Open loop: sessions started per second; `null`: closed loop.
   *
   * @default {null}
   */
  rate?: number | null;
  /**
   * Dwell after the handshake (and response) before our FIN, ms.
   *
   * @default {0}
   */
  holdMs?: number;
  /**
   * Give up the handshake after this long, ms (`connect-timeout`).
   *
   * @default {3000}
   */
  connectTimeoutMs?: number;
  /**
   * After our FIN, wait this long for the server's FIN, ms (`no-fin` past it).
   *
   * @default {2000}
   */
  closeTimeoutMs?: number;
  /**
   * The socket layer. Default: `raw` on Linux when FFI is permitted, else
   * `deno` (see `chooseEngine`); the `SYNFIN_ENGINE` environment variable
   * sets the default for a whole process (CI runs the suite once per engine).
   *
   * @default {"raw"}
   */
  engine?: EngineName;
  /**
   * IPv4 source addresses, bound in turn before each connect (port left to
   * the kernel); raw engine only. Empty: the kernel picks the source.
   *
   * @default {[]}
   */
  sources?: readonly string[];
  /**
   * Spread the run over this many generator processes, each with its own
   * workers, their tallies merged exactly. Left out: one process, or as many
   * as the file descriptor limit needs when the concurrency is more than one
   * process may hold (see `generatorsNeeded`).
   */
  generators?: number;
  /** Stops the run; what was measured is still returned. */
  signal?: AbortSignal;
}

/** Why a run stopped starting sessions. */
export type StopReason = "sessions" | "duration" | "signal" | "tester-limit";

/** The result of a load. */
export interface LoadResult {
  /** The target. */
  target: Target;
  /** The socket layer that ran the sessions. */
  engine: EngineName;
  /** Wall-clock start, epoch ms. */
  startedAt: number;
  /** From the first session start to the last session end. */
  durationMs: number;
  /** Merged tally of every worker. */
  tally: SessionTally;
  /** Why the run stopped. */
  stoppedBy: StopReason;
  /** The errno that stopped the run when `stoppedBy` is `tester-limit`. */
  testerLimitErrno?: string;
  /** The shape that ran. */
  shape: LoadShape;
  /** The session behaviour that ran. */
  session: SessionOptions;
  /** Per event loop, the most sessions it had in flight at once. */
  maxInFlightPerEventLoop: number[];
  /** What the run cost the tester itself: memory and file descriptors. */
  tester: TesterUsage;
}

/**
 * The tester's own resources during a run, sampled with each progress
 * report (about 4 per second), so a report can say when the tester, not
 * the server, was the limit.
 */
export interface TesterUsage {
  /** Resident memory of the synfin process (all its workers) before the run, bytes. */
  rssBeforeBytes: number;
  /** Highest resident memory sampled during the run, bytes. */
  rssPeakBytes: number;
  /** Most sessions in flight at one sample; each holds a socket (a file descriptor). */
  peakInFlight: number;
  /**
   * Memory per session in flight: (RSS at the sample with the most sessions
   * in flight - RSS before) / those sessions; `null` before any sample.
   */
  bytesPerSessionInFlight: number | null;
  /** The process's file descriptor limit (soft `RLIMIT_NOFILE`), when it can be read. */
  fdLimit: number | null;
  /**
   * The raw engine's event loops (one per thread, in every generator), each
   * one's CPU over its wall time; absent on the deno engine, whose loops
   * share threads with their timers.
   */
  eventLoops?: EventLoopCpu[];
  /**
   * Present when the run was spread over generator processes: the memory
   * figures are then the sum over synfin's processes (the parent and every
   * generator, each at its peak) and `fdLimit` is each process's limit.
   */
  generators?: GeneratorSpread;
}

/** One event loop's cost over its run. */
export interface EventLoopCpu {
  /** CPU time its thread used, ms (user and system: most of a loop's time is the kernel's TCP). */
  cpuMs: number;
  /** Wall time it ran, ms. */
  wallMs: number;
  /** Of it, waiting for events in `epoll_wait`, ms (the raw engine's own loop only). */
  idleMs?: number;
}

/** How many generator processes a run was spread over, and why. */
export interface GeneratorSpread {
  /** Generator processes (the parent only merges their results). */
  count: number;
  /** Why, in words: "more sockets than one process may hold (fd limit 20,000)". */
  reason: string;
}

/** Progress of a running load. */
export interface LoadProgress {
  /** Sessions finished so far. */
  completed: number;
  /** Of them, sessions with a failing outcome. */
  failed: number;
  /** Sessions open now. */
  inFlight: number;
  /** Milliseconds since the start. */
  elapsedMs: number;
  /** Sessions finished so far by outcome (absent from generator processes' progress). */
  outcomes?: Record<Outcome, number>;
  /**
   * Handshake p99 so far, us: the highest of the event loops' own p99s, an
   * upper bound of the run's (exact with one loop; the report has the exact one).
   */
  handshakeP99Us?: number;
}

/** One event loop's latest progress report. */
export interface LoopProgress {
  /** Sessions finished. */
  completed: number;
  /** Of them, failing. */
  failed: number;
  /** Sessions open now. */
  inFlight: number;
  /** Finished by outcome. */
  outcomes?: Record<Outcome, number>;
  /** The loop's handshake p99 so far, us. */
  handshakeP99Us?: number;
}

/**
 * Dispatched by a `LoadRunner` about four times a second, as `"progress"`.
 *
 * @example
 * ```ts
 * import { LoadProgressEvent } from "./load.ts";
 * const event = new LoadProgressEvent({ completed: 10, failed: 0, inFlight: 2, elapsedMs: 250 });
 * console.assert(event.type === "progress" && event.progress.completed === 10);
 * ```
 */
export class LoadProgressEvent extends Event {
  /** The progress. */
  readonly progress: LoadProgress;
  /** Creates the event. */
  constructor(progress: LoadProgress) {
    super("progress");
    this.progress = progress;
  }
}

/** The events a `LoadRunner` dispatches, by type. */
export interface LoadRunnerEventMap {
  /** The sessions finished, failed and in flight so far. */
  progress: LoadProgressEvent;
}

/** Defaults of a load: 5 s at concurrency 100, closed loop. */
export const DEFAULT_LOAD_SHAPE: LoadShape = {
  concurrency: 100,
  sessions: null,
  durationMs: 5000,
  rate: null,
};

/**
 * The progress of a run from its event loops' latest reports.
 *
 * @example
 * ```ts
 * import { sumProgress } from "./load.ts";
 * const sum = sumProgress([{ completed: 2, failed: 1, inFlight: 3 }, { completed: 5, failed: 0, inFlight: 1 }], 0);
 * console.assert(sum.completed === 7 && sum.failed === 1 && sum.inFlight === 4);
 * ```
 */
export function sumProgress(progress: readonly LoopProgress[], start: number): LoadProgress {
  const sum: LoadProgress = {
    completed: progress.reduce((sum, p) => sum + p.completed, 0),
    failed: progress.reduce((sum, p) => sum + p.failed, 0),
    inFlight: progress.reduce((sum, p) => sum + p.inFlight, 0),
    elapsedMs: performance.now() - start,
  };
  const counted = progress.filter((p) => p.outcomes !== undefined);
  if (counted.length > 0) {
    sum.outcomes = Object.fromEntries(OUTCOMES.map((outcome) => [
      outcome,
      counted.reduce((n, p) => n + (p.outcomes![outcome] ?? 0), 0),
    ])) as Record<Outcome, number>;
  }
  const p99s = progress.flatMap((p) => p.handshakeP99Us ?? []);
  if (p99s.length > 0) sum.handshakeP99Us = Math.max(...p99s);
  return sum;
}

/**
 * The shape of a load from its options, defaults filled in: a session count
 * alone has no time bound; stages set the length (their sum) and, in a
 * closed loop, the concurrency (their highest target).
 *
 * @example
 * ```ts
 * import { loadShapeOf } from "./load.ts";
 * const shape = loadShapeOf({ stages: [{ durationMs: 2000, target: 40 }, { durationMs: 1000, target: 0 }] });
 * console.assert(shape.concurrency === 40 && shape.durationMs === 3000);
 * console.assert(loadShapeOf({ sessions: 10 }).durationMs === null);
 * ```
 */
export function loadShapeOf(options: LoadOptions): LoadShape {
  const sessionsOnly = options.sessions != null && options.durationMs === undefined;
  const stages = options.stages && options.stages.length > 0 ? options.stages : undefined;
  const rate = options.rate ?? null;
  return {
    concurrency: stages && rate === null
      ? Math.max(1, ...stages.map((stage) => Math.ceil(stage.target)))
      : options.concurrency ?? DEFAULT_LOAD_SHAPE.concurrency,
    sessions: options.sessions ?? null,
    durationMs: stages
      ? stagesDurationMs(stages)
      : sessionsOnly
      ? null
      : options.durationMs ?? DEFAULT_LOAD_SHAPE.durationMs,
    rate,
    ...(stages && { stages }),
    sessionsPerEventLoop: options.sessionsPerEventLoop,
    workers: options.workers,
    synchronizedStart: options.synchronizedStart,
  };
}
