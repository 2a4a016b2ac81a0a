/**
 * `server-closes-first`: for servers meant to close first (HTTP/1.0, a
 * banner-and-bye service, an idle timeout). Connect; with `--send`, write
 * the payload; then wait, without sending our FIN, for the server's FIN: up
 * to the close timeout, or `--hold` when that is longer. Bytes before the
 * FIN are read and discarded (the first one times `firstByte`).
 *
 * Outcome `server-closed-first` and a passing check `server-closed-first`
 * mean the server closed: it holds the TIME_WAIT. A server that never
 * closes fails the check, and the session then closes the default way (our
 * FIN, its FIN awaited), so the outcome still tells how it answers a
 * client's close (`clean`, `no-fin`, `reset`).
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";

/** Every session's server must close first. */
export const options: ScenarioOptions = { thresholds: ["checks==100%"] };

/**
 * One session: handshake, optional request, then the server's FIN awaited
 * before ours.
 *
 * @example
 * ```ts
 * import serverClosesFirst from "./server_closes_first.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("closes-first");
 * const record = await runScriptedSession(nodeSocketLayer(), serverClosesFirst, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * console.assert(record.outcome === "server-closed-first", record.outcome);
 * ```
 */
export default async function serverClosesFirst(session: Session): Promise<void> {
  const { send, holdMs } = session.params;
  await session.connect();
  if (send) await session.write(send);
  const waitFrom = performance.now();
  let closed = await session.expectEof(); // up to the close timeout
  const left = holdMs - (performance.now() - waitFrom);
  if (!closed && left > 0) closed = await session.expectEof(`${left}ms`); // --hold, if longer
  session.check("server-closed-first", closed);
  await session.close();
}
