/**
 * How a scripted session's outcome is decided from what happened on its
 * socket and in its scenario: the built-in outcome rules
 * (lib/engine/outcome.ts) plus what only a scenario can do, throw or abort.
 *
 * @module
 */

import type { Outcome } from "../outcome.ts";

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
