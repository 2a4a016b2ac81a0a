/**
 * `close/half-close`: data the server sends after our FIN still arrives in
 * full, before its FIN. A server that treats our half-close as a full close
 * (or resets) loses the tail of its reply.
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { errnoOf } from "../../lib/base/errno.ts";
import { RESET_ERRNOS } from "../../lib/engine/outcome.ts";

/** The case. */
export const options: CaseOptions = {
  id: "close/half-close",
  severity: "MUST",
  requirement: "A reply sent after our FIN (half-close) arrives in full, then the server's FIN",
};

const CONNECTIONS = 10;

type Ending = { kind: "fin" | "reset" | "timeout" | "error"; bytes: number; errno?: string };

/**
 * Writes the payload and half-closes at once on 10 connections, then reads
 * until the server's FIN.
 *
 * @example
 * ```ts
 * import * as closeHalfClose from "./close_half_close.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [closeHalfClose], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function closeHalfClose(context: CaseContext): Promise<CaseFinding> {
  const { payload } = context.settings;
  const endings = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => halfClose(context, payload)),
  );
  const count = (kind: Ending["kind"]) => endings.filter((e) => e.kind === kind).length;
  const withReply = endings.filter((e) => e.bytes > 0);
  const echoed = endings.filter((e) => e.kind === "fin" && e.bytes === payload.byteLength).length;
  // Every failed operation's errno: a tester limit (EMFILE) is synfin's, not the server's.
  const sessions = [{
    errors: endings.filter((e) => e.errno !== undefined)
      .map((e) => ({ phase: "close" as const, errno: e.errno!, count: 1 })),
  }];
  const expected =
    `each of ${CONNECTIONS} connections: the reply to our ${payload.byteLength}-byte ` +
    "request in full after our FIN, then the server's FIN";
  const actual = `${count("fin")} ended with the server's FIN, ${count("reset")} reset, ` +
    `${count("timeout")} no FIN in time, ${count("error")} other errors; ` +
    `${withReply.length} received a reply (${echoed} exactly our bytes back)`;
  if (count("reset") + count("error") > 0) {
    return { status: "broken", expected, actual, sessions };
  }
  if (withReply.length === 0) {
    // A server that sends nothing (it waits for a protocol it does not see)
    // has no reply to lose: nothing to judge.
    return {
      status: "measured",
      expected,
      actual: `${actual}: the server sent nothing`,
      sessions,
    };
  }
  const held = count("fin") === CONNECTIONS;
  return { status: held ? "held" : "broken", expected, actual, sessions };
}

async function halfClose(context: CaseContext, payload: Uint8Array): Promise<Ending> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({
      hostname: context.target.hostname,
      port: context.target.port,
      signal: AbortSignal.timeout(context.settings.connectTimeoutMs),
    });
  } catch (error) {
    return { kind: "error", bytes: 0, errno: errnoOf(error) };
  }
  let bytes = 0;
  const timer = setTimeout(() => conn.close(), context.settings.closeTimeoutMs);
  try {
    let offset = 0;
    while (offset < payload.byteLength) offset += await conn.write(payload.subarray(offset));
    await conn.closeWrite();
    const buffer = new Uint8Array(16 * 1024);
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) return { kind: "fin", bytes };
      bytes += n;
    }
  } catch (error) {
    const errno = errnoOf(error);
    // Our own close (the timer) interrupts the pending read.
    if (errno === "EINTR" || errno === "EBADF") return { kind: "timeout", bytes };
    return { kind: RESET_ERRNOS.has(errno) ? "reset" : "error", bytes, errno };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}
