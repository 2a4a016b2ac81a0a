/**
 * Watches the sockets of a server port around a run: a census before it
 * (the baseline), samples during it, one at its end, and more through a
 * drain window after it, plus the namespace's accept-queue counters when the
 * server is on this host. The result, a {@link SocketReport}, counts every
 * state as a delta from the baseline so that other traffic on the host is
 * not blamed on the server.
 *
 * @module
 */

import { delay } from "../base/delay.ts";
import {
  CENSUS_STATES,
  type CensusState,
  emptyStateCounts,
  type SocketCensus,
  type StateCounts,
  takeCensus,
} from "./census.ts";
import {
  commandSocketSource,
  isThisHost,
  localSocketSource,
  portSocketSource,
  type SocketSource,
} from "./source.ts";
import type { Target } from "../base/target.ts";
import { readListenBacklog, type SocketRow } from "./table.ts";
import { diffKernelCounters, type KernelCounters, readKernelCounters } from "./kernel_counters.ts";

/** One state's count over the run. */
export interface StateTrack {
  /** Count before the run (absolute). */
  baseline: number;
  /** Highest count seen, minus the baseline. */
  peak: number;
  /** Count when the load stopped, minus the baseline. */
  end: number;
  /** Count after the drain window, minus the baseline. */
  drained: number;
}

/** The LISTEN row's accept queue over the run (absolute lengths). */
export interface AcceptQueueTrack {
  /** Configured backlog (`ss` Send-Q); `null` when `ss` could not tell. */
  backlog: number | null;
  /** Queue length before the run. */
  baseline: number;
  /** Longest queue seen. */
  peak: number;
  /** Length when the load stopped. */
  end: number;
  /** Length after the drain window. */
  drained: number;
}

/** One sample of the time series, as deltas from the baseline. */
export interface SocketSample {
  /** Milliseconds since the baseline census. */
  atMs: number;
  /** Server-side states that differ from the baseline. */
  server: Partial<StateCounts>;
  /** Tester-side states that differ from the baseline. */
  tester?: Partial<StateCounts>;
  /** Accept-queue length (absolute). */
  acceptQueue?: number;
}

/** The `sockets` section of a summary when a census source was readable. */
export interface SocketReport {
  /** A census was taken. */
  available: true;
  /** The server's table, e.g. `local /proc/net/tcp`. */
  source: string;
  /** The tester's table; `null` when it could not be read. */
  testerSource: string | null;
  /** Sampling interval, ms. */
  intervalMs: number;
  /** Censuses taken, baseline included. */
  samples: number;
  /** Censuses that failed to read (the report is built from the others). */
  readErrors: number;
  /** The drain window, ms. */
  drainWindowMs: number;
  /** How long the drain took: shorter than the window when the server settled. */
  drainedAfterMs: number;
  /** Server-side sockets (local port is the server's port), per state. */
  server: Record<CensusState, StateTrack>;
  /** Tester-side sockets (remote port is the server's port), per state. */
  tester: Record<CensusState, StateTrack> | null;
  /** The LISTEN row; `null` when no listener was visible. */
  acceptQueue: AcceptQueueTrack | null;
  /**
   * Tester connections seen half-open, counted once each: established on
   * our side, with sent bytes still unacknowledged in two censuses at least
   * {@link HALF_OPEN_AFTER_MS} apart.
   */
  halfOpen: number;
  /** Namespace counters over the run and drain (server on this host only). */
  counters: KernelCounters | null;
  /** The samples, in order. */
  series: SocketSample[];
}

/** The `sockets` section when no census could be taken. */
export interface SocketsUnavailable {
  /** No census. */
  available: false;
  /** Why, in one line, with what to do about it. */
  reason: string;
  /** Namespace counters, when they were readable. */
  counters: KernelCounters | null;
}

