/**
 * Generator processes: when a load needs more sockets than one process may
 * hold (`RLIMIT_NOFILE`, whose hard limit an unprivileged process cannot
 * raise: docs/tcp-facts.md), `LoadRunner` spreads it over several synfin
 * processes, each running its exact share with its own workers. This file
 * plans the shares and merges what the generators report; the processes
 * themselves are run by `generator_run.ts`, each one `generator_main.ts`.
 *
 * @module
 */

import type { LoadShape } from "./plan.ts";
import type { SessionOptions } from "./session.ts";
import type { EncodedTally } from "./tally.ts";
import type { Target } from "../base/target.ts";
import type { EngineName, GeneratorSpread, LoadOptions, StopReason, TesterUsage } from "./load.ts";
import { fileDescriptorLimit } from "./tester_usage.ts";

/**
 * File descriptors a generator keeps free beside its sockets: the runtime's
 * own (stdio, epoll, worker channels, the libc handle) and a margin.
 */
export const GENERATOR_FD_MARGIN = 512;

/**
 * A limit that leaves fewer sockets than this per process is not spread:
 * the run then meets the limit and says so (`tester-limit`), because a
 * machine with so low a limit wants it raised, not hundreds of processes.
 */
export const GENERATOR_MIN_SOCKETS = 1000;

/**
 * How many processes a load of `concurrency` sessions in flight needs when
 * each may hold `fdLimit` descriptors: 1 when one process suffices, the
 * limit is unknown, or it leaves fewer than {@link GENERATOR_MIN_SOCKETS}.
 *
 * @example
 * ```ts
 * import { generatorsNeeded } from "./generators.ts";
 * console.assert(generatorsNeeded(10_000, 20_000) === 1);
 * console.assert(generatorsNeeded(100_000, 20_000) === 6);
 * console.assert(generatorsNeeded(100_000, null) === 1);
 * console.assert(generatorsNeeded(400, 256) === 1, "too low a limit to spread");
 * ```
 */
export function generatorsNeeded(
  concurrency: number,
  fdLimit: number | null,
  margin: number = GENERATOR_FD_MARGIN,
): number {
  if (fdLimit === null) return 1;
  const perProcess = fdLimit - margin;
  if (perProcess < GENERATOR_MIN_SOCKETS || concurrency <= perProcess) return 1;
  return Math.ceil(concurrency / perProcess);
}

/**
 * Splits a load's shape over `count` generators exactly, as `planWorkers`
 * splits over workers: concurrency and sessions to the unit (the first ones
 * take the remainder), the rate evenly, the time bound whole. No generator
 * gets an empty share, so fewer shares come back when there are fewer
 * sessions than generators. Each generator runs `cores / count` raw workers
 * (at least one) unless the shape names the workers.
 *
 * @example
 * ```ts
 * import { planGenerators } from "./generators.ts";
 * const shares = planGenerators({ concurrency: 5, sessions: 11, durationMs: null, rate: null }, 2);
 * console.assert(shares.map((s) => s.concurrency).join() === "3,2");
 * console.assert(shares.map((s) => s.sessions).join() === "6,5");
 * ```
 */
export function planGenerators(shape: LoadShape, count: number, cores = 2): LoadShape[] {
  let n = Math.max(1, Math.min(count, shape.concurrency));
  if (shape.sessions !== null) n = Math.max(1, Math.min(n, shape.sessions));
  const split = (total: number, i: number) => Math.floor(total / n) + (i < total % n ? 1 : 0);
  return Array.from({ length: n }, (_, i) => ({
    ...shape,
    concurrency: split(shape.concurrency, i),
    sessions: shape.sessions === null ? null : split(shape.sessions, i),
    rate: shape.rate === null ? null : shape.rate / n,
    // Each generator ramps its share of every stage's target.
    ...(shape.stages &&
      { stages: shape.stages.map((stage) => ({ ...stage, target: stage.target / n })) }),
    workers: shape.workers === undefined
      ? Math.max(1, Math.floor(cores / n))
      : Math.max(1, split(shape.workers, i)),
  }));
}

