/**
 * What a scripted session's `connect()` puts in its record: the TCP
 * handshake and, on a TLS socket, the TLS handshake as the `tls` phase,
 * decided by the rules `runSession` follows (lib/engine/tls.ts), so `run`
 * and `load` agree on a failed TLS handshake too.
 *
 * @module
 */

import { connectOutcome, handshakeCompletedBefore, type Outcome, type Phase } from "../outcome.ts";
import type { SessionRecord } from "../session_record.ts";
import { tlsFailureOutcome } from "../tls.ts";
import type { ScenarioSocket } from "./socket.ts";

/**
 * Records a completed connect begun at `from` (`performance.now()`) and
 * done at `at`: `handshakeUs`, and `tlsUs` on a TLS socket.
 *
 * @example
 * ```ts
 * import { recordConnect } from "./connect_record.ts";
 * import type { SessionRecord } from "../session_record.ts";
 * const record: SessionRecord = { outcome: "clean", phase: "close", bytesReceived: 0, errors: [] };
 * recordConnect(record, {} as never, 0, 2);
 * console.assert(record.handshakeUs === 2000 && record.tlsUs === undefined);
 * ```
 */
export function recordConnect(
  record: SessionRecord,
  socket: Pick<ScenarioSocket, "tlsHandshake">,
  from: number,
  at: number,
): void {
  const tls = socket.tlsHandshake?.();
  record.handshakeUs = ((tls?.tcpAt ?? at) - from) * 1000;
  if (tls?.us !== undefined) record.tlsUs = tls.us;
}

/**
 * Records a connect that failed with `errno`: the error (in phase `tls`
 * once the TCP handshake of a TLS socket had completed), the handshake time
 * when it had completed; returns the outcome and phase it decides.
 *
 * @example
 * ```ts
 * import { recordConnectFailure } from "./connect_record.ts";
 * import type { SessionRecord } from "../session_record.ts";
 * const record: SessionRecord = { outcome: "error", phase: "handshake", bytesReceived: 0, errors: [] };
 * const tls = { tlsHandshake: () => ({ tcpAt: 1 }) };
 * const failed = recordConnectFailure(record, tls, 0, "ETLSCERT");
 * console.assert(failed.outcome === "error" && failed.phase === "tls");
 * console.assert(record.handshakeUs === 1000 && record.errors[0].phase === "tls");
 * ```
 */
export function recordConnectFailure(
  record: SessionRecord,
  socket: Pick<ScenarioSocket, "tlsHandshake">,
  from: number,
  errno: string,
): { outcome: Outcome; phase: Phase } {
  const tls = socket.tlsHandshake?.();
  const phase: Phase = tls ? "tls" : "handshake";
  record.errors.push({ phase, operation: "connect", errno });
  record.errno = errno;
  if (tls || handshakeCompletedBefore(errno)) {
    record.handshakeUs = ((tls?.tcpAt ?? performance.now()) - from) * 1000;
  }
  return { outcome: tls ? tlsFailureOutcome(errno) : connectOutcome(errno), phase };
}