/** Options of {@link SocketWatch}. */
export interface SocketWatchOptions {
  /** The server's table. */
  server: SocketSource;
  /**
   * The tester's table, when it is not `server` (remote server). Its rows
   * give the tester-side counts and half-open connections.
   */
  tester?: SocketSource;
  /** Sampling interval during the run and the drain. Default 500 ms. */
  intervalMs?: number;
  /**
   * Read the namespace counters and the listen backlog (the server is on
   * this host). Default: `server.local`.
   */
  localServer?: boolean;
}

/**
 * Four censuses a second, so that a half-open connection is seen twice
 * before its first data retransmission (about 1 s after the write: a
 * handshake that needed a SYN retransmission leaves the RTO at its initial
 * 1 s) gives the server's syncookie a second chance to complete it.
 */
const DEFAULT_INTERVAL_MS = 250;

/**
 * Parsing a busy host's table costs tens of ms (14,000 rows: about 60 ms),
 * taken from the thread that also collects the workers' results: the next
 * census waits at least this many times as long as the last read took, so
 * the census never takes more than a fifth of a core.
 */
const READ_COST_FACTOR = 5;

/**
 * Loopback acknowledges data within microseconds, or 40 ms with a delayed
 * ACK: bytes still unacknowledged this much later were never received by
 * a server socket.
 */
export const HALF_OPEN_AFTER_MS = 200;

/**
 * Takes socket censuses of one server port around a run.
 *
 * @example
 * ```ts ignore
 * import { SocketWatch } from "./watch.ts";
 * import { localSocketSource } from "./source.ts";
 * const watch = new SocketWatch(8080, { server: localSocketSource() });
 * await watch.baseline();
 * watch.start();
 * // ... run the load ...
 * await watch.stop();
 * const report = await watch.drain(3000);
 * console.log(report.server.CLOSE_WAIT.drained);
 * ```
 */
export class SocketWatch {
  readonly #port: number;
  readonly #server: SocketSource;
  readonly #tester: SocketSource | undefined;
  readonly #intervalMs: number;
  readonly #localServer: boolean;
  #base?: SocketCensus;
  #baseAt = 0;
  #last?: SocketCensus;
  #end?: SocketCensus;
  #peakServer = emptyStateCounts();
  #peakTester = emptyStateCounts();
  #peakQueue = 0;
  #halfOpen = new Set<number>();
  #unacked = new Map<number, number>();
  #series: SocketSample[] = [];
  #samples = 0;
  #readErrors = 0;
  #lastError?: unknown;
  #timer?: ReturnType<typeof setTimeout>;
  #sampling = false;
  #lastReadMs = 0;
  #reading?: Promise<SocketCensus | undefined>;
  #backlog: number | null = null;
  #countersBefore: KernelCounters | null = null;

  /** Watches server port `port`. */
  constructor(port: number, options: SocketWatchOptions) {
    this.#port = port;
    this.#server = options.server;
    this.#tester = options.tester;
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#localServer = options.localServer ?? options.server.local;
  }

  /**
   * Takes the baseline census (and, for a local server, the counters and the
   * listen backlog).
   *
   * @throws {SocketTableUnavailableError} when the server's table cannot be
   *   read: without a baseline there is nothing to compare with.
   */
  async baseline(): Promise<void> {
    const [census] = await Promise.all([
      this.#read(true),
      this.#localServer ? this.#readLocalExtras() : undefined,
    ]);
    this.#base = census;
    this.#baseAt = census!.at;
    this.#record(census!);
  }

