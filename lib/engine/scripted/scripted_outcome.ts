/**
 * How a scripted session's outcome is decided from what happened on its
 * socket and in its scenario: the built-in outcome rules
 * (lib/engine/outcome.ts) plus what only a scenario can do, throw or abort.
 *
 * @module
 */

import type { Outcome, Phase } from "../outcome.ts";
import type { SessionRecord } from "../session_record.ts";
import type { ScenarioSocket } from "./socket.ts";

/**
 * The outcome after `proposed` was seen, given the one decided so far: the
 * first decision stands, except that a reset overrides any other (an RST
 * can follow a FIN) and is final.
 *
 * @example
 * ```ts
 * import { nextDecision } from "./scripted_outcome.ts";
 * console.assert(nextDecision(undefined, "server-closed-first") === "server-closed-first");
 * console.assert(nextDecision("server-closed-first", "clean") === "server-closed-first");
 * console.assert(nextDecision("clean", "reset") === "reset");
 * ```
 */
export function nextDecision(decided: Outcome | undefined, proposed: Outcome): Outcome {
  if (decided === undefined || (proposed === "reset" && decided !== "reset")) return proposed;
  return decided;
}

/** What a scripted session ended with, for {@link scriptedOutcome}. */
export interface ScriptedEnd {
  /** The outcome its socket decided by the end (after the default close). */
  decided?: Outcome;
  /** What was decided when a socket call's failure was thrown out of the scenario. */
  decidedByFailure?: Outcome;
  /** The scenario threw. */
  thrown: boolean;
  /** The errno, when what it threw was a socket failure. */
  failureErrno?: string;
  /** The run was stopped. */
  stopped: boolean;
  /** The session connected. */
  connected: boolean;
}

/**
 * The final outcome: a reset wins; a throw ends the session as `error`
 * unless the failure thrown had decided otherwise (a refused connect is
 * `refused`, a stop `interrupted`); a scenario that returned without
 * connecting is an `error` too.
 *
 * @example
 * ```ts
 * import { scriptedOutcome } from "./scripted_outcome.ts";
 * const end = { thrown: true, stopped: false, connected: true, decided: "clean" as const };
 * console.assert(scriptedOutcome(end).outcome === "error");
 * console.assert(scriptedOutcome({ ...end, thrown: false }).outcome === "clean");
 * ```
 */
export function scriptedOutcome(
  end: ScriptedEnd,
): { outcome: Outcome; errno?: string; scriptError?: string } {
  const decided = end.decided ?? (end.stopped ? "interrupted" : undefined);
  if (decided === "reset") return { outcome: "reset" };
  if (end.thrown) {
    const outcome = end.decidedByFailure ?? (end.stopped ? "interrupted" : "error");
    return end.failureErrno === undefined ? { outcome } : { outcome, errno: end.failureErrno };
  }
  if (decided !== undefined) return { outcome: decided };
  if (!end.connected) {
    return { outcome: "error", scriptError: "the scenario returned without connecting" };
  }
  return { outcome: "error" };
}

/**
 * Writes the final outcome into `record`, with the phase it ended in and
 * what the socket can tell (TCP_INFO evidence, how a TLS stream ended);
 * returns `record`.
 *
 * @example
 * ```ts
 * import { endRecord } from "./scripted_outcome.ts";
 * import type { SessionRecord } from "../session_record.ts";
 * const record: SessionRecord = {
 *   outcome: "error",
 *   phase: "handshake",
 *   bytesReceived: 0,
 *   errors: [{ phase: "close", operation: "read", errno: "ETIMEDOUT" }],
 * };
 * endRecord(record, { outcome: "error" }, "close", {});
 * console.assert(record.outcome === "error" && record.errno === "ETIMEDOUT");
 * console.assert(record.phase === "close");
 * ```
 */
export function endRecord(
  record: SessionRecord,
  end: { outcome: Outcome; errno?: string; scriptError?: string },
  phase: Phase,
  socket: Pick<ScenarioSocket, "kernelEvidence" | "tlsClose">,
): SessionRecord {
  record.outcome = end.outcome;
  if (end.errno !== undefined) record.errno = end.errno;
  if (end.scriptError !== undefined) record.scriptError = end.scriptError;
  if (end.outcome === "error") record.errno ??= record.errors.at(-1)?.errno;
  record.phase = phase;
  const evidence = socket.kernelEvidence?.();
  if (evidence) record.kernel = evidence;
  const tlsClose = end.outcome === "clean" || end.outcome === "server-closed-first"
    ? socket.tlsClose?.()
    : undefined;
  if (tlsClose) record.tlsClose = tlsClose;
  return record;
}