/**
 * Most sessions per second a generator's share may start (its rate, or its
 * concurrency over its hold) and still run with V8's optimizing compilers
 * off. Measured with 2 generators on 2 cores, C=100 churn against a C
 * server: about 20k/s with `--lite-mode`, 31k/s without; 2,000/s leaves a
 * tenfold margin.
 */
export const LITE_MODE_MAX_PACE = 2000;

/**
 * The V8 flags of a generator process running `shape` with `session`:
 * `--lite-mode` (no optimizing compilers, lazy feedback vectors) for a share
 * that mostly holds its connections, which need no compiled code: a
 * generator holding 13,000 connections then takes 64 MB VmRSS instead of
 * 77 (RssAnon 24 MB instead of 30), with the same handshake times
 * (bench/hold_bench.ts). None for a share that churns.
 *
 * @example
 * ```ts
 * import { generatorV8Flags } from "./generators.ts";
 * const hold = { holdMs: 20_000, connectTimeoutMs: 3000, closeTimeoutMs: 2000 };
 * const share = { concurrency: 16_667, sessions: 16_667, durationMs: null, rate: null };
 * console.assert(generatorV8Flags(share, hold).join() === "--lite-mode");
 * console.assert(generatorV8Flags(share, { ...hold, holdMs: 0 }).length === 0);
 * console.assert(generatorV8Flags({ ...share, rate: 50_000 }, hold).length === 0);
 * ```
 */
export function generatorV8Flags(shape: LoadShape, session: SessionOptions): string[] {
  const pace = shape.rate ??
    (session.holdMs > 0 ? shape.concurrency * 1000 / session.holdMs : Infinity);
  return pace <= LITE_MODE_MAX_PACE ? ["--lite-mode"] : [];
}

/** Parent to generator, one JSON line on its stdin; closing stdin then stops it. */
export interface GeneratorStart {
  /** Always `"start"`. */
  kind: "start";
  /** The server, with every destination. */
  target: Target;
  /** This generator's share. */
  shape: LoadShape;
  /** What each session does; the payload as byte values (JSON has no bytes). */
  session: Omit<SessionOptions, "send"> & { send?: number[] };
  /** The engine the parent chose (a generator never chooses again). */
  engine: EngineName;
  /** Source addresses, taken in turn. */
  sources: string[];
}

/** What a generator measured, as JSON. */
export interface GeneratorReport {
  /** Its merged tally. */
  tally: EncodedTally;
  /** Its run's length, ms. */
  durationMs: number;
  /** Why it stopped. */
  stoppedBy: StopReason;
  /** The errno of a tester limit. */
  testerLimitErrno?: string;
  /** Per event loop of its, the most sessions in flight. */
  maxInFlightPerEventLoop: number[];
  /** Its own memory and fd limit. */
  tester: TesterUsage;
}

/** Generator to parent, one JSON line each on its stdout. */
export type FromGenerator =
  | { kind: "ready" }
  | { kind: "progress"; completed: number; failed: number; inFlight: number }
  | { kind: "done"; report: GeneratorReport };

/**
 * The start line of one share.
 *
 * @example
 * ```ts
 * import { generatorStart, loadOptionsOf } from "./generators.ts";
 * const start = generatorStart(
 *   { hostname: "127.0.0.1", port: 9, label: "127.0.0.1:9" },
 *   { concurrency: 2, sessions: 4, durationMs: null, rate: null },
 *   { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000, send: new Uint8Array([104]) },
 *   "deno",
 *   [],
 * );
 * const options = loadOptionsOf(JSON.parse(JSON.stringify(start)));
 * console.assert(options.send?.[0] === 104 && options.durationMs === undefined);
 * ```
 */
export function generatorStart(
  target: Target,
  shape: LoadShape,
  session: SessionOptions,
  engine: EngineName,
  sources: readonly string[],
): GeneratorStart {
  const { send, ...rest } = session;
  return {
    kind: "start",
    target,
    shape,
    session: send === undefined ? rest : { ...rest, send: [...send] },
    engine,
    sources: [...sources],
  };
}