  /** Starts sampling in the background. */
  start(): void {
    if (this.#sampling) return;
    this.#sampling = true;
    const next = () => {
      const delay = Math.max(this.#intervalMs, READ_COST_FACTOR * this.#lastReadMs);
      this.#timer = setTimeout(() => this.#sample().finally(() => this.#sampling && next()), delay);
    };
    next();
  }

  /** Stops sampling and takes the end census. */
  async stop(): Promise<void> {
    this.#sampling = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#reading;
    this.#end = await this.#sample() ?? this.#last;
  }

  /**
   * Samples through a drain window after the run, ending early once every
   * server-side state but TIME_WAIT (which lasts about 60 s by design) and
   * the accept queue are back to the baseline, then builds the report.
   */
  async drain(windowMs: number, options: { signal?: AbortSignal } = {}): Promise<SocketReport> {
    if (!this.#base) throw new Error("SocketWatch.drain() called before baseline()");
    this.#end ??= this.#last;
    const start = performance.now();
    let last = this.#end!;
    while (!options.signal?.aborted && !this.#settled(last)) {
      const left = windowMs - (performance.now() - start);
      if (left <= 0) break;
      await delay(Math.min(this.#intervalMs, left), { signal: options.signal });
      if (options.signal?.aborted) break;
      last = await this.#sample() ?? last;
    }
    const drainedAfterMs = Math.round(performance.now() - start);
    const counters = this.#localServer && this.#countersBefore
      ? await readKernelCounters().then(
        (after) => diffKernelCounters(this.#countersBefore!, after),
        () => null,
      )
      : null;
    return this.#report(last, windowMs, drainedAfterMs, counters);
  }

  /** The first read error after the baseline, if any. */
  get lastError(): unknown {
    return this.#lastError;
  }

  #settled(census: SocketCensus): boolean {
    const base = this.#base!;
    for (const state of CENSUS_STATES) {
      if (state !== "TIME_WAIT" && census.server[state] > base.server[state]) return false;
    }
    return (census.listen?.acceptQueue ?? 0) <= (base.listen?.acceptQueue ?? 0);
  }

  async #readLocalExtras(): Promise<void> {
    const [counters, backlog] = await Promise.all([
      readKernelCounters().catch(() => null),
      readListenBacklog(this.#port).catch(() => undefined),
    ]);
    this.#countersBefore = counters;
    this.#backlog = backlog ?? null;
  }

  #sample(): Promise<SocketCensus | undefined> {
    // A slow read (a remote command) must not pile up behind the interval.
    if (this.#reading) return this.#reading;
    this.#reading = this.#read(false).then((census) => {
      if (census) this.#record(census);
      return census;
    }).finally(() => this.#reading = undefined);
    return this.#reading;
  }

  async #read(mustSucceed: boolean): Promise<SocketCensus | undefined> {
    const started = performance.now();
    try {
      const serverRows = await this.#server.read();
      let testerRows: SocketRow[] | null | undefined;
      if (this.#tester) {
        // An unreadable tester table is unknown, not empty: zeros would read
        // as every tester socket gone.
        testerRows = await this.#tester.read().catch((error) => {
          this.#readErrors++;
          this.#lastError ??= error;
          return null;
        });
      }
      return takeCensus(serverRows, this.#port, { testerRows });
    } catch (error) {
      if (mustSucceed) throw error;
      this.#readErrors++;
      this.#lastError ??= error;
      return undefined;
    } finally {
      this.#lastReadMs = performance.now() - started;
    }
  }

  #record(census: SocketCensus): void {
    this.#samples++;
    this.#last = census;
    const base = this.#base ?? census;
    for (const state of CENSUS_STATES) {
      this.#peakServer[state] = Math.max(this.#peakServer[state], census.server[state]);
      if (census.tester) {
        this.#peakTester[state] = Math.max(this.#peakTester[state], census.tester[state]);
      }
    }
    this.#peakQueue = Math.max(this.#peakQueue, census.listen?.acceptQueue ?? 0);
    const unacked = new Map<number, number>();
    for (const port of census.unackedPorts) {
      const since = this.#unacked.get(port) ?? census.at;
      unacked.set(port, since);
      if (census.at - since >= HALF_OPEN_AFTER_MS) this.#halfOpen.add(port);
    }
    this.#unacked = unacked;
    const sample: SocketSample = {
      atMs: Math.round(census.at - this.#baseAt),
      server: changed(census.server, base.server),
    };
    if (census.tester && base.tester) sample.tester = changed(census.tester, base.tester);
    if (census.listen) sample.acceptQueue = census.listen.acceptQueue;
    this.#series.push(sample);
  }

  #report(
    drained: SocketCensus,
    drainWindowMs: number,
    drainedAfterMs: number,
    counters: KernelCounters | null,
  ): SocketReport {
    const base = this.#base!;
    const end = this.#end ?? drained;
    const track = (
      pick: (census: SocketCensus) => StateCounts | undefined,
      peak: StateCounts,
    ) => {
      const b = pick(base)!;
      return Object.fromEntries(CENSUS_STATES.map((state) => [state, {
        baseline: b[state],
        peak: peak[state] - b[state],
        end: (pick(end)?.[state] ?? b[state]) - b[state],
        drained: (pick(drained)?.[state] ?? b[state]) - b[state],
      }])) as Record<CensusState, StateTrack>;
    };
    const seenListener = base.listen ?? end.listen ?? drained.listen;
    return {
      available: true,
      source: this.#server.description,
      testerSource: base.tester ? (this.#tester ?? this.#server).description : null,
      intervalMs: this.#intervalMs,
      samples: this.#samples,
      readErrors: this.#readErrors,
      drainWindowMs,
      drainedAfterMs,
      server: track((c) => c.server, this.#peakServer),
      tester: base.tester ? track((c) => c.tester, this.#peakTester) : null,
      acceptQueue: seenListener
        ? {
          backlog: this.#backlog ?? seenListener.backlog ?? null,
          baseline: base.listen?.acceptQueue ?? 0,
          peak: this.#peakQueue,
          end: end.listen?.acceptQueue ?? 0,
          drained: drained.listen?.acceptQueue ?? 0,
        }
        : null,
      halfOpen: this.#halfOpen.size,
      counters,
      series: this.#series,
    };
  }
}

function changed(now: StateCounts, base: StateCounts): Partial<StateCounts> {
  const delta: Partial<StateCounts> = {};
  for (const state of CENSUS_STATES) {
    if (now[state] !== base[state]) delta[state] = now[state] - base[state];
  }
  return delta;
}

/** Options of {@link watchServerSockets}. */
export interface WatchServerSocketsOptions {
  /** Read the server's table with this shell command (`--server-sockets`). */
  serverSocketsCommand?: string;
  /** Sampling interval, ms. */
  intervalMs?: number;
}

/**
 * Picks the census sources for `target` and takes the baseline: a
 * `--server-sockets` command when given (the tester's side then comes from
 * this host's table), this host's table when the target is local, else none.
 * Gives {@link SocketsUnavailable} with the reason when no census can be taken.
 *
 * @example
 * ```ts ignore
 * import { watchServerSockets } from "./watch.ts";
 * const watch = await watchServerSockets(target);
 * if (watch instanceof SocketWatch) watch.start();
 * ```
 */
export async function watchServerSockets(
  target: Target,
  options: WatchServerSocketsOptions = {},
): Promise<SocketWatch | SocketsUnavailable> {
  let watch: SocketWatch;
  if (options.serverSocketsCommand !== undefined) {
    watch = new SocketWatch(target.port, {
      server: commandSocketSource(options.serverSocketsCommand),
      tester: localSocketSource(),
      intervalMs: options.intervalMs,
    });
  } else if (isThisHost(target)) {
    // ss reads only the port's sockets; without ss, the whole /proc table.
    const ss = portSocketSource(target.port);
    const server = await ss.read().then(() => ss, () => localSocketSource());
    watch = new SocketWatch(target.port, { server, intervalMs: options.intervalMs });
  } else {
    return {
      available: false,
      reason: `${target.hostname} is not this host: give --server-sockets CMD to read its table`,
      counters: null,
    };
  }
  try {
    await watch.baseline();
    return watch;
  } catch (error) {
    return {
      available: false,
      reason: error instanceof Error ? error.message : String(error),
      counters: null,
    };
  }
}
