/**
 * `exchanges`: request/response exchanges at a steady rate on each
 * connection, as tcpkali's `--message-rate`. Connect; for `--hold` (10 s
 * when not given), every 1/R s (`--message-rate R`, 10 when not given)
 * write the payload (`--send TEXT` or `--send-file FILE`, required) and read
 * the answer, each exchange timed as the mark `exchange` (so
 * `mark.exchange.p99<5ms` is a threshold); then half-close as `half-close`
 * does: our FIN, the server's awaited. `load --message-rate R` runs this
 * scenario.
 *
 * An exchange is complete when at least as many bytes came back as were
 * sent: the byte count tcpkali keeps, exact for an echo server and for any
 * protocol whose answer is at least as long as its request (a Redis `PING`,
 * an HTTP request). It writes and reads at once, so a payload larger than
 * the socket buffers cannot deadlock against an echo. A server whose answer
 * is shorter waits out the read timeout (`--close-timeout`): give such a
 * protocol a scenario of its own with `readUntil`.
 *
 * The schedule is open loop per connection: slot k is due k/R s after the
 * handshake. One exchange is on the wire at a time (no pipelining), so a
 * slot that comes due while the previous answer is still awaited is skipped,
 * not sent late, and counted: check `on-schedule` passes for each slot sent
 * and fails for each skipped (k6's dropped iterations). Every sent exchange
 * therefore leaves within the timer's lateness of its intended time, and a
 * slow answer shows as skipped slots instead of being hidden (coordinated
 * omission). A slot the tester itself wakes too late for is skipped too:
 * Deno's timers fire about 1.2 ms late (p50 of 200 sleeps, 5 ms at worst,
 * 2 cores). Measured against the reference echo server on the same 2 cores,
 * 200/s on each of 10 connections skipped 0.25% of the slots, 500/s 23-27%,
 * 1000/s on one connection 60% (most of them slots already past when the
 * timer fired): past about 200/s per connection, open more connections.
 *
 * What a failure means: check `answered` fails, and the exchanges stop (a
 * late answer would be taken for the next one's), when an answer came short
 * before the read timeout or the server's FIN; the close then decides the
 * outcome as in `half-close`. `server-closed-first` — the server closed the
 * connection during the exchanges (an idle timeout or a connection limit).
 * An exchange that got no answer is timed until its read gave up.
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";
import { SocketFailure } from "../../lib/engine/scripted/socket.ts";

/** Every exchange must be answered; skipped slots are reported, not judged. */
export const options: ScenarioOptions = { thresholds: ["check.answered==100%"] };

/** Exchanges per second on each connection without `--message-rate`. */
export const DEFAULT_MESSAGE_RATE = 10;

/** How long each connection exchanges without `--hold`, ms (a hold of 0 would be no exchange). */
export const DEFAULT_HOLD_MS = 10_000;

/**
 * One session: the handshake, exchanges at the message rate for the hold,
 * the half-close.
 *
 * @example
 * ```ts
 * import exchanges from "./exchanges.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const record = await runScriptedSession(nodeSocketLayer(), exchanges, {
 *   to: server.target,
 *   index: 0,
 * }, {
 *   connectTimeoutMs: 1000,
 *   closeTimeoutMs: 1000,
 *   params: { holdMs: 200, send: new TextEncoder().encode("ping\n"), messageRate: 20 },
 * });
 * console.assert(record.outcome === "clean", record.outcome);
 * console.assert(record.marks?.filter((m) => m.key === "exchange").length === 4);
 * ```
 */
export default async function exchanges(session: Session): Promise<void> {
  const { send } = session.params;
  if (!send || send.byteLength === 0) {
    throw new Error("exchanges needs a payload: give --send TEXT or --send-file FILE");
  }
  const intervalMs = 1000 / (session.params.messageRate ?? DEFAULT_MESSAGE_RATE);
  const holdMs = session.params.holdMs > 0 ? session.params.holdMs : DEFAULT_HOLD_MS;
  const slots = Math.ceil(holdMs / intervalMs); // slot k is due at k * intervalMs < holdMs
  await session.connect();
  const start = performance.now();
  let slot = 0;
  while (slot < slots) {
    const waitMs = start + slot * intervalMs - performance.now();
    // Waiting for the server's FIN, not sleeping: a server that closes the
    // connection between exchanges ends them at once (server-closed-first).
    if (waitMs > 0 && await session.expectEof(`${waitMs.toFixed(3)}ms`)) break;
    session.check("on-schedule", true);
    const answered = await session.time("exchange", () => exchange(session, send));
    if (!session.check("answered", answered)) break;
    // The first slot not yet due; those between came due on the wire.
    const next = Math.ceil((performance.now() - start) / intervalMs);
    for (let skipped = slot + 1; skipped < Math.min(next, slots); skipped++) {
      session.check("on-schedule", false);
    }
    slot = Math.max(slot + 1, next);
  }
  await session.closeWrite();
  await session.expectEof();
}

/**
 * Writes `payload` and reads until as many bytes came back; `false` when
 * the server's FIN or the read timeout came first.
 */
async function exchange(session: Session, payload: Uint8Array): Promise<boolean> {
  // At once, not write then read: an echo of a payload larger than the
  // socket buffers stalls both sides otherwise (neither reads while it writes).
  const writing = session.write(payload);
  let back = 0;
  try {
    while (back < payload.byteLength) {
      const chunk = await session.read();
      if (chunk === null) break;
      back += chunk.byteLength;
    }
  } catch (error) {
    writing.catch(() => {}); // the read's failure is the one to report
    if (!(error instanceof SocketFailure && error.errno === "ETIMEDOUT")) throw error;
    return false;
  }
  if (back < payload.byteLength) {
    writing.catch(() => {}); // the server closed; a write after its FIN may be reset
    return false;
  }
  await writing;
  return true;
}
