/**
 * `redis-ping`: one Redis round trip. Connect, send the inline command
 * `PING\r\n`, check that the reply is `+PONG\r\n`, then half-close: our
 * FIN, and Redis's awaited.
 *
 * Why a half-close and not `QUIT`: on `QUIT` Redis replies `+OK` and closes
 * first, so every session would end `server-closed-first` whatever Redis
 * does with a client's close; most clients simply close (Redis 7.2
 * deprecates `QUIT` for that reason). Half-closing shows what the server
 * does when a client goes away: Redis reads the EOF and closes (`clean`);
 * `no-fin` would mean it left the connection in CLOSE_WAIT.
 *
 * What a failure means: check `pong` fails on any other reply (`-NOAUTH`
 * from a server with a password, or not Redis at all); `error` with
 * "the server closed (FIN) before the marker" when it closed without
 * replying (`maxclients` reached), `ETIMEDOUT` when it stayed silent.
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";

/** Every PING must get its PONG. */
export const options: ScenarioOptions = { thresholds: ["checks==100%"] };

/**
 * One session: `PING`, `+PONG`, our FIN, Redis's FIN.
 *
 * @example
 * ```ts
 * import redisPing from "./redis_ping.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * import { takeChecks } from "../../lib/engine/scripted/checks.ts";
 * // An echo server answers PING with PING: the check fails.
 * await using server = await startReferenceServer("well-behaved");
 * takeChecks();
 * const record = await runScriptedSession(nodeSocketLayer(), redisPing, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * const [pong] = takeChecks();
 * console.assert(pong.fails === 1 && record.outcome === "clean", record.outcome);
 * ```
 */
export default async function redisPing(session: Session): Promise<void> {
  await session.connect();
  await session.write("PING\r\n");
  const reply = await session.readUntil("\r\n", { maxBytes: 4096 });
  session.check("pong", reply === "+PONG\r\n");
  await session.closeWrite();
  await session.expectEof();
}
