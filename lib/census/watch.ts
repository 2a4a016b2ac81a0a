/**
 * Watches the sockets of a server port around a run: a census before it
 * (the baseline), samples during it, one at its end, and more through a
 * drain window after it, plus the namespace's accept-queue counters when the
 * server is on this host. The result, a `SocketReport` (socket_report.ts),
 * counts every state as a delta from the baseline so that other traffic on
 * the host is not blamed on the server, and the CLOSE_WAIT sockets one by one
 * (identity.ts), since reused ports reset old ones and a delta nets them out.
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
import type { SocketSource } from "./source.ts";
import type { SocketRow } from "./row.ts";
import { readListenBacklog } from "./table.ts";
import { diffKernelCounters, type KernelCounters, readKernelCounters } from "./kernel_counters.ts";
import { isSettled } from "./settled.ts";
import { CloseWaitLedger, CONFIRM_LEAK_AFTER_MS, testerFinTrack } from "./identity.ts";
import {
  HALF_OPEN_AFTER_MS,
  type SocketReport,
  type SocketSample,
  type StateTrack,
  type TesterPortsTrack,
} from "./socket_report.ts";

/** Options of {@link SocketWatch}. */
export interface SocketWatchOptions {
  /** The server's table. */
  server: SocketSource;
  /**
   * The tester's table, when it is not `server` (remote server). Its rows
   * give the tester-side counts and half-open connections.
   */
  tester?: SocketSource;
  /**
   * Sampling interval during the run and the drain, ms (longer while reading
   * a big table is slow).
   *
   * @default {250}
   */
  intervalMs?: number;
  /**
   * Read the namespace counters and the listen backlog (the server is on
   * this host).
   *
   * @default {server.local}
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
 * Takes socket censuses of one server port around a run.
 *
 * @example
 * ```ts
 * import { SocketWatch } from "./watch.ts";
 * import { portSocketSource } from "./source.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("leaky");
 * const { port } = server.target;
 * const watch = new SocketWatch(port, { server: portSocketSource(port) });
 * await watch.baseline();
 * watch.start();
 * // The run: one connection, half-closed, that the leaky server never closes.
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port });
 * await conn.closeWrite();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await watch.stop();
 * const report = await watch.drain(300);
 * console.assert(report.server.CLOSE_WAIT.drained === 1);
 * conn.close();
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
  #testerPorts: TesterPortsTrack | null = null;
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
  #closeWait = new CloseWaitLedger();

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
    this.#closeWait.baseline(census!);
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
   * the accept queue are back to the baseline, then builds the report. When
   * the last census holds a CLOSE_WAIT socket accepted only just before it,
   * one more census follows `CONFIRM_LEAK_AFTER_MS` later (past the window):
   * a handler that closes does so by then, a leaking one does not.
   */
  async drain(windowMs: number, options: { signal?: AbortSignal } = {}): Promise<SocketReport> {
    const base = this.#base;
    if (!base) throw new Error("SocketWatch.drain() called before baseline()");
    this.#end ??= this.#last;
    const start = performance.now();
    let last = this.#end!;
    while (!options.signal?.aborted && !isSettled(last, base)) {
      const left = windowMs - (performance.now() - start);
      if (left <= 0) break;
      await delay(Math.min(this.#intervalMs, left), { signal: options.signal });
      if (options.signal?.aborted) break;
      last = await this.#sample() ?? last;
    }
    if (!options.signal?.aborted && this.#closeWait.needsConfirmation(last)) {
      await delay(CONFIRM_LEAK_AFTER_MS, { signal: options.signal });
      if (!options.signal?.aborted) last = await this.#sample() ?? last;
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
    this.#closeWait.observe(census);
    const base = this.#base ?? census;
    for (const state of CENSUS_STATES) {
      this.#peakServer[state] = Math.max(this.#peakServer[state], census.server[state]);
      if (census.tester) {
        this.#peakTester[state] = Math.max(this.#peakTester[state], census.tester[state]);
      }
    }
    const busiest = census.testerBusiest;
    if (busiest && busiest.sockets > (this.#testerPorts?.peak ?? 0)) {
      const { sockets: peak, address, source } = busiest;
      const atMs = Math.round(census.at - this.#baseAt);
      this.#testerPorts = { peak, atMs, address, port: this.#port, source };
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
      closeWait: this.#closeWait.track(drained),
      // At the end of the run, nearest the sessions' close timeouts: a late
      // ACK during the drain would move FIN_WAIT1 on.
      testerFin: base.tester && end.tester ? testerFinTrack(end, base) : null,
      testerPorts: base.tester ? this.#testerPorts : null,
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
