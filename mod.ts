/**
 * synfin: a TCP connection-lifecycle load and conformance tester.
 *
 * Opens real TCP sessions, times the handshake, the first response byte and
 * the four-way close, and reports how each session ended.
 *
 * @example
 * ```ts ignore
 * import { LoadRunner, parseTarget, renderTextReport, summarizeLoad } from "./mod.ts";
 * const result = await new LoadRunner(parseTarget("127.0.0.1:8080"), { sessions: 1000 }).run();
 * console.log(renderTextReport(summarizeLoad(result)));
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
