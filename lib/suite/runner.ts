/**
 * Runs conformance cases against one server, in order, and turns their
 * findings into verdicts; evaluates the thresholds on the metrics the cases
 * measured. Progress goes out as typed events.
 *
 * @module
 */

import type { CaseInfo, CaseResult, SuiteStatus } from "./result.ts";
import type { CaseContext, CaseFinding, ConformanceCase, SuiteSettings } from "./case.ts";
import { type IdleProbeResult, probeIdleTimeout } from "../engine/idle_probe.ts";
import { type LoadWithCensus, runLoadWithCensus } from "../census/load.ts";
import { LoadRunner } from "../engine/runner.ts";
import { addSocketMetrics, type MetricSet, metricsFromLoadSummary } from "./metrics.ts";
import type { LoadSummary } from "../census/load_summary.ts";
import type { Target } from "../base/target.ts";
import { evaluateThresholds, type Threshold, type ThresholdResult } from "./threshold.ts";
import { type SessionEvidence, testerLimitIn } from "./tester_limit.ts";
import { caseResult, cutFinding, idleEvidence } from "./case_verdict.ts";

/** Version of the suite's JSON summary. */
export const SUITE_SUMMARY_VERSION = 1;

/** Sessions of the shared lifecycle run. */
const LIFECYCLE_SESSIONS = 200;

/**
 * The lifecycle run's sessions dwell this long before their FIN: a server
 * that closes right after accept then does so first every time, instead of
 * racing our FIN (docs/tcp-facts.md: 44 of 50 without a dwell left the TIME_WAIT
 * on the client).
 */
const LIFECYCLE_HOLD_MS = 100;

/** Idle connections of the shared idle probe. */
const IDLE_CONNECTIONS = 5;

/** Everything a suite run found; the JSON summary of the `check` command. */
export interface SuiteResult {
  /** {@link SUITE_SUMMARY_VERSION}. */
  version: number;
  /** `HOST:PORT`. */
  target: string;
  /** ISO time the suite started. */
  startedAt: string;
  /** Wall time, ms. */
  durationMs: number;
  /** Whether SHOULD cases counted as MUST. */
  strict: boolean;
  /** Every selected case's verdict, in run order. */
  cases: CaseResult[];
  /** Every threshold's verdict. */
  thresholds: ThresholdResult[];
  /** The `load/steady` summary (its histograms), if that case ran. */
  load: LoadSummary | null;
  /** The shared lifecycle run's summary with its socket census, if a case used it. */
  lifecycle: LoadSummary | null;
  /** The shared idle probe, if a case used it. */
  idle: IdleProbeResult | null;
  /** Stopped by the signal. */
  interrupted: boolean;
  /** How the run ended; the CLI's exit code follows it (see {@link SuiteStatus}). */
  status: SuiteStatus;
  /**
   * The first tester limit that cut a case (or the measurements the
   * thresholds read), in one line with its advice; `null` when none did.
   */
  testerLimit: string | null;
  /** `status` is `passed`: no FAIL, every threshold held, no tester limit, not interrupted. */
  passed: boolean;
}

/**
 * Fired before (`case-start`) and after (`case-done`, with the result) each case.
 *
 * @example
 * ```ts
 * import { CaseEvent } from "./runner.ts";
 * const info = { id: "close/fin", severity: "MUST", requirement: "It answers our FIN" } as const;
 * const event = new CaseEvent("case-start", info);
 * console.assert(event.type === "case-start" && event.info.id === "close/fin");
 * console.assert(event.result === undefined);
 * ```
 */
export class CaseEvent extends Event {
  /** The case. */
  readonly info: CaseInfo;
  /** Its verdict (`case-done` only). */
  readonly result?: CaseResult;
  /** Creates the event. */
  constructor(type: "case-start" | "case-done", info: CaseInfo, result?: CaseResult) {
    super(type);
    this.info = info;
    this.result = result;
  }
}

/** The events a {@link SuiteRunner} dispatches, by type. */
export interface SuiteRunnerEventMap {
  /** A case is about to run. */
  "case-start": CaseEvent;
  /** A case has its verdict, in `result`. */
  "case-done": CaseEvent;
}

