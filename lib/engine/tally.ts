/**
 * Aggregates session records: outcome counts, one latency histogram per
 * phase, and errors grouped by phase and errno. A tally encodes to plain data
 * (with HDR-encoded histograms) so tallies from several workers merge exactly.
 *
 * @module
 */

import {
  addKernelEvidence,
  emptyKernelTally,
  type KernelEvidenceTally,
  mergeKernelTally,
} from "./kernel_evidence.ts";
import { LatencyHistogram } from "./histogram.ts";
import { FAILING_OUTCOMES, type Outcome, OUTCOMES, type Phase } from "./outcome.ts";
import type { SessionRecord } from "./session.ts";
import type { StartCounts } from "./start_schedule.ts";
import { type CheckCount, mergeChecks } from "./scripted/checks.ts";
import type { TlsCloseCounts } from "./tls.ts";
import { type EncodedIntervals, IntervalHistograms } from "./interval_histograms.ts";
import { type EncodedTraceSample, TraceSample } from "./trace_sample.ts";

/** Distinct scenario error messages kept; past it they count under one line. */
const MAX_SCRIPT_ERROR_MESSAGES = 50;
const OTHER_SCRIPT_ERRORS = "(other messages)";

/** Sessions a scenario's throw ended (outcome `error`), by message. */
export interface ScriptErrorGroup {
  /** The thrown error's name and message, one line. */
  message: string;
  /** Sessions it ended. */
  count: number;
}

/** Phases that have a latency histogram; `tls` records only with `--tls`. */
export type TimedPhase = "handshake" | "tls" | "firstByte" | "close";

/** Every timed phase, in report order (the order of a session's life). */
export const TIMED_PHASES: readonly TimedPhase[] = ["handshake", "tls", "firstByte", "close"];

const PHASE_FIELD = {
  handshake: "handshakeUs",
  tls: "tlsUs",
  firstByte: "firstByteUs",
  close: "closeUs",
} as const satisfies Record<TimedPhase, keyof SessionRecord>;

/** Errors of one kind: how many operations in `phase` failed with `errno`. */
export interface ErrorGroup {
  /** Phase of the failed operations. */
  phase: Phase;
  /** errno name. */
  errno: string;
  /** Number of failed operations. */
  count: number;
}

/** A tally as structured-clone-safe data, for `postMessage` and JSON. */
export interface EncodedTally {
  /** Sessions recorded. */
  sessions: number;
  /** Outcome name to count. */
  outcomes: Record<Outcome, number>;
  /** Phase name to encoded HDR histogram (tallies written before `tls` lack it: merged as empty). */
  histograms: Record<TimedPhase, string>;
  /** Errors grouped by phase and errno. */
  errors: ErrorGroup[];
  /** Sessions that sent data and got no byte back before the close timeout. */
  noResponse: number;
  /** Earliest `connectCalledAt` of the sessions, or `null`. */
  firstConnectAt: number | null;
  /** Latest `connectCalledAt` of the sessions, or `null`. */
  lastConnectAt: number | null;
  /** Sums of TCP_INFO evidence (raw engine); absent in tallies written before it. */
  kernel?: KernelEvidenceTally;
  /** Open loop: slots of the start schedule that came due; absent in older tallies. */
  intendedStarts?: number;
  /** Open loop: slots dropped because the in-flight cap was reached; absent in older tallies. */
  droppedStarts?: number;
  /** Scripted sessions: encoded histogram per mark series (`login{region:eu}`). */
  marks?: Record<string, string>;
  /** Scripted sessions: passes and fails per check. */
  checks?: CheckCount[];
  /** Scripted sessions: what scenarios threw, by message. */
  scriptErrors?: ScriptErrorGroup[];
  /** `--tls`: sessions whose server closed, by how it ended the TLS stream; absent without one. */
  tlsClose?: TlsCloseCounts;
  /** Per wall-clock second: `[epoch second, started, finished, failed]`; absent in older tallies. */
  timeline?: [number, number, number, number][];
  /** With `intervalHistograms`: per epoch second, each timed phase's encoded histogram. */
  intervals?: EncodedIntervals;
  /** With a `traceLimit`: the sampled sessions and how many they stand for. */
  trace?: EncodedTraceSample;
}

/** What a tally keeps beyond its sums; both cost memory, so both are asked for. */
export interface TallyOptions {
  /**
   * Keep a histogram per timed phase per second (see `IntervalHistograms`).
   *
   * @default {false}
   */
  intervalHistograms?: boolean;
  /** Keep a uniform sample of at most this many session records (see `TraceSample`). */
  traceLimit?: number;
}

/**
 * Outcome counts, per-phase histograms and error groups of many sessions.
 *
 * @example
 * ```ts
 * import { SessionTally } from "./tally.ts";
 * const a = new SessionTally();
 * a.add({ outcome: "clean", phase: "close", handshakeUs: 40, closeUs: 90, bytesReceived: 0, errors: [] });
 * const merged = new SessionTally();
 * merged.merge(a.encode());
 * console.assert(merged.outcomes.clean === 1);
 * ```
 */
