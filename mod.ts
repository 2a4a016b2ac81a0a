/**
 * synfin: a TCP connection-lifecycle load and conformance tester.
 *
 * Opens real TCP sessions, times the handshake, the first response byte and
 * the four-way close, reports how each session ended, takes a census of the
 * sockets the server leaves behind, runs conformance cases with verdicts,
 * and benchmarks the accept queue with bursts.
 *
 * @example
 * ```ts ignore
 * import { LoadRunner, parseTarget, renderTextReport, summarizeLoad } from "./mod.ts";
 * const result = await new LoadRunner(parseTarget("127.0.0.1:8080"), { sessions: 1000 }).run();
 * console.log(renderTextReport(summarizeLoad(result)));
 * ```
 *
 * @example
 * ```ts ignore
 * import { BUILTIN_CASES, DEFAULT_SUITE_SETTINGS, parseTarget, SuiteRunner } from "./mod.ts";
 * const suite = new SuiteRunner(parseTarget("127.0.0.1:8080"), BUILTIN_CASES, {
 *   settings: DEFAULT_SUITE_SETTINGS,
 * });
 * console.log((await suite.run()).passed);
 * ```
 *
 * @module
 */

export { TargetUnreachableError, UsageError } from "./lib/base/errors.ts";
export { EXIT } from "./lib/base/exit_codes.ts";
export { formatMicros, parseDuration } from "./lib/base/duration.ts";
export {
  HIGHEST_TRACKABLE_US,
  type LatencyBucket,
  LatencyHistogram,
  type PhaseStats,
} from "./lib/engine/histogram.ts";
export {
  DEFAULT_LOAD_SHAPE,
  type LoadOptions,
  type LoadProgress,
  LoadProgressEvent,
  type LoadResult,
  LoadRunner,
  type StopReason,
} from "./lib/engine/runner.ts";
export { type LoadShape, MAX_SESSIONS_PER_EVENT_LOOP, planWorkers } from "./lib/engine/plan.ts";
export {
  errnoOf,
  FAILING_OUTCOMES,
  type Operation,
  type Outcome,
  OUTCOMES,
  type Phase,
} from "./lib/engine/outcome.ts";
export { preflight, type PreflightOptions } from "./lib/engine/preflight.ts";
export {
  listenBelowEphemeral,
  type ListenBelowEphemeralOptions,
  REFERENCE_SERVER_BEHAVIOUR,
  REFERENCE_SERVER_KINDS,
  type ReferenceServer,
  type ReferenceServerKind,
  type ReferenceServerOptions,
  startReferenceServer,
} from "./lib/testing/reference_servers.ts";
export {
  DEFAULT_SESSION_OPTIONS,
  type OperationError,
  runSession,
  type SessionOptions,
  type SessionRecord,
  type SessionRunOptions,
} from "./lib/engine/session.ts";
export {
  type EncodedTally,
  type ErrorGroup,
  SessionTally,
  TIMED_PHASES,
  type TimedPhase,
} from "./lib/engine/tally.ts";
export {
  type LoadSummary,
  type PhaseSummary,
  summarizeLoad,
  SUMMARY_VERSION,
} from "./lib/census/load_summary.ts";
export { isLoopback, parseTarget, type Target } from "./lib/base/target.ts";
export {
  OUTCOME_MEANING,
  renderTextReport,
  type TextReportOptions,
} from "./lib/report/load_text.ts";
export { VERSION } from "./lib/base/version.ts";
export {
  type BurstOptions,
  type BurstResult,
  runBurst,
  SYN_RETRANSMIT_AFTER_US,
} from "./lib/engine/burst.ts";
export {
  caseGroup,
  type CaseInfo,
  type CaseResult,
  SEVERITIES,
  type Severity,
  type Verdict,
  VERDICTS,
} from "./lib/suite/result.ts";
export { type CaseSelection, selectCases } from "./lib/suite/selection.ts";
export { type CheckPlan, DEFAULT_SUITE_SETTINGS, planCheck } from "./lib/suite/plan.ts";
export type {
  CaseContext,
  CaseFinding,
  CaseOptions,
  ConformanceCase,
  SuiteSettings,
} from "./lib/suite/case.ts";
export {
  DEFAULT_CONFIG_NAME,
  findDefaultConfig,
  loadConfig,
  type SynfinConfig,
} from "./lib/suite/config.ts";
export { isGitHubActions, renderGitHubAnnotations } from "./lib/report/github_annotations.ts";
export {
  type IdleEnd,
  type IdleProbeOptions,
  type IdleProbeResult,
  MAX_IDLE_CONNECTIONS,
  probeIdleTimeout,
} from "./lib/engine/idle_probe.ts";
export { idleVerdict, renderIdleReport } from "./lib/report/idle_text.ts";
export { type JUnitReport, renderJUnit } from "./lib/report/junit.ts";
export {
  diffKernelCounters,
  type KernelCounters,
  KernelCountersFormatError,
  kernelCountersFrom,
  KernelCountersUnavailableError,
  parseNetstat,
  readKernelCounters,
} from "./lib/census/kernel_counters.ts";
export {
  type CloseWaitFinding,
  findLingering,
  type HalfOpenFinding,
  type LingerFindings,
  type ServerTimeWaitFinding,
  type TesterTimeWaitFinding,
} from "./lib/census/findings.ts";
export {
  type CensusSettings,
  type LoadWithCensus,
  type LoadWithCensusOptions,
  runLoadWithCensus,
} from "./lib/census/load.ts";
export {
  addSocketMetrics,
  type Metric,
  type MetricKind,
  type MetricSet,
  metricsFromLoadSummary,
} from "./lib/suite/metrics.ts";
export {
  CENSUS_STATES,
  type CensusState,
  emptyStateCounts,
  type SocketCensus,
  type StateCounts,
  takeCensus,
} from "./lib/census/census.ts";
export {
  commandSocketSource,
  isThisHost,
  localSocketSource,
  portSocketSource,
  type SocketSource,
} from "./lib/census/source.ts";
export {
  parseProcNetTcp,
  parseSocketTable,
  parseSsTan,
  readListenBacklog,
  readLocalSocketTable,
  type SocketRow,
  SocketTableFormatError,
  SocketTableUnavailableError,
  TCP_STATES,
  type TcpState,
} from "./lib/census/table.ts";
export { FINDING_ADVICE, renderSocketReport } from "./lib/report/socket_text.ts";
export {
  type SocketReport,
  type SocketsUnavailable,
  SocketWatch,
  type SocketWatchOptions,
  type StateTrack,
  watchServerSockets,
} from "./lib/census/watch.ts";
export { sparkline, type SparklineOptions } from "./lib/report/sparkline.ts";
export {
  CaseEvent,
  SUITE_SUMMARY_VERSION,
  type SuiteResult,
  SuiteRunner,
  type SuiteRunnerOptions,
} from "./lib/suite/runner.ts";
export { renderSuiteReport, verdictLine } from "./lib/report/suite_text.ts";
export { readTcpSysctls, type TcpSysctls } from "./lib/census/sysctls.ts";
export {
  evaluateThresholds,
  parseThreshold,
  type Threshold,
  type ThresholdResult,
} from "./lib/suite/threshold.ts";
export { BUILTIN_CASES } from "./scenarios/builtin.ts";
