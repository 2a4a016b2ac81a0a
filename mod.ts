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

export { TargetUnreachableError, UsageError } from "./lib/errors.ts";
export { EXIT } from "./lib/exit_codes.ts";
export { formatMicros, parseDuration } from "./lib/duration.ts";
export {
  HIGHEST_TRACKABLE_US,
  type LatencyBucket,
  LatencyHistogram,
  type PhaseStats,
} from "./lib/histogram.ts";
export {
  DEFAULT_LOAD_SHAPE,
  type LoadOptions,
  type LoadProgress,
  LoadProgressEvent,
  type LoadResult,
  LoadRunner,
  type StopReason,
} from "./lib/load_runner.ts";
export { type LoadShape, MAX_SESSIONS_PER_EVENT_LOOP, planWorkers } from "./lib/load_plan.ts";
export {
  errnoOf,
  FAILING_OUTCOMES,
  type Operation,
  type Outcome,
  OUTCOMES,
  type Phase,
} from "./lib/outcome.ts";
export { preflight, type PreflightOptions } from "./lib/preflight.ts";
export {
  listenBelowEphemeral,
  type ListenBelowEphemeralOptions,
  REFERENCE_SERVER_BEHAVIOUR,
  REFERENCE_SERVER_KINDS,
  type ReferenceServer,
  type ReferenceServerKind,
  type ReferenceServerOptions,
  startReferenceServer,
} from "./lib/reference_servers.ts";
export {
  DEFAULT_SESSION_OPTIONS,
  type OperationError,
  runSession,
  type SessionOptions,
  type SessionRecord,
  type SessionRunOptions,
} from "./lib/session.ts";
export {
  type EncodedTally,
  type ErrorGroup,
  SessionTally,
  TIMED_PHASES,
  type TimedPhase,
} from "./lib/session_tally.ts";
export {
  type LoadSummary,
  type PhaseSummary,
  summarizeLoad,
  SUMMARY_VERSION,
} from "./lib/summary.ts";
export { isLoopback, parseTarget, type Target } from "./lib/target.ts";
export { OUTCOME_MEANING, renderTextReport, type TextReportOptions } from "./lib/text_report.ts";
export { VERSION } from "./lib/version.ts";
export {
  type BurstOptions,
  type BurstResult,
  runBurst,
  SYN_RETRANSMIT_AFTER_US,
} from "./lib/burst.ts";
export {
  caseGroup,
  type CaseInfo,
  type CaseResult,
  SEVERITIES,
  type Severity,
  type Verdict,
  VERDICTS,
} from "./lib/case_result.ts";
export { type CaseSelection, selectCases } from "./lib/case_selection.ts";
export { type CheckPlan, DEFAULT_SUITE_SETTINGS, planCheck } from "./lib/check_plan.ts";
export type {
  CaseContext,
  CaseFinding,
  CaseOptions,
  ConformanceCase,
  SuiteSettings,
} from "./lib/conformance_case.ts";
export {
  DEFAULT_CONFIG_NAME,
  findDefaultConfig,
  loadConfig,
  type SynfinConfig,
} from "./lib/config_file.ts";
export { isGitHubActions, renderGitHubAnnotations } from "./lib/github_annotations.ts";
export {
  type IdleEnd,
  type IdleProbeOptions,
  type IdleProbeResult,
  MAX_IDLE_CONNECTIONS,
  probeIdleTimeout,
} from "./lib/idle_probe.ts";
export { idleVerdict, renderIdleReport } from "./lib/idle_text_report.ts";
export { type JUnitReport, renderJUnit } from "./lib/junit_report.ts";
export {
  diffKernelCounters,
  type KernelCounters,
  KernelCountersFormatError,
  kernelCountersFrom,
  KernelCountersUnavailableError,
  parseNetstat,
  readKernelCounters,
} from "./lib/kernel_counters.ts";
export {
  type CloseWaitFinding,
  findLingering,
  type HalfOpenFinding,
  type LingerFindings,
  type ServerTimeWaitFinding,
  type TesterTimeWaitFinding,
} from "./lib/linger_findings.ts";
export {
  type CensusSettings,
  type LoadWithCensus,
  type LoadWithCensusOptions,
  runLoadWithCensus,
} from "./lib/load_with_census.ts";
export {
  addSocketMetrics,
  type Metric,
  type MetricKind,
  type MetricSet,
  metricsFromLoadSummary,
} from "./lib/metrics.ts";
export {
  CENSUS_STATES,
  type CensusState,
  emptyStateCounts,
  type SocketCensus,
  type StateCounts,
  takeCensus,
} from "./lib/socket_census.ts";
export {
  commandSocketSource,
  isThisHost,
  localSocketSource,
  portSocketSource,
  type SocketSource,
} from "./lib/socket_source.ts";
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
} from "./lib/socket_table.ts";
export { FINDING_ADVICE, renderSocketReport } from "./lib/socket_text_report.ts";
export {
  type SocketReport,
  type SocketsUnavailable,
  SocketWatch,
  type SocketWatchOptions,
  type StateTrack,
  watchServerSockets,
} from "./lib/socket_watch.ts";
export { sparkline, type SparklineOptions } from "./lib/sparkline.ts";
export {
  CaseEvent,
  SUITE_SUMMARY_VERSION,
  type SuiteResult,
  SuiteRunner,
  type SuiteRunnerOptions,
} from "./lib/suite_runner.ts";
export { renderSuiteReport, verdictLine } from "./lib/suite_text_report.ts";
export { readTcpSysctls, type TcpSysctls } from "./lib/tcp_sysctls.ts";
export {
  evaluateThresholds,
  parseThreshold,
  type Threshold,
  type ThresholdResult,
} from "./lib/threshold.ts";
export { BUILTIN_CASES } from "./scenarios/builtin.ts";
