/**
 * `slow-writer`: a slow client, slowloris-like but bounded. Connect, write
 * the payload (`--send`, or a short line) one byte per `write` with a pause
 * between bytes (100 ms, or `--hold` spread over the payload), read the
 * first bytes of the answer, then half-close: our FIN, the server's awaited.
 * The request always completes: the run measures whether the server waits
 * for a slow client, not how many it can be made to hold.
 *
 * What a failure means: `reset` — the server gave up on the slow request
 * (a read timeout shorter than the pause) and its RST came back on a later
 * byte; check `answered` fails with `server-closed-first` when it closed
 * instead of answering; `error` `ETIMEDOUT` when it never answered; after
 * the answer, the close outcomes of `half-close`.
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";

/** Every slow request must be answered. */
export const options: ScenarioOptions = { thresholds: ["checks==100%"] };

/** The pause between two bytes without `--hold`, ms. */
export const DEFAULT_BYTE_GAP_MS = 100;

const DEFAULT_PAYLOAD = new TextEncoder().encode("synfin slow-writer\n");

/**
 * One session: the payload byte by byte, the answer, the half-close.
 *
 * @example
 * ```ts
 * import slowWriter from "./slow_writer.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const send = new TextEncoder().encode("hi\n");
 * const record = await runScriptedSession(nodeSocketLayer(), slowWriter, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000, params: { holdMs: 60, send } });
 * console.assert(record.outcome === "clean", record.outcome);
 * ```
 */
export default async function slowWriter(session: Session): Promise<void> {
  const { send = DEFAULT_PAYLOAD, holdMs } = session.params;
  const gapMs = holdMs > 0 ? holdMs / send.byteLength : DEFAULT_BYTE_GAP_MS;
  await session.connect();
  for (let i = 0; i < send.byteLength; i++) {
    if (i > 0) await session.sleep(`${gapMs}ms`);
    await session.write(send.subarray(i, i + 1));
  }
  const answer = await session.read(); // null: the server closed instead of answering
  session.check("answered", answer !== null);
  await session.closeWrite();
  await session.expectEof();
}