/**
 * The `LoadOptions` a generator runs its share with: one process (it never
 * spreads again). A null time bound is left out, so a sessions-only share
 * stays sessions-only.
 *
 * @example
 * ```ts
 * import { generatorStart, loadOptionsOf } from "./generators.ts";
 * const shape = { concurrency: 3, sessions: null, durationMs: 500, rate: 10 };
 * const session = { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000 };
 * const target = { hostname: "127.0.0.1", port: 9, label: "127.0.0.1:9" };
 * const options = loadOptionsOf(generatorStart(target, shape, session, "raw", []));
 * console.assert(options.durationMs === 500 && options.generators === 1);
 * ```
 */
export function loadOptionsOf(start: GeneratorStart): LoadOptions {
  const { send, ...session } = start.session;
  return {
    ...start.shape,
    durationMs: start.shape.durationMs ?? undefined,
    ...session,
    ...(send === undefined ? {} : { send: new Uint8Array(send) }),
    engine: start.engine,
    sources: start.sources,
    generators: 1,
  };
}

/**
 * The tester's usage over every synfin process: the parent's own plus each
 * generator's, memory summed at each one's peak, memory per session in
 * flight weighted by each generator's sessions.
 *
 * @example
 * ```ts
 * import { sumTesterUsage } from "./generators.ts";
 * const child = {
 *   rssBeforeBytes: 50e6, rssPeakBytes: 60e6, peakInFlight: 1000,
 *   bytesPerSessionInFlight: 1000, fdLimit: 20_000,
 * };
 * const parent = { ...child, peakInFlight: 0, bytesPerSessionInFlight: null };
 * const total = sumTesterUsage(parent, [child, child], { count: 2, reason: "asked for" });
 * console.assert(total.rssPeakBytes === 180e6 && total.peakInFlight === 2000);
 * console.assert(total.bytesPerSessionInFlight === 1000 && total.generators?.count === 2);
 * ```
 */
export function sumTesterUsage(
  parent: TesterUsage,
  generators: readonly TesterUsage[],
  spread: GeneratorSpread,
): TesterUsage {
  const sum = (f: (u: TesterUsage) => number) => generators.reduce((s, u) => s + f(u), 0);
  const peakInFlight = sum((u) => u.peakInFlight);
  const measured = generators.filter((u) => u.bytesPerSessionInFlight !== null);
  const limits = generators.map((u) => u.fdLimit).filter((l): l is number => l !== null);
  const eventLoops = generators.flatMap((u) => u.eventLoops ?? []);
  return {
    rssBeforeBytes: parent.rssBeforeBytes + sum((u) => u.rssBeforeBytes),
    rssPeakBytes: parent.rssPeakBytes + sum((u) => u.rssPeakBytes),
    peakInFlight,
    bytesPerSessionInFlight: measured.length === 0 || peakInFlight === 0 ? null : measured.reduce(
      (s, u) => s + u.bytesPerSessionInFlight! * u.peakInFlight,
      0,
    ) / peakInFlight,
    fdLimit: limits.length > 0 ? Math.min(...limits) : parent.fdLimit,
    ...(eventLoops.length > 0 && { eventLoops }),
    generators: spread,
  };
}

/**
 * How many generator processes a run of `concurrency` sessions in flight is
 * spread over, and why: `asked` when given (the `generators` option), else
 * as many as this process's file descriptor limit needs.
 *
 * @example
 * ```ts
 * import { generatorsFor } from "./generators.ts";
 * console.assert(generatorsFor(100).count === 1);
 * const forced = generatorsFor(100, 2);
 * console.assert(forced.count === 2 && forced.reason.startsWith("asked for"));
 * ```
 */
export function generatorsFor(concurrency: number, asked?: number): GeneratorSpread {
  if (asked !== undefined) {
    const count = Math.max(1, Math.floor(asked));
    return { count, reason: `asked for (${count} generators)` };
  }
  const fdLimit = fileDescriptorLimit();
  return {
    count: generatorsNeeded(concurrency, fdLimit),
    reason: `more sockets than one process may hold (fd limit ${fdLimit?.toLocaleString("en-US")})`,
  };
}
