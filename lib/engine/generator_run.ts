/**
 * Runs a load spread over generator processes (see `generators.ts`): starts
 * them all, waits until each is ready so their shares start together, sums
 * their progress, passes a stop on to every one (its stdin is closed; it
 * still reports), bounds them by the run's own time bounds, and merges their
 * tallies exactly. One generator that fails stops the rest and fails the run
 * with a {@link GeneratorError} that names it.
 *
 * @module
 */

import { GeneratorError } from "../base/errors.ts";
import type { Target } from "../base/target.ts";
import { GeneratorProcess } from "./generator_process.ts";
import {
  type GeneratorReport,
  generatorStart,
  generatorV8Flags,
  planGenerators,
  sumTesterUsage,
} from "./generators.ts";
import type { EngineName, LoadProgress, LoadResult, StopReason } from "./load.ts";
import type { LoadShape } from "./plan.ts";
import type { SessionOptions } from "./session.ts";
import { SessionTally } from "./tally.ts";
import { TesterUsageSampler } from "./tester_usage.ts";

// The runner finds the whole spread here.
export { generatorsFor } from "./generators.ts";

/** A generator loads its modules and workers in well under this; past it, it is wedged. */
const START_BOUND_MS = 60_000;
/** Beyond a run's own bound: a generator's start-up, drain and report. */
const GENERATOR_MARGIN_MS = 10_000;
/** After a kill, how long to wait for a process to be reaped. */
const REAP_BOUND_MS = 5_000;

/** A load to spread over generator processes. */
export interface GeneratorRun {
  /** The server. */
  target: Target;
  /** The whole load; each generator gets its exact share. */
  shape: LoadShape;
  /** What each session does. */
  session: SessionOptions;
  /** The engine, chosen once by the parent. */
  engine: EngineName;
  /** Source addresses, taken in turn. */
  sources: readonly string[];
  /** Generator processes to spread over. */
  count: number;
  /** Why the run is spread, for the report. */
  reason: string;
  /** Stops every generator; what they measured is still returned. */
  signal?: AbortSignal;
  /** Called with the sum of the generators' progress. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * The generator's entry module (tests give a misbehaving one).
   *
   * @default {new URL("./generator_main.ts", import.meta.url)}
   */
  entry?: URL;
}

/**
 * Runs `run` over `run.count` generator processes and merges their results.
 *
 * @throws {GeneratorError} when a generator cannot start, dies, or outlives its bound.
 * @example
 * ```ts
 * import { runGenerators } from "./generator_run.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await runGenerators({
 *   target: server.target,
 *   shape: { concurrency: 4, sessions: 20, durationMs: null, rate: null },
 *   session: { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000 },
 *   engine: "raw",
 *   sources: [],
 *   count: 2,
 *   reason: "asked for",
 * });
 * console.assert(result.tally.outcomes.clean === 20 && result.tester.generators?.count === 2);
 * ```
 */
export async function runGenerators(run: GeneratorRun): Promise<LoadResult> {
  const cores = navigator.hardwareConcurrency || 1;
  const shares = planGenerators(run.shape, run.count, cores);
  const entry = run.entry ?? new URL("./generator_main.ts", import.meta.url);
  const progress = shares.map(() => ({ completed: 0, failed: 0, inFlight: 0 }));
  const usage = new TesterUsageSampler();
  let start = performance.now();
  const onProgress = (i: number, p: (typeof progress)[number]) => {
    progress[i] = { completed: p.completed, failed: p.failed, inFlight: p.inFlight };
    const sum = (f: (q: (typeof progress)[number]) => number) =>
      progress.reduce((s, q) => s + f(q), 0);
    const inFlight = sum((q) => q.inFlight);
    usage.sample(0); // the parent holds no sockets: its RSS only
    run.onProgress?.({
      completed: sum((q) => q.completed),
      failed: sum((q) => q.failed),
      inFlight,
      elapsedMs: performance.now() - start,
    });
  };
  const generators: GeneratorProcess[] = [];
  const stopped = new AbortController();
  let stoppedBy: StopReason | undefined;
  const stopAll = (reason: StopReason) => {
    stoppedBy ??= reason;
    stopped.abort();
    for (const generator of generators) generator.stop();
  };
  const onAbort = () => stopAll("signal");
  try {
    for (const i of shares.keys()) {
      const flags = generatorV8Flags(shares[i], run.session);
      generators.push(
        new GeneratorProcess(i, shares.length, entry, (p) => onProgress(i, p), flags),
      );
    }
    await ready(generators);
    const startedAt = Date.now();
    start = performance.now();
    run.signal?.addEventListener("abort", onAbort, { once: true });
    await Promise.all(
      generators.map((g, i) =>
        g.start(generatorStart(run.target, shares[i], run.session, run.engine, run.sources))
      ),
    );
    if (run.signal?.aborted) onAbort();
    const reports = await collect(generators, run, stopAll, stopped.signal);
    const durationMs = performance.now() - start;
    const tally = new SessionTally();
    for (const report of reports) tally.merge(report.tally);
    const limited = reports.find((r) => r.stoppedBy === "tester-limit");
    const reason: StopReason = stoppedBy ?? (limited ? "tester-limit" : undefined) ??
      // An open loop's dropped starts count towards its -n: they were its slots.
      (run.shape.sessions !== null &&
          tally.sessions + tally.droppedStarts >= run.shape.sessions
        ? "sessions"
        : "duration");
    return {
      target: run.target,
      engine: run.engine,
      startedAt,
      durationMs,
      tally,
      stoppedBy: reason,
      testerLimitErrno: reports.find((r) => r.testerLimitErrno)?.testerLimitErrno,
      shape: run.shape,
      session: run.session,
      maxInFlightPerEventLoop: reports.flatMap((r) => r.maxInFlightPerEventLoop),
      tester: sumTesterUsage(usage.result(), reports.map((r) => r.tester), {
        count: generators.length,
        reason: run.reason,
      }),
    };
  } finally {
    run.signal?.removeEventListener("abort", onAbort);
    for (const generator of generators) generator.stop();
    // Normally all have exited by now; otherwise end them and reap them.
    const exited = Promise.all(generators.map((g) => g.exited));
    if (!await within(exited, REAP_BOUND_MS)) {
      for (const generator of generators) generator.kill();
      await exited;
    }
  }
}

