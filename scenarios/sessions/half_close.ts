/**
 * `half-close`: the default lifecycle, as `synfin load` runs it. Connect
 * (the three-way handshake); with `--send`, write the payload and read the
 * first bytes of the answer; dwell `--hold`; then send our FIN
 * (`shutdown(SHUT_WR)`, a half-close) and wait for the server's.
 *
 * What a failure means: `no-fin` — the server kept its end open after our
 * FIN (its socket sits in CLOSE_WAIT, a leaked descriptor); `reset` — it
 * answered with an RST; `server-closed-first` — its FIN came before ours
 * (during the dwell or with its answer), so the server, not the client,
 * holds the TIME_WAIT.
 *
 * @module
 */

import type { Session } from "../../lib/engine/scripted/session_api.ts";
import { SocketFailure } from "../../lib/engine/scripted/socket.ts";

/**
 * One session: handshake, optional request and first bytes back, dwell,
 * our FIN, the server's FIN.
 *
 * @example
 * ```ts
 * import halfClose from "./half_close.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("leaky");
 * const record = await runScriptedSession(nodeSocketLayer(), halfClose, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 200 });
 * console.assert(record.outcome === "no-fin", record.outcome); // CLOSE_WAIT on the server
 * ```
 */
export default async function halfClose(session: Session): Promise<void> {
  const { send, holdMs } = session.params;
  await session.connect();
  if (send) {
    await session.write(send);
    // The first bytes back time `firstByte`. A server that stays silent is
    // not an outcome of its own (as in `load`): its close still decides.
    await session.read().catch(unlessTimeout);
  }
  // The dwell ends early when the server closes: that is `server-closed-first`.
  if (holdMs > 0) await session.expectEof(`${holdMs}ms`);
  await session.closeWrite();
  await session.expectEof();
}

/** Swallows a read that timed out; rethrows anything else (a reset decides the outcome). */
function unlessTimeout(error: unknown): void {
  if (!(error instanceof SocketFailure && error.errno === "ETIMEDOUT")) throw error;
}