export class SessionTally {
  /** Sessions recorded. */
  sessions = 0;
  /** Outcome name to count. */
  readonly outcomes: Record<Outcome, number> = Object.fromEntries(
    OUTCOMES.map((outcome) => [outcome, 0]),
  ) as Record<Outcome, number>;
  /** One histogram per timed phase. */
  readonly histograms: Record<TimedPhase, LatencyHistogram> = {
    handshake: new LatencyHistogram(),
    tls: new LatencyHistogram(),
    firstByte: new LatencyHistogram(),
    close: new LatencyHistogram(),
  };
  /** Sessions that sent data and got no byte back in time. */
  noResponse = 0;
  /** Earliest connect call (`performance.timeOrigin`-based ms), or `null`. */
  firstConnectAt: number | null = null;
  /** Latest connect call, or `null`; minus `firstConnectAt`, the spread of a burst. */
  lastConnectAt: number | null = null;
  /** Sums of the sessions' TCP_INFO evidence; `sessions` is 0 on the `deno` engine. */
  readonly kernel: KernelEvidenceTally = emptyKernelTally();
  /** Open loop: intended starts (started plus dropped); 0 in a closed loop. */
  intendedStarts = 0;
  /** Open loop: intended starts not made because the in-flight cap was reached. */
  droppedStarts = 0;
  /** Scripted sessions: one histogram per mark series (`time`, `mark`). */
  readonly marks = new Map<string, LatencyHistogram>();
  /** Scripted sessions: passes and fails per check. */
  checks: CheckCount[] = [];
  /** `--tls`: how the servers that closed ended the TLS stream. */
  readonly tlsClose: TlsCloseCounts = { closeNotify: 0, bareFin: 0 };
  #errors = new Map<string, ErrorGroup>();
  #scriptErrors = new Map<string, number>();
  // Keyed by epoch second, so tallies of workers and generator processes
  // (each with its own performance.now()) merge second by second.
  #timeline = new Map<number, [number, number, number]>();
  #intervals: IntervalHistograms | undefined;
  #trace: TraceSample | undefined;

  /** A tally; `options` asks for per-second histograms or a trace sample. */
  constructor(options: TallyOptions = {}) {
    if (options.intervalHistograms) this.#intervals = new IntervalHistograms();
    if (options.traceLimit !== undefined) this.#trace = new TraceSample(options.traceLimit);
  }

  /** Per-second histograms of each timed phase; `undefined` unless asked for or merged. */
  get intervals(): IntervalHistograms | undefined {
    return this.#intervals;
  }

  /** The sampled session records; `undefined` unless asked for or merged. */
  get trace(): TraceSample | undefined {
    return this.#trace;
  }

  /** Adds one session. */
  add(record: SessionRecord, sentData = false): void {
    this.sessions++;
    this.outcomes[record.outcome]++;
    if (record.connectCalledAt !== undefined) this.#connectAt(record.connectCalledAt);
    if (record.handshakeUs !== undefined) this.histograms.handshake.record(record.handshakeUs);
    if (record.tlsUs !== undefined) this.histograms.tls.record(record.tlsUs);
    if (record.tlsClose !== undefined) this.tlsClose[record.tlsClose]++;
    if (record.firstByteUs !== undefined) this.histograms.firstByte.record(record.firstByteUs);
    else if (sentData && record.handshakeUs !== undefined) this.noResponse++;
    if (record.closeUs !== undefined) this.histograms.close.record(record.closeUs);
    for (const error of record.errors) this.#addError(error.phase, error.errno, 1);
    if (record.kernel) addKernelEvidence(this.kernel, record.kernel, record.outcome);
    for (const mark of record.marks ?? []) this.#mark(mark.key).record(mark.us);
    if (record.scriptError !== undefined) this.#addScriptError(record.scriptError, 1);
    const endedAt = performance.timeOrigin + performance.now();
    this.#second(Math.floor((record.connectCalledAt ?? endedAt) / 1000))[0]++;
    const ended = this.#second(Math.floor(endedAt / 1000));
    ended[1]++;
    if (FAILING_OUTCOMES.has(record.outcome)) ended[2]++;
    this.#trace?.offer(record);
    if (this.#intervals) {
      // A session's values go in the second it ended, as its `finished` count does.
      const second = Math.floor(endedAt / 1000);
      for (const phase of TIMED_PHASES) {
        const us = record[PHASE_FIELD[phase]];
        if (us !== undefined) this.#intervals.record(second, phase, us);
      }
    }
  }

