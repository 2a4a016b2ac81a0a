/**
 * Where, when and with which timeouts one scripted session runs.
 *
 * @module
 */

import type { Destination } from "../../base/target.ts";
import type { SessionParams } from "./session_api.ts";

/** Timeouts of a scripted session, ms. */
export interface ScriptedSessionOptions {
  /** Give up the handshake after this long. */
  connectTimeoutMs: number;
  /** Wait this long for the server's FIN after ours, and by default for each read. */
  closeTimeoutMs: number;
  /** `--hold` and `--send`, as the scenario sees them. */
  params?: Pick<SessionParams, "holdMs" | "send" | "messageRate">;
}

/** Where and when one scripted session runs. */
export interface ScriptedSessionPlan {
  /** The destination this session connects to. */
  to: Destination;
  /** Index of the session in its run. */
  index: number;
  /** Open loop: `performance.now()` the session was due; the handshake is timed from it. */
  intendedStart?: number;
  /** Stops the session (outcome `interrupted`). */
  signal?: AbortSignal;
}
