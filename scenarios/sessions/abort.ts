/**
 * `abort`: a client that goes away with an RST. Connect; with `--send`,
 * write the payload; then abort (`SO_LINGER` `{1, 0}` and `close`: an RST,
 * no FIN). The outcome is `aborted` (not a failure): the session did what
 * it meant to. Run it against a server to see that it survives resets: it
 * should keep accepting, and keep no socket (a server that only notices an
 * RST on its next write can hold the connection for a while).
 *
 * What a failure means: anything but `aborted` — `refused` or
 * `connect-timeout` when the handshake failed, `reset` when the server's
 * RST came first (on the write).
 *
 * @module
 */

import type { Session } from "../../lib/engine/scripted/session_api.ts";

/**
 * One session: handshake, optional write, RST.
 *
 * @example
 * ```ts
 * import abort from "./abort.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const record = await runScriptedSession(nodeSocketLayer(), abort, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * console.assert(record.outcome === "aborted", record.outcome);
 * ```
 */
export default async function abort(session: Session): Promise<void> {
  await session.connect();
  if (session.params.send) await session.write(session.params.send);
  await session.abort();
}
