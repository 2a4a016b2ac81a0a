/**
 * `http10`: one HTTP/1.0 exchange. Connect, send `GET / HTTP/1.0` (or
 * `--send`), read the status line, then read to the server's FIN: an
 * HTTP/1.0 server without keep-alive ends its response by closing, so the
 * expected outcome is `server-closed-first` (the server holds the
 * TIME_WAIT). Marks `status` (handshake to status line) and `response`
 * (request to the server's FIN).
 *
 * What a failure means: check `status-2xx-3xx` fails on any other status
 * or a reply that is not HTTP; outcome `clean` (or `no-fin`) means the
 * server did not close after its response within the close timeout, and the
 * session closed the default way; `error` with "the server closed (FIN)
 * before the marker" means it closed without a status line.
 *
 * The `Host` header names the address connected to (HTTP/1.0 does not
 * require it; the server's default host answers). Give `--send "GET /
 * HTTP/1.0\r\nHost: example.com\r\n\r\n"` to name another.
 *
 * @module
 */

import type { ScenarioOptions, Session } from "../../lib/engine/scripted/session_api.ts";

/** Every response must be a 2xx or 3xx. */
export const options: ScenarioOptions = { thresholds: ["checks==100%"] };

function request({ hostname, port }: Session["destination"]): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `GET / HTTP/1.0\r\nHost: ${host}:${port}\r\nUser-Agent: synfin\r\n\r\n`;
}

/**
 * One session: request, status line, body until the server's FIN.
 *
 * @example
 * ```ts
 * import http10 from "./http10.ts";
 * import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
 * import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * import { takeChecks } from "../../lib/engine/scripted/checks.ts";
 * // An echo server is no HTTP server: the status check fails.
 * await using server = await startReferenceServer("well-behaved");
 * takeChecks();
 * await runScriptedSession(nodeSocketLayer(), http10, { to: server.target, index: 0 }, {
 *   connectTimeoutMs: 1000,
 *   closeTimeoutMs: 100,
 * });
 * const [status] = takeChecks();
 * console.assert(status.name === "status-2xx-3xx" && status.fails === 1);
 * ```
 */
export default async function http10(session: Session): Promise<void> {
  await session.connect();
  await session.time("response", async () => {
    await session.write(session.params.send ?? request(session.destination));
    const statusLine = await session.readUntil("\r\n", { maxBytes: 8192 });
    session.mark("status");
    session.check("status-2xx-3xx", /^HTTP\/1\.[01] [23]\d\d /.test(statusLine));
    await session.expectEof(); // headers and body, until the server's FIN
  });
}
