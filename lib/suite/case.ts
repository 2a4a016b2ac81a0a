/**
 * What a conformance case is: a plain module in `scenarios/` that exports
 * its `options` (ID, severity, requirement) and a default async function
 * that measures the server and returns a finding. Cases record, they do not
 * throw: a finding says whether the requirement held, with expected and
 * actual in words; the suite runner turns it into a verdict.
 *
 * @module
 */

import type { EngineName } from "../engine/load.ts";
import type { CaseInfo } from "./result.ts";
import type { IdleProbeResult } from "../engine/idle_probe.ts";
import type { LoadWithCensus } from "../census/load.ts";
import type { CensusChoice } from "../census/settings.ts";
import { describeOutcomes } from "../engine/outcome.ts";
import type { LoadSummary } from "../census/load_summary.ts";
import type { Target } from "../base/target.ts";
import type { SessionEvidence } from "./tester_limit.ts";

/** The settings every case reads. Times are ms. */
export interface SuiteSettings {
  /** Bound on one handshake (`handshake/accepts`). */
  handshakeBoundMs: number;
  /** Handshake timeout of the cases' sessions. */
  connectTimeoutMs: number;
  /** Wait for the server's FIN after ours. */
  closeTimeoutMs: number;
  /**
   * The socket census around the shared lifecycle run and the burst, or
   * `"off"` (`--no-census`): its drain window and `--server-sockets` command.
   */
  census: CensusChoice;
  /** Length of `load/steady`. */
  loadDurationMs: number;
  /** Concurrency of `load/steady`. */
  concurrency: number;
  /** Connects in the `handshake/burst` burst. */
  burstSize: number;
  /** How long `idle/timeout` waits for the server to drop idle connections. */
  idleBoundMs: number;
  /** Bytes the half-close case sends before its FIN. */
  payload: Uint8Array;
  /** The socket layer of every case's sessions; unset: the default (see `chooseEngine`). */
  engine?: EngineName;
}

/** What a case can use: the target, the settings, and runs shared between cases. */
export interface CaseContext {
  /** The server under test. */
  target: Target;
  /** The suite's settings. */
  settings: SuiteSettings;
  /** Stops the case; it should return what it has. */
  signal: AbortSignal;
  /**
   * The shared lifecycle run (sessions that dwell, then half-close, with a
   * socket census around them), run once on first use.
   */
  lifecycle(): Promise<LoadWithCensus>;
  /** The shared idle probe, started when the suite starts. */
  idle(): Promise<IdleProbeResult>;
}

/**
 * A case's finding: `held` or `broken` (judged against the requirement),
 * `measured` (informational, nothing to judge), or `skipped` (with the
 * reason).
 *
 * `sessions` is the evidence of the connections the case made itself (a
 * `SessionTally`, a `LoadSummary`, or its own connects' errnos): when any of
 * them ran out of synfin's own file descriptors or local ports, the runner
 * makes the verdict a SKIP naming that limit, whatever the status said. The
 * shared lifecycle run and idle probe need not be listed: the runner knows
 * which cases used them.
 */
export type CaseFinding =
  | {
    status: "held" | "broken" | "measured";
    expected: string;
    actual: string;
    /** A load the case ran, whose histograms the report shows. */
    load?: LoadSummary;
    /** What the case's own sessions left behind, to find tester limits in. */
    sessions?: readonly SessionEvidence[];
  }
  | {
    status: "skipped";
    expected: string;
    reason: string;
    /** What the case's own sessions left behind, to find tester limits in. */
    sessions?: readonly SessionEvidence[];
  };

/**
 * The finding for a case that judges a run in which no session got past
 * the handshake: there is nothing to judge, and a PASS would be a lie.
 * Gives `undefined` when some session connected.
 *
 * @example
 * ```ts
 * import { unconnectedRun } from "./case.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { listenBelowEphemeral } from "../testing/reference_servers.ts";
 * // A port nothing listens on: every session is refused.
 * const listener = listenBelowEphemeral();
 * const port = (listener.addr as Deno.NetAddr).port;
 * listener.close();
 * const result = await new LoadRunner({ hostname: "127.0.0.1", port, label: `:${port}` }, {
 *   sessions: 3,
 * }).run();
 * const skip = unconnectedRun(summarizeLoad(result), "0 sessions reset");
 * console.assert(skip?.status === "skipped" && skip.reason.includes("refused 3"));
 * ```
 */
export function unconnectedRun(summary: LoadSummary, expected: string): CaseFinding | undefined {
  if (summary.phases.handshake.count > 0) return undefined;
  return {
    status: "skipped",
    expected,
    reason: `no session connected (${describeOutcomes(summary.outcomes)})`,
  };
}

/** A case's `export const options`. */
export type CaseOptions = CaseInfo;

/** A case module: `export const options` and `export default async function`. */
export interface ConformanceCase {
  /** ID, severity, requirement. */
  options: CaseOptions;
  /** Measures the server. */
  default: (context: CaseContext) => Promise<CaseFinding>;
}
