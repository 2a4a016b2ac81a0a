/**
 * Runs a load of TCP sessions against one target on either engine and merges
 * the workers' tallies exactly: the raw engine runs one epoll loop per core;
 * the `deno` engine spreads sessions over Web Workers so every event loop
 * stays under Deno's in-flight limit (docs/tcp-facts.md).
 *
 * @module
 */

import { TesterUsageSampler } from "./tester_usage.ts";
import { type FromWorker, type LoadShape, planWorkers, type ToWorker } from "./plan.ts";
import { DEFAULT_SESSION_OPTIONS, type SessionOptions } from "./session.ts";
import { SessionTally } from "./tally.ts";
import type { Target } from "../base/target.ts";
import { chooseEngine } from "./engine_choice.ts";
import { literalTarget, resolveDestinations } from "./raw/address.ts";
import { checkSourcesBind, checkSourcesEngine } from "./sources.ts";
import { generatorsFor, runGenerators } from "./generator_run.ts";
import type { RawWorkerStart } from "./raw/worker.ts";
import { GRACEFUL_STOP_MS } from "./scripted/graceful_stop.ts";
import {
  DEFAULT_LOAD_SHAPE,
  type EngineName,
  type LoadOptions,
  type LoadProgress,
  LoadProgressEvent,
  type LoadResult,
  type LoadRunnerEventMap,
  loadShapeOf,
  type LoopProgress,
  type StopReason,
  sumProgress,
} from "./load.ts";

// What a load takes, reports and returns lives in load.ts; importers of the
// runner find it here too.
export {
  DEFAULT_LOAD_SHAPE,
  type EngineName,
  type LoadOptions,
  type LoadProgress,
  LoadProgressEvent,
  type LoadResult,
  type LoadRunnerEventMap,
  type StopReason,
};

// Listeners return `void`, not `void | Promise<void>`: `() => seen.push(x)` and async
// listeners both fit, where the union would send them to the untyped overload.
type ProgressListener = (event: LoadRunnerEventMap["progress"]) => void;

// Workers finish their in-flight sessions after a stop; each is bounded by its
// own timeouts. Past this margin a worker is presumed wedged and terminated.
const WORKER_DRAIN_MARGIN_MS = 5000;

const SYNCHRONIZED_START_MARGIN_MS = 30;

/**
 * Runs a bounded load and returns the merged measurements. Progress goes out
 * as typed `"progress"` events ({@link LoadRunnerEventMap}).
 *
 * @example
 * ```ts
 * import { LoadRunner } from "./runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const runner = new LoadRunner(server.target, { durationMs: 300, concurrency: 4 });
 * let completed = 0;
 * runner.addEventListener("progress", (event) => completed = event.progress.completed);
 * const result = await runner.run();
 * console.assert(result.tally.outcomes.clean === result.tally.sessions);
 * console.assert(completed <= result.tally.sessions);
 * ```
 */
export class LoadRunner extends EventTarget {
  readonly #target: Target;
  readonly #shape: LoadShape;
  readonly #session: SessionOptions;
  readonly #signal: AbortSignal | undefined;
  readonly #sources: readonly string[];
  readonly #generators: number | undefined;
  readonly #engine: EngineName;
  readonly #engineFallback: string | undefined;
  readonly #stopped = new AbortController();

  /**
   * Prepares a load against `target`; nothing connects until {@link LoadRunner.run}.
   *
   * @throws {UsageError} when `options.engine` is `raw` and it cannot run here (or `options.tls`).
   * @throws {UsageError} when `options.sources` is given and the engine is `deno`.
   */
  constructor(target: Target, options: LoadOptions = {}) {
    super();
    this.#target = target;
    const choice = chooseEngine(options.engine, { tls: options.tls !== undefined });
    this.#engine = choice.engine;
    this.#engineFallback = choice.fallbackReason;
    this.#sources = options.sources ?? [];
    this.#generators = options.generators;
    checkSourcesEngine(this.#sources, choice);
    this.#shape = loadShapeOf(options);
    this.#session = {
      send: options.send,
      awaitResponse: options.awaitResponse,
      holdMs: options.holdMs ?? DEFAULT_SESSION_OPTIONS.holdMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_SESSION_OPTIONS.connectTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_SESSION_OPTIONS.closeTimeoutMs,
      ...(options.scenario !== undefined && { scenario: options.scenario }),
      ...(options.messageRate !== undefined && { messageRate: options.messageRate }),
      ...(options.tls !== undefined && { tls: options.tls }),
      ...(options.intervalHistograms && { intervalHistograms: true }),
      ...(options.traceLimit !== undefined && { traceLimit: options.traceLimit }),
    };
    this.#signal = options.signal;
  }