/** Waits until every generator is ready; a failing or slow one is the error. */
async function ready(generators: GeneratorProcess[]): Promise<void> {
  const all = Promise.all(generators.map((g) => g.ready));
  all.catch(() => {});
  if (await within(all, START_BOUND_MS)) {
    await all;
    return;
  }
  const slow = generators[0];
  throw new GeneratorError(
    `generators did not all get ready within ${START_BOUND_MS / 1000} s (the first is pid ` +
      `${slow.pid})`,
    { generator: 0 },
  );
}

/**
 * Waits for every report. A generator that fails (or reports a tester
 * limit) stops the others; the first failure is thrown once they have all
 * ended. The run's time bound (or a stop) plus the longest a session can
 * take bounds the wait; past it the rest are killed.
 */
async function collect(
  generators: GeneratorProcess[],
  run: GeneratorRun,
  stopAll: (reason: StopReason) => void,
  stopped: AbortSignal,
): Promise<GeneratorReport[]> {
  let failure: GeneratorError | undefined;
  const reported = new Set<number>();
  const all = Promise.all(generators.map((g) =>
    g.finished.then((report) => {
      reported.add(g.index);
      if (report.stoppedBy === "tester-limit") stopAll("tester-limit");
      return report;
    }, (error: GeneratorError) => {
      reported.add(g.index);
      failure ??= error;
      for (const other of generators) other.stop();
      return undefined;
    })
  ));
  const { connectTimeoutMs, holdMs, closeTimeoutMs } = run.session;
  const drainMs = connectTimeoutMs + holdMs + 2 * closeTimeoutMs + GENERATOR_MARGIN_MS;
  const bound = run.shape.durationMs === null ? null : run.shape.durationMs + drainMs;
  if (!await settlesInBound(all, bound, drainMs, stopped)) {
    const late = generators.filter((g) => !reported.has(g.index));
    failure ??= new GeneratorError(
      `generator ${late[0].index + 1} of ${generators.length} (pid ${late[0].pid}) did not ` +
        `finish within ${Math.round(drainMs / 1000)} s of the run's bound: killed`,
      { generator: late[0].index },
    );
    for (const generator of late) generator.kill();
    await all;
  }
  if (failure) throw failure;
  return (await all) as GeneratorReport[];
}

/**
 * Whether `promise` settles within `boundMs` (none: unbounded) or within
 * `drainMs` of `stopped` firing, whichever comes first.
 */
function settlesInBound(
  promise: Promise<unknown>,
  boundMs: number | null,
  drainMs: number,
  stopped: AbortSignal,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), ms);
    };
    const onStop = () => arm(drainMs);
    const finish = (inBound: boolean) => {
      clearTimeout(timer);
      stopped.removeEventListener("abort", onStop);
      resolve(inBound);
    };
    if (boundMs !== null) arm(boundMs);
    if (stopped.aborted) onStop();
    else stopped.addEventListener("abort", onStop, { once: true });
    promise.then(() => finish(true), () => finish(true));
  });
}

/** Resolves true if `promise` settles within `ms`, else false (its timer cleared either way). */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms));
  return Promise.race([promise.then(() => true, () => true), late]).finally(() =>
    clearTimeout(timer)
  );
}
