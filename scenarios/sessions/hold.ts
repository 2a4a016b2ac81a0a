/**
 * `hold`: idle connections. Connect and stay connected, sending nothing,
 * for `--hold` (10 s when not given: a hold of 0 would be `half-close`),
 * then close the default way: our FIN, the server's awaited. With no flags,
 * `run hold` opens 100 connections at once and holds each 10 s.
 *
 * What a failure means: check `held` fails, with outcome
 * `server-closed-first`, when the server closed the idle connection before
 * the hold ended (an idle timeout shorter than `--hold`, or a connection
 * limit); `reset` — it reset it; `no-fin` — after our FIN it kept its end
 * open (CLOSE_WAIT).
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";

/** 100 connections, held together once (the run lasts about one hold); each must last it. */
export const options: ScenarioOptions = {
  concurrency: 100,
  sessions: 100,
  thresholds: ["checks==100%"],
};

/** The hold without `--hold`, ms. */
export const DEFAULT_HOLD_MS = 10_000;

/**
 * One session: handshake, an idle dwell (ended early by the server's FIN),
 * then the default close.
 *
 * @example
 * ```ts
 * import hold from "./hold.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * // The server closes connections idle for 50 ms, before the 10 s hold ends.
 * await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 50 });
 * const record = await runScriptedSession(nodeSocketLayer(), hold, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * console.assert(record.outcome === "server-closed-first", record.outcome);
 * ```
 */
export default async function hold(session: Session): Promise<void> {
  const holdMs = session.params.holdMs > 0 ? session.params.holdMs : DEFAULT_HOLD_MS;
  await session.connect();
  // Waiting for the server's FIN, not sleeping: a server that closes the
  // idle connection ends the hold at once, as `server-closed-first`.
  const closedEarly = await session.expectEof(`${holdMs}ms`);
  session.check("held", !closedEarly);
  await session.close();
}
