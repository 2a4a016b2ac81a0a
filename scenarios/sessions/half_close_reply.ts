/**
 * `half-close-reply`: a request, our FIN at once, then the reply read to
 * the server's FIN, as `nc -N` or `shutdown(SHUT_WR)` after a request does.
 * Connect, write the payload (`--send`, or a short line), send our FIN
 * (`shutdown(SHUT_WR)`, a half-close) without waiting for an answer, then
 * read every byte the server still sends until its FIN, for up to the close
 * timeout after ours. `close/half-close` of `check` runs it.
 *
 * Checks, recorded for every connected session and judged by no threshold
 * of the scenario's own (an echo server answers with our bytes, an HTTP
 * server with a response, a silent one with nothing): `replied` — bytes came
 * back (before a reset or the timeout too); `complete` — the server's FIN
 * came, so the reply is whole; `echo` — that reply was exactly our bytes.
 * Require them with `--threshold check.complete==100%`.
 *
 * What a failure means: `reset` with `complete` failing — the server
 * answered our half-close with an RST (or treated it as a full close and
 * reset on the reply), and the tail of its reply is lost; `no-fin` — its FIN
 * did not come within the close timeout after ours (it kept its end open,
 * CLOSE_WAIT); `clean`, or `server-closed-first` when its FIN came before
 * ours, is the reply in full. A server that closes without reading our
 * request (at accept) answers it with an RST after its FIN: that is
 * `server-closed-first`, as `load` counts it, not a reset.
 *
 * @module
 */

import type { Session } from "../../lib/engine/scripted/session_api.ts";
import { SocketFailure } from "../../lib/engine/scripted/socket.ts";

/** What each session writes without `--send`. */
export const DEFAULT_REQUEST: Uint8Array = new TextEncoder().encode("synfin half-close probe\r\n");

/**
 * One session: the request, our FIN, the reply until the server's FIN.
 *
 * @example
 * ```ts
 * import halfCloseReply from "./half_close_reply.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { takeChecks } from "../../lib/engine/scripted/checks.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * // An echo server: our bytes come back after our FIN, then its FIN.
 * await using server = await startReferenceServer("well-behaved");
 * takeChecks();
 * const record = await runScriptedSession(nodeSocketLayer(), halfCloseReply, {
 *   to: server.target,
 *   index: 0,
 * }, { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
 * const checks = Object.fromEntries(takeChecks().map((c) => [c.name, c.passes]));
 * console.assert(record.outcome === "clean", record.outcome);
 * console.assert(checks.replied === 1 && checks.echo === 1);
 * ```
 */
export default async function halfCloseReply(session: Session): Promise<void> {
  const request = session.params.send ?? DEFAULT_REQUEST;
  await session.connect();
  let received = 0;
  let echoed = true; // every byte so far is ours, in order
  try {
    await session.write(request);
    await session.closeWrite();
    // One bound for the whole reply, as for the server's FIN after ours:
    // a server that trickles bytes cannot stretch it.
    const until = performance.now() + session.params.closeTimeoutMs;
    // Until read() says the FIN, not until `serverFin`: a FIN already
    // queued when we sent ours is known before the bytes ahead of it are read.
    while (true) {
      const left = Math.max(0, until - performance.now());
      const chunk = await session.read({ timeout: `${left}ms` });
      if (chunk === null) break;
      for (let i = 0; i < chunk.byteLength && echoed; i++) {
        echoed = request[received + i] === chunk[i];
      }
      received += chunk.byteLength;
    }
  } catch (error) {
    // No FIN in time: the default close finds the bound spent (no-fin).
    if (error instanceof SocketFailure && error.errno === "ETIMEDOUT") return;
    throw error; // a reset decides the outcome
  } finally {
    session.check("replied", received > 0);
    // The server's FIN ends its reply, whatever came after it.
    const complete = session.serverFin;
    session.check("complete", complete);
    if (complete) session.check("echo", echoed && received === request.byteLength);
  }
}
