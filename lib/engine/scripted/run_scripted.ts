/**
 * Runs one scenario function as one session: whatever it does, the promise
 * resolves with a record and the socket is closed.
 *
 * @module
 */

import type { SessionRecord } from "../session.ts";
import {
  ScriptedSession,
  type ScriptedSessionOptions,
  type ScriptedSessionPlan,
} from "./scripted_session.ts";
import type { Scenario } from "./session_api.ts";
import type { SocketLayer } from "./socket.ts";

/**
 * Runs `scenario` on a new session of `layer`. Never throws: a throw in the
 * scenario ends the session (a socket failure decides its outcome, anything
 * else makes it `error` with the message in `scriptError`).
 *
 * @example
 * ```ts
 * import { runScriptedSession } from "./run_scripted.ts";
 * import { nodeSocketLayer } from "./node_socket.ts";
 * import { startReferenceServer } from "../../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const record = await runScriptedSession(nodeSocketLayer(), async (session) => {
 *   await session.connect();
 *   await session.closeWrite();
 *   await session.expectEof();
 * }, { to: server.target, index: 0 }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * console.assert(record.outcome === "clean", record.outcome);
 * ```
 */
export async function runScriptedSession(
  layer: SocketLayer,
  scenario: Scenario,
  plan: ScriptedSessionPlan,
  options: ScriptedSessionOptions,
): Promise<SessionRecord> {
  const session = new ScriptedSession(layer, plan, options);
  try {
    await scenario(session);
  } catch (error) {
    return await session.finish(error ?? new Error(`the scenario threw ${error}`));
  }
  // `return await`: returning the promise itself costs two more microtask turns.
  return await session.finish();
}