type CaseListener = (event: CaseEvent) => void;

/** Options of {@link SuiteRunner}. */
export interface SuiteRunnerOptions {
  /** Settings the cases read. */
  settings: SuiteSettings;
  /** SHOULD cases fail the gate too. */
  strict?: boolean;
  /** Thresholds on the metrics. */
  thresholds?: Threshold[];
  /** Stops the suite; cases not run yet are skipped. */
  signal?: AbortSignal;
}

/**
 * Runs cases one after the other (so that they do not disturb each other's
 * measurements); only the idle probe, which holds a few silent connections,
 * runs beside them.
 *
 * @example
 * ```ts
 * import { SuiteRunner } from "./runner.ts";
 * import type { ConformanceCase } from "./case.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "./plan.ts";
 * import { DEFAULT_SESSION_OPTIONS, runSession } from "../engine/session.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const oneClean: ConformanceCase = {
 *   options: { id: "close/one-clean", severity: "MUST", requirement: "A session closes clean" },
 *   default: async ({ target }) => {
 *     const { outcome } = await runSession(target, DEFAULT_SESSION_OPTIONS);
 *     return { status: outcome === "clean" ? "held" : "broken", expected: "clean", actual: outcome };
 *   },
 * };
 * const runner = new SuiteRunner(server.target, [oneClean], { settings: DEFAULT_SUITE_SETTINGS });
 * const verdicts: string[] = [];
 * runner.addEventListener("case-done", (event) => verdicts.push(`${event.result?.verdict}`));
 * const result = await runner.run();
 * console.assert(result.passed && verdicts.join() === "PASS");
 * ```
 */
export class SuiteRunner extends EventTarget {
  readonly #target: Target;
  readonly #cases: readonly ConformanceCase[];
  readonly #options: SuiteRunnerOptions;

  /** A runner for `cases` against `target`. */
  constructor(target: Target, cases: readonly ConformanceCase[], options: SuiteRunnerOptions) {
    super();
    this.#target = target;
    this.#cases = cases;
    this.#options = options;
  }

