/**
 * The one "settled" rule: a server is back to its baseline when no
 * server-side state but TIME_WAIT (which lasts about 60 s by design) holds
 * more sockets than before the run, no CLOSE_WAIT socket is new (by
 * identity, when the censuses carry them: old ones reset by reused ports
 * must not make room for new leaks), and its accept queue is no longer than
 * before. The census ends its drain early on it; the backlog sweep records
 * it per burst.
 *
 * @module
 */

import { CENSUS_STATES, emptyStateCounts, type SocketCensus } from "./census.ts";
import type { SocketReport } from "./socket_report.ts";
import { hasNewCloseWait } from "./identity.ts";

/**
 * What the settled rule reads of a census: the server's counts and its
 * LISTEN row, and its CLOSE_WAIT sockets one by one when known.
 */
export type SettleView =
  & Pick<SocketCensus, "server" | "listen">
  & Partial<Pick<SocketCensus, "closeWait" | "inodes">>;

/**
 * Whether the server in census `now` is back to `baseline`: no server state
 * but TIME_WAIT above its baseline count, no new CLOSE_WAIT socket when both
 * list them, and the accept queue no longer than at the baseline (a missing
 * listener counts as an empty queue).
 *
 * @example
 * ```ts
 * import { isSettled } from "./settled.ts";
 * import { emptyStateCounts } from "./census.ts";
 * const baseline = { server: emptyStateCounts() };
 * const timeWait = { server: { ...emptyStateCounts(), TIME_WAIT: 40 } };
 * const closeWait = { server: { ...emptyStateCounts(), CLOSE_WAIT: 1 } };
 * console.assert(isSettled(timeWait, baseline));
 * console.assert(!isSettled(closeWait, baseline));
 * console.assert(!isSettled({ ...baseline, listen: { acceptQueue: 2 } }, baseline));
 * ```
 */
export function isSettled(now: SettleView, baseline: SettleView): boolean {
  for (const state of CENSUS_STATES) {
    if (state !== "TIME_WAIT" && now.server[state] > baseline.server[state]) return false;
  }
  if (now.closeWait && baseline.closeWait) {
    const identified = { closeWait: now.closeWait, inodes: now.inodes ?? false };
    if (hasNewCloseWait(identified, { closeWait: baseline.closeWait })) return false;
  }
  return (now.listen?.acceptQueue ?? 0) <= (baseline.listen?.acceptQueue ?? 0);
}

/**
 * {@link isSettled} on a finished report: whether the server was back to its
 * baseline at the end of the drain window.
 *
 * @example
 * ```ts
 * import { drainSettled } from "./settled.ts";
 * import { SocketWatch } from "./watch.ts";
 * import { portSocketSource } from "./source.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const watch = new SocketWatch(server.target.port, {
 *   server: portSocketSource(server.target.port),
 * });
 * await watch.baseline();
 * await watch.stop();
 * console.assert(drainSettled(await watch.drain(500)));
 * ```
 */
export function drainSettled(report: SocketReport): boolean {
  const baseline = emptyStateCounts();
  const drained = emptyStateCounts();
  for (const state of CENSUS_STATES) {
    baseline[state] = report.server[state].baseline;
    drained[state] = baseline[state] + report.server[state].drained;
  }
  const queue = report.acceptQueue;
  if ((report.closeWait?.added ?? 0) > 0) return false;
  return isSettled(
    { server: drained, listen: queue ? { acceptQueue: queue.drained } : undefined },
    { server: baseline, listen: queue ? { acceptQueue: queue.baseline } : undefined },
  );
}
