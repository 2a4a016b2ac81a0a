/**
 * Waiting between bursts until the listener's accept queue is back to its
 * baseline: a burst fired while the previous one's connections are still
 * queued finds less room, and the capacity it shows is too low.
 *
 * The queue alone is not enough. Measured on loopback (listen(8), one
 * accept per 200 ms, a burst of 32 with syncookies on): 2.7 s after the
 * burst the queue was down to 3, yet 10 of our sockets sat in FIN_WAIT1,
 * connections whose final ACK the full queue had dropped (the server never
 * had them) and whose FIN we retransmit with a doubling timeout; 250 ms
 * later their retransmissions came back with valid syncookies and the queue
 * was at 9 again; the last 2 joined 5 s after the burst. So the wait also
 * lasts until none of our connections to the port is still on its way:
 * SYN_SENT, ESTABLISHED, FIN_WAIT1 or CLOSING on our side (FIN_WAIT2 means
 * the server acknowledged our FIN: its socket is counted in the queue or
 * accepted).
 *
 * @module
 */

import { delay } from "../base/delay.ts";
import type { Target } from "../base/target.ts";
import { type StateCounts, takeCensus } from "../census/census.ts";
import type { CensusChoice } from "../census/settings.ts";
import {
  commandSocketSource,
  isThisHost,
  localSocketSource,
  portSocketSource,
  type SocketSource,
} from "../census/source.ts";

/** One reading of a listener's accept queue and of our connections still to reach it. */
export interface QueueReading {
  /** Connections queued: `ss` Recv-Q or the LISTEN row's rx_queue, summed over its listeners. */
  acceptQueue: number;
  /**
   * Our connections to the port the server may still queue: SYN_SENT,
   * ESTABLISHED, FIN_WAIT1 and CLOSING on our side (0 when our table
   * could not be read).
   */
  arriving: number;
}

/**
 * Reads {@link QueueReading} now; `null` when no listener is seen on the port
 * or the server's table cannot be read.
 */
export type AcceptQueueReader = () => Promise<QueueReading | null>;

/** Our side of a connection the server has not (yet) got in its table. */
function arriving(tester: StateCounts | undefined): number {
  if (!tester) return 0;
  return tester.SYN_SENT + tester.ESTABLISHED + tester.FIN_WAIT1 + tester.CLOSING;
}

/**
 * Picks how to read `target`'s accept queue, as the census does: the
 * `--server-sockets` command when given, this host's `ss` (or `/proc/net/tcp`
 * without `ss`) for a local server; `undefined` with the census off or for a
 * remote server without a command, where nothing can be read.
 *
 * @example
 * ```ts
 * import { acceptQueueReader } from "./queue_wait.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("never-accepts", { backlog: 2 });
 * const read = await acceptQueueReader(server.target, { drainMs: 100 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.target.port });
 * const reading = await read!(); // established, never accepted: queued, and ours is open
 * console.assert(reading?.acceptQueue === 1 && reading.arriving === 1);
 * conn.close();
 * console.assert((await acceptQueueReader(server.target, "off")) === undefined);
 * ```
 */
export async function acceptQueueReader(
  target: Target,
  census: CensusChoice,
): Promise<AcceptQueueReader | undefined> {
  if (census === "off") return undefined;
  const remote = census.serverSocketsCommand !== undefined;
  if (!remote && !isThisHost(target)) return undefined;
  // ss reads only the port's sockets (ours too: their remote port is it); without ss, all of /proc.
  const ss = portSocketSource(target.port);
  const local: SocketSource = await ss.read().then(() => ss, () => localSocketSource());
  const server = remote ? commandSocketSource(census.serverSocketsCommand!) : local;
  return async () => {
    try {
      const rows = await server.read();
      const testerRows = remote ? await local.read().catch(() => null) : undefined;
      const census = takeCensus(rows, target.port, { testerRows });
      if (!census.listen) return null;
      return { acceptQueue: census.listen.acceptQueue, arriving: arriving(census.tester) };
    } catch {
      // An unreadable table is unknown, not empty; the burst's own census says why.
      return null;
    }
  };
}

/** Options of {@link waitForAcceptQueue}. */
export interface QueueWaitOptions {
  /**
   * Interval between two reads, ms.
   *
   * @default {100}
   */
  intervalMs?: number;
  /** Ends the wait early. */
  signal?: AbortSignal;
}

/** How a wait for the accept queue ended. */
export interface QueueWait {
  /** Whether the queue was back to the baseline (or could not be read). */
  drained: boolean;
  /** The last reading; `null` when it could not be read. */
  reading: QueueReading | null;
  /** How long it waited, ms. */
  waitedMs: number;
}

/**
 * Reads the accept queue until it is no longer than at `baseline` and no
 * more of our connections are on their way to it than then, or `boundMs`
 * has passed. The wait is on the queue, not on every socket state (the
 * census' drain does that): connections the server accepted and holds are
 * its business, queued and arriving ones take the next burst's room. A
 * queue that cannot be read (no listener seen, a failed read) ends the wait
 * at once as drained: there is nothing to wait for.
 *
 * @example
 * ```ts
 * import { acceptQueueReader, waitForAcceptQueue } from "./queue_wait.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("never-accepts", { backlog: 2 });
 * const read = (await acceptQueueReader(server.target, { drainMs: 100 }))!;
 * const empty = { acceptQueue: 0, arriving: 0 };
 * console.assert((await waitForAcceptQueue(read, empty, 1000)).drained);
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.target.port });
 * const wait = await waitForAcceptQueue(read, empty, 300);
 * console.assert(!wait.drained && wait.reading?.acceptQueue === 1 && wait.waitedMs >= 300);
 * conn.close();
 * ```
 */
export async function waitForAcceptQueue(
  read: AcceptQueueReader,
  baseline: QueueReading,
  boundMs: number,
  options: QueueWaitOptions = {},
): Promise<QueueWait> {
  const intervalMs = options.intervalMs ?? 100;
  const start = performance.now();
  const waited = () => Math.round(performance.now() - start);
  for (;;) {
    const reading = await read();
    if (
      reading === null ||
      (reading.acceptQueue <= baseline.acceptQueue && reading.arriving <= baseline.arriving)
    ) {
      return { drained: true, reading, waitedMs: waited() };
    }
    const left = boundMs - (performance.now() - start);
    if (left <= 0 || options.signal?.aborted) {
      return { drained: false, reading, waitedMs: waited() };
    }
    await delay(Math.min(intervalMs, left), { signal: options.signal });
  }
}
