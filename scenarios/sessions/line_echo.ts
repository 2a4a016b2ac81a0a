/**
 * `line-echo`: for line echo servers. Connect, write one line (`--send`,
 * or `synfin line-echo N` with the session's index), read up to the first
 * `\n` and check that it is the same line, then half-close: our FIN, and
 * the server's awaited.
 *
 * What a failure means: check `echo` fails when the server answered with
 * other bytes; `error` with "the server closed (FIN) before the marker"
 * when it closed without answering, or `ETIMEDOUT` when it stayed silent;
 * after the echo, the close outcomes of `half-close` (`no-fin`: CLOSE_WAIT
 * on the server, `reset`).
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";

/** Every line must come back. */
export const options: ScenarioOptions = { thresholds: ["checks==100%"] };

/**
 * One session: a line out, the same line back, then the half-close.
 *
 * @example
 * ```ts
 * import lineEcho from "./line_echo.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const record = await runScriptedSession(nodeSocketLayer(), lineEcho, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * console.assert(record.outcome === "clean", record.outcome);
 * ```
 */
export default async function lineEcho(session: Session): Promise<void> {
  const { send } = session.params;
  let line = send ? new TextDecoder().decode(send) : `synfin line-echo ${session.index}`;
  if (!line.endsWith("\n")) line += "\n";
  await session.connect();
  await session.write(line);
  const echoed = await session.readUntil("\n", { maxBytes: line.length + 4096 });
  session.check("echo", echoed === line);
  await session.closeWrite();
  await session.expectEof();
}