  /** Calls `listener` with each {@link LoadProgressEvent} of the run. */
  override addEventListener(
    type: "progress",
    listener: (event: LoadProgressEvent) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Adds a listener of any other type, as {@link EventTarget} does. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: ProgressListener | EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    // A progress listener is only ever called with a LoadProgressEvent.
    super.addEventListener(type, listener as EventListener | null, options);
  }

  /** Removes a listener added with {@link LoadRunner.addEventListener}. */
  override removeEventListener(
    type: "progress",
    listener: (event: LoadProgressEvent) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Removes a listener of any other type, as {@link EventTarget} does. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: ProgressListener | EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    // A progress listener is only ever called with a LoadProgressEvent.
    super.removeEventListener(type, listener as EventListener | null, options);
  }

  /** The server the load runs against. */
  get target(): Target {
    return this.#target;
  }

  /** The engine the sessions run on. */
  get engine(): EngineName {
    return this.#engine;
  }

  /** Why the default engine fell back to `deno`, when it did (to tell the user once). */
  get engineFallback(): string | undefined {
    return this.#engineFallback;
  }

  /** Runs the load. Resolves when every worker has reported; never rejects on session errors. */
  async run(): Promise<LoadResult> {
    const spread = generatorsFor(this.#shape.concurrency, this.#generators);
    if (spread.count > 1) {
      const onProgress = (p: LoadProgress) => this.dispatchEvent(new LoadProgressEvent(p));
      // Each generator splits its share of the trace over its own workers.
      const { traceLimit } = this.#session;
      const session = traceLimit === undefined
        ? this.#session
        : { ...this.#session, traceLimit: Math.ceil(traceLimit / spread.count) };
      const run = { target: this.#target, shape: this.#shape, session };
      const more = { engine: this.#engine, sources: this.#sources, signal: this.#signal };
      return await runGenerators({ ...run, ...more, ...spread, onProgress });
    }
    const raw = this.#engine === "raw";
    const cores = navigator.hardwareConcurrency || 1;
    // The raw engine has no per-loop limit: one loop per core drives them all.
    const plans = planWorkers(
      raw
        ? { ...this.#shape, sessionsPerEventLoop: Infinity, workers: this.#shape.workers ?? cores }
        : this.#shape,
      cores,
    );
    const destinations = raw ? await resolveDestinations(this.#target) : [];
    if (raw) checkSourcesBind(this.#sources, destinations);
    const stopFlag = new SharedArrayBuffer(4);
    // Scripted sessions are async code: on either engine they run in the
    // async worker, over the engine's socket layer.
    const scripted = this.#session.scenario !== undefined;
    const entry = raw && !scripted ? "./raw/worker.ts" : "./worker.ts";
    const workers = plans.map(() =>
      new Worker(new URL(entry, import.meta.url), { type: "module" })
    );
    const progress: LoopProgress[] = plans.map(() => ({ completed: 0, failed: 0, inFlight: 0 }));
    const tally = new SessionTally();
    const maxInFlight = plans.map(() => 0);
    let stoppedBy: StopReason | undefined;
    let testerLimitErrno: string | undefined;
    const stopAll = (reason: StopReason) => {
      stoppedBy ??= reason;
      this.#stopped.abort();
      // A raw worker's loop never yields to read a message: it polls the flag.
      Atomics.store(new Int32Array(stopFlag), 0, 1);
      for (const worker of workers) worker.postMessage({ kind: "stop" } satisfies ToWorker);
    };
    const onAbort = () => stopAll("signal");

    try {
      await Promise.all(workers.map((worker) =>
        new Promise<void>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<FromWorker>) => e.data.kind === "ready" && resolve();
          worker.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`Worker failed to start: ${e.message}`));
          };
        })
      ));
      if (this.#shape.synchronizedStart) await this.#warmUp(workers);
      // Baseline once every worker has loaded: what remains is the sessions' cost.
      const usage = new TesterUsageSampler();
      const startedAt = Date.now();
      const start = performance.now();
      const finished = workers.map((worker, i) =>
        new Promise<void>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<FromWorker>) => {
            const message = e.data;
            if (message.kind === "failed") {
              stopAll("signal");
              reject(new Error(`A worker could not run its share: ${message.message}`));
            } else if (message.kind === "progress") {
              progress[i] = message;
              const sum = sumProgress(progress, start);
              usage.sample(sum.inFlight);
              this.dispatchEvent(new LoadProgressEvent(sum));
            } else if (message.kind === "tester-limit") {
              testerLimitErrno ??= message.errno;
              stopAll("tester-limit");
            } else if (message.kind === "done") {
              tally.merge(message.tally);
              maxInFlight[i] = message.maxInFlight;
              usage.eventLoop(message.loopCpu);
              resolve();
            }
          };
        })
      );
      this.#signal?.addEventListener("abort", onAbort, { once: true });
      if (this.#signal?.aborted) onAbort();
      // Posting to every worker takes well under a millisecond; the margin
      // also covers a worker whose thread is not scheduled at once.
      const startAt = this.#shape.synchronizedStart
        ? performance.timeOrigin + performance.now() + SYNCHRONIZED_START_MARGIN_MS
        : undefined;
      for (const [i, worker] of workers.entries()) {
        const message: ToWorker | RawWorkerStart = raw && !scripted
          ? {
            kind: "start",
            destinations,
            sources: [...this.#sources],
            session: this.#session,
            plan: plans[i],
            stop: stopFlag,
            startAt,
          }
          : {
            kind: "start",
            target: raw ? literalTarget(this.#target, destinations) : this.#target,
            session: this.#session,
            plan: plans[i],
            startAt,
            ...(scripted && { layer: raw ? "raw" as const : "node" as const }),
          };
        worker.postMessage(message);
      }
      const bound = this.#session.connectTimeoutMs + this.#session.holdMs +
        2 * this.#session.closeTimeoutMs + WORKER_DRAIN_MARGIN_MS +
        (scripted ? GRACEFUL_STOP_MS : 0);
      await Promise.race([Promise.all(finished), this.#wedged(finished, bound)]);
      const durationMs = performance.now() - start;
      return {
        target: this.#target,
        engine: this.#engine,
        startedAt,
        durationMs,
        tally,
        // An open loop's dropped starts count towards its -n: they were its slots.
        stoppedBy: stoppedBy ?? (this.#shape.sessions !== null &&
            tally.sessions + tally.droppedStarts >= this.#shape.sessions
          ? "sessions"
          : "duration"),
        testerLimitErrno,
        shape: this.#shape,
        session: this.#session,
        maxInFlightPerEventLoop: maxInFlight,
        tester: usage.result(),
      };
    } finally {
      this.#signal?.removeEventListener("abort", onAbort);
      for (const worker of workers) worker.terminate();
    }
  }

  /** Has every worker warm its session code up (see `session_worker.ts`). */
  #warmUp(workers: Worker[]): Promise<void> {
    return Promise.all(workers.map((worker) =>
      new Promise<void>((resolve) => {
        const onMessage = (e: MessageEvent<FromWorker>) => {
          if (e.data.kind !== "warmed") return;
          worker.removeEventListener("message", onMessage);
          resolve();
        };
        worker.addEventListener("message", onMessage);
        worker.postMessage({ kind: "warm-up" } satisfies ToWorker);
      })
    )).then(() => {});
  }

  /**
   * Resolves only if workers outlive their bound (the time bound, or a stop,
   * plus the longest a session can take), so a wedged worker cannot hang the
   * run forever.
   */
  #wedged(finished: Promise<void>[], boundMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (this.#shape.durationMs !== null) {
        timer = setTimeout(resolve, this.#shape.durationMs + boundMs);
      }
      const onStop = () => {
        clearTimeout(timer);
        timer = setTimeout(resolve, boundMs);
      };
      this.#stopped.signal.addEventListener("abort", onStop, { once: true });
      Promise.all(finished).finally(() => {
        clearTimeout(timer);
        this.#stopped.signal.removeEventListener("abort", onStop);
      });
    });
  }
}