  /** Calls `listener` with the {@link CaseEvent} before each case runs. */
  override addEventListener(
    type: "case-start",
    listener: (event: SuiteRunnerEventMap["case-start"]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Calls `listener` with the {@link CaseEvent} of each case's verdict. */
  override addEventListener(
    type: "case-done",
    listener: (event: SuiteRunnerEventMap["case-done"]) => void,
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
    listener: CaseListener | EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    // A case listener is only ever called with a CaseEvent.
    super.addEventListener(type, listener as EventListener | null, options);
  }

  /** Removes a `case-start` listener. */
  override removeEventListener(
    type: "case-start",
    listener: (event: SuiteRunnerEventMap["case-start"]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Removes a `case-done` listener. */
  override removeEventListener(
    type: "case-done",
    listener: (event: SuiteRunnerEventMap["case-done"]) => void,
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
    listener: CaseListener | EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListener | null, options);
  }

  /** Runs the suite. Never throws for a case's failure: it becomes the case's verdict. */
  async run(): Promise<SuiteResult> {
    const { settings, strict = false, thresholds = [] } = this.#options;
    const signal = this.#options.signal ?? new AbortController().signal;
    const started = performance.now();
    const startedAt = new Date().toISOString();
    let lifecycle: Promise<LoadWithCensus> | undefined;
    let idle: Promise<IdleProbeResult> | undefined;
    const startIdle = () =>
      idle ??= probeIdleTimeout(this.#target, {
        connections: IDLE_CONNECTIONS,
        boundMs: settings.idleBoundMs,
        connectTimeoutMs: settings.connectTimeoutMs,
        signal,
      });
    // The idle probe mostly waits: start it now so it overlaps the other cases.
    if (this.#cases.some((c) => c.options.id === "idle/timeout")) startIdle();
    // Which shared runs the running case read: their sessions are its evidence too.
    let used = { lifecycle: false, idle: false };
    const context: CaseContext = {
      target: this.#target,
      settings,
      signal,
      lifecycle: () => {
        used.lifecycle = true;
        return lifecycle ??= runLoadWithCensus(
          new LoadRunner(this.#target, {
            engine: settings.engine,
            sessions: LIFECYCLE_SESSIONS,
            concurrency: 50,
            holdMs: LIFECYCLE_HOLD_MS,
            connectTimeoutMs: settings.connectTimeoutMs,
            closeTimeoutMs: settings.closeTimeoutMs,
            signal,
          }),
          { census: settings.census, signal },
        );
      },
      idle: () => (used.idle = true, startIdle()),
    };

    const results: CaseResult[] = [];
    let load: LoadSummary | null = null;
    let loadLimit: string | undefined;
    for (const conformanceCase of this.#cases) {
      const info = conformanceCase.options;
      this.dispatchEvent(new CaseEvent("case-start", info));
      const caseStart = performance.now();
      let finding: CaseFinding;
      let testerLimit: string | undefined;
      let measured: string | undefined;
      if (signal.aborted) {
        finding = { status: "skipped", expected: "", reason: "interrupted" };
      } else {
        used = { lifecycle: false, idle: false };
        try {
          finding = await conformanceCase.default(context);
        } catch (error) {
          finding = {
            status: "broken",
            expected: "the case runs to its end",
            actual: `the case could not run: ${error instanceof Error ? error.message : error}`,
          };
        }
        const evidence: SessionEvidence[] = [...finding.sessions ?? []];
        if (used.lifecycle && lifecycle) {
          const shared = await lifecycle.catch(() => undefined);
          if (shared) evidence.push(shared.summary);
        }
        if (used.idle && idle) evidence.push(idleEvidence(await idle));
        testerLimit = testerLimitIn(evidence)?.reason;
        if (finding.status !== "skipped" && finding.load) {
          load = finding.load;
          loadLimit = testerLimit;
        }
        measured = finding.status === "skipped" ? undefined : finding.actual;
        finding = cutFinding(finding, testerLimit, signal.aborted);
      }
      const result = caseResult(info, finding, strict, performance.now() - caseStart);
      if (testerLimit !== undefined) {
        result.testerLimit = testerLimit;
        // What it measured stays on record beside the skip: it shows the cut.
        if (measured !== undefined) result.actual = measured;
      }
      results.push(result);
      this.dispatchEvent(new CaseEvent("case-done", info, result));
    }

    const lifecycleSummary = lifecycle ? (await lifecycle).summary : null;
    const idleResult = idle ? await idle : null;
    const source = load ?? lifecycleSummary;
    const metrics: MetricSet = source ? metricsFromLoadSummary(source) : new Map();
    if (lifecycleSummary) addSocketMetrics(metrics, lifecycleSummary);
    // A threshold read on sessions synfin itself cut says nothing of the server.
    const metricsLimit = load
      ? loadLimit
      : lifecycleSummary
      ? testerLimitIn([lifecycleSummary])?.reason
      : undefined;
    const thresholdResults = evaluateThresholds(thresholds, metrics).map((t) =>
      t.passed || metricsLimit === undefined
        ? t
        : { ...t, message: `${t.message} (measured on a run cut by a tester limit)` }
    );
    const interrupted = signal.aborted;
    const testerLimit = results.find((r) => r.testerLimit !== undefined)?.testerLimit ??
      metricsLimit ?? null;
    const serverFailed = results.some((r) => r.verdict === "FAIL") ||
      (metricsLimit === undefined && thresholdResults.some((t) => !t.passed));
    const status: SuiteStatus = interrupted
      ? "interrupted"
      : serverFailed
      ? "failed"
      : testerLimit !== null
      ? "tester-limit"
      : "passed";
    return {
      version: SUITE_SUMMARY_VERSION,
      target: this.#target.label,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      strict,
      cases: results,
      thresholds: thresholdResults,
      load,
      lifecycle: lifecycleSummary,
      idle: idleResult,
      interrupted,
      status,
      testerLimit,
      passed: status === "passed",
    };
  }
}
