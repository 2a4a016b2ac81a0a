/**
 * Tells a listener whose accept queue is full from a dead target, when a
 * preflight connect timed out against this host.
 *
 * @module
 */

import type { Target } from "../base/target.ts";
import { isThisHost } from "../census/source.ts";
import { readListenBacklog, readLocalSocketTable } from "../census/table.ts";

/** A local listener that drops SYNs because nothing accepts. */
export interface FullAcceptQueue {
  /** Connections waiting in its accept queue (`/proc/net/tcp` rx_queue of the LISTEN row). */
  queued: number;
  /** Its `listen()` backlog (`ss -lnt` Send-Q). */
  backlog: number;
}

/**
 * When `target` is on this host and its LISTEN socket holds at least its
 * backlog in the accept queue, returns the queue and the backlog, else
 * `undefined`. Linux drops a SYN (no RST) once the accept queue is over the
 * backlog (see docs/tcp-facts.md), so a server that stopped calling
 * `accept()` looks from the client exactly like a firewall that drops SYNs;
 * only the listener's row tells them apart. Such a server is reachable and
 * failing: the run goes on and its cases fail, rather than exit 3 "check
 * the target" (seen against the never-accepts reference server on its second
 * suite run, once the first run had filled its queue).
 *
 * @example
 * ```ts
 * import { fullAcceptQueue } from "./full_accept_queue.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 1 });
 * const target = { hostname: "127.0.0.1", port: listener.addr.port, label: "" };
 * console.assert(await fullAcceptQueue(target) === undefined);
 * listener.close();
 * ```
 */
export async function fullAcceptQueue(target: Target): Promise<FullAcceptQueue | undefined> {
  if (!isThisHost(target)) return undefined;
  try {
    const backlog = await readListenBacklog(target.port);
    if (backlog === undefined) return undefined;
    const rows = await readLocalSocketTable();
    const listener = rows.find((row) => row.state === "LISTEN" && row.localPort === target.port);
    if (listener === undefined || listener.rxQueue < backlog) return undefined;
    return { queued: listener.rxQueue, backlog };
  } catch {
    // No table to read (no permission, no ss): nothing shows the queue, so the
    // timeout stays an unreachable target.
    return undefined;
  }
}
