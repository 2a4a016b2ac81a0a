/**
 * What one session measured, on either engine, built-in or scripted: the
 * record workers tally.
 *
 * @module
 */

import type { SessionKernelEvidence } from "./kernel_evidence.ts";
import type { Operation, Outcome, Phase } from "./outcome.ts";
import type { TlsClose } from "./tls.ts";

/** A failed socket operation within a session. */
export interface OperationError {
  /** Phase the operation belonged to. */
  phase: Phase;
  /** The operation. */
  operation: Operation;
  /** errno name, e.g. `ECONNRESET`. */
  errno: string;
}

/** What one session measured. Durations are microseconds. */
export interface SessionRecord {
  /** How the session ended. */
  outcome: Outcome;
  /** Phase in which the outcome was decided. */
  phase: Phase;
  /** errno of the error that decided the outcome, if any. */
  errno?: string;
  /** Connect call until established (from the intended start in open loop). */
  handshakeUs?: number;
  /** `--tls`: the TLS handshake, from the TCP connection's establishment. */
  tlsUs?: number;
  /** `--tls`: how the server that closed ended the TLS stream (see `lib/engine/tls.ts`). */
  tlsClose?: TlsClose;
  /** Our write until the first response byte. */
  firstByteUs?: number;
  /** Our FIN until the server's FIN. */
  closeUs?: number;
  /** Our local port, for matching kernel socket rows. */
  localPort?: number;
  /**
   * When `Deno.connect` was called, in `performance.timeOrigin +
   * performance.now()` ms: comparable across the workers of one process.
   */
  connectCalledAt?: number;
  /** Bytes received from the server. */
  bytesReceived: number;
  /** Every failed operation, in order (an RST can surface on a write). */
  errors: OperationError[];
  /** What TCP_INFO said of the socket (raw engine only). */
  kernel?: SessionKernelEvidence;
  /** Scripted sessions: the scenario's own timings (`time`, `mark`), in order. */
  marks?: MarkValue[];
  /** Scripted sessions: what the scenario threw (outcome `error`), one line. */
  scriptError?: string;
}

/** One timing a scenario recorded: its series (`login{region:eu}`) and microseconds. */
export interface MarkValue {
  /** The mark's name with its tags, as thresholds name it after `mark.`. */
  key: string;
  /** Microseconds. */
  us: number;
}