  /**
   * Sessions per wall-clock second: `[epoch second, started, finished,
   * failed]`, in order, seconds with none left out.
   */
  get timeline(): [number, number, number, number][] {
    return [...this.#timeline].sort(([a], [b]) => a - b).map(([second, c]) => [second, ...c]);
  }

  /** Adds checks recorded by scenarios (see `takeChecks`). */
  addChecks(checks: readonly CheckCount[]): void {
    if (checks.length > 0) this.checks = mergeChecks(this.checks, checks);
  }

  /** What scenarios threw, by message, most frequent first. */
  get scriptErrors(): ScriptErrorGroup[] {
    return [...this.#scriptErrors].map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count);
  }

  /** Adds an open loop's start counts (see `StartSchedule`). */
  countStarts(counts: StartCounts): void {
    this.intendedStarts += counts.intended;
    this.droppedStarts += counts.dropped;
  }

  /** Errors grouped by phase and errno, most frequent first. */
  get errors(): ErrorGroup[] {
    return [...this.#errors.values()].map((g) => ({ ...g })).sort((a, b) => b.count - a.count);
  }

  /** Merges an encoded tally (from a worker, a file, another machine). */
  merge(other: EncodedTally): void {
    this.sessions += other.sessions;
    this.noResponse += other.noResponse;
    if (other.firstConnectAt !== null) this.#connectAt(other.firstConnectAt);
    if (other.lastConnectAt !== null) this.#connectAt(other.lastConnectAt);
    for (const outcome of OUTCOMES) this.outcomes[outcome] += other.outcomes[outcome] ?? 0;
    for (const phase of Object.keys(this.histograms) as TimedPhase[]) {
      const encoded = other.histograms[phase];
      if (encoded) this.histograms[phase].add(LatencyHistogram.decode(encoded));
    }
    for (const error of other.errors) this.#addError(error.phase, error.errno, error.count);
    if (other.kernel) mergeKernelTally(this.kernel, other.kernel);
    this.intendedStarts += other.intendedStarts ?? 0;
    this.droppedStarts += other.droppedStarts ?? 0;
    this.tlsClose.closeNotify += other.tlsClose?.closeNotify ?? 0;
    this.tlsClose.bareFin += other.tlsClose?.bareFin ?? 0;
    for (const [key, encoded] of Object.entries(other.marks ?? {})) {
      this.#mark(key).add(LatencyHistogram.decode(encoded));
    }
    this.addChecks(other.checks ?? []);
    for (const group of other.scriptErrors ?? []) this.#addScriptError(group.message, group.count);
    for (const [second, started, finished, failed] of other.timeline ?? []) {
      const counts = this.#second(second);
      counts[0] += started;
      counts[1] += finished;
      counts[2] += failed;
    }
    if (other.intervals) (this.#intervals ??= new IntervalHistograms()).merge(other.intervals);
    if (other.trace) (this.#trace ??= new TraceSample(0)).merge(other.trace);
  }

  /** Encodes as plain data; {@link merge} reads it back exactly. */
  encode(): EncodedTally {
    return {
      sessions: this.sessions,
      outcomes: { ...this.outcomes },
      histograms: {
        handshake: this.histograms.handshake.encode(),
        tls: this.histograms.tls.encode(),
        firstByte: this.histograms.firstByte.encode(),
        close: this.histograms.close.encode(),
      },
      errors: this.errors,
      noResponse: this.noResponse,
      firstConnectAt: this.firstConnectAt,
      lastConnectAt: this.lastConnectAt,
      kernel: { ...this.kernel },
      intendedStarts: this.intendedStarts,
      droppedStarts: this.droppedStarts,
      ...(this.marks.size > 0 && {
        marks: Object.fromEntries([...this.marks].map(([key, h]) => [key, h.encode()])),
      }),
      ...(this.checks.length > 0 && { checks: this.checks.map((c) => ({ ...c })) }),
      ...(this.#scriptErrors.size > 0 && { scriptErrors: this.scriptErrors }),
      ...(this.tlsClose.closeNotify + this.tlsClose.bareFin > 0 && {
        tlsClose: { ...this.tlsClose },
      }),
      timeline: this.timeline,
      ...(this.#intervals && { intervals: this.#intervals.encode() }),
      ...(this.#trace && { trace: this.#trace.encode() }),
    };
  }

  #second(second: number): [number, number, number] {
    let counts = this.#timeline.get(second);
    if (!counts) this.#timeline.set(second, counts = [0, 0, 0]);
    return counts;
  }

  #mark(key: string): LatencyHistogram {
    let histogram = this.marks.get(key);
    if (!histogram) this.marks.set(key, histogram = new LatencyHistogram());
    return histogram;
  }

  #addScriptError(message: string, count: number): void {
    const key = this.#scriptErrors.has(message) ||
        this.#scriptErrors.size < MAX_SCRIPT_ERROR_MESSAGES
      ? message
      : OTHER_SCRIPT_ERRORS;
    this.#scriptErrors.set(key, (this.#scriptErrors.get(key) ?? 0) + count);
  }

  #connectAt(at: number): void {
    if (this.firstConnectAt === null || at < this.firstConnectAt) this.firstConnectAt = at;
    if (this.lastConnectAt === null || at > this.lastConnectAt) this.lastConnectAt = at;
  }

  #addError(phase: Phase, errno: string, count: number): void {
    const key = `${phase}\0${errno}`;
    const group = this.#errors.get(key);
    if (group) group.count += count;
    else this.#errors.set(key, { phase, errno, count });
  }
}
