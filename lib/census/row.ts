/**
 * One row of the kernel's TCP socket table, whichever format it was read
 * from (`/proc/net/tcp{,6}` or `ss -tan`), and the TCP states it can be in.
 *
 * @module
 */

// The states are the kernel's enum, shared with the raw engine's TCP_INFO
// reader: they live in lib/base so both layers read one list.
export { TCP_STATES, type TcpState } from "../base/tcp_state.ts";
import type { TcpState } from "../base/tcp_state.ts";

/**
 * One TCP socket from the kernel's table.
 *
 * Addresses are plain text (`127.0.0.1`, `::1`); an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`, what a dual-stack listener's accepted sockets carry) is
 * given as its IPv4 form so that both ends of one connection match.
 *
 * @example
 * ```ts
 * import type { SocketRow } from "./row.ts";
 * const row: SocketRow = {
 *   localAddress: "127.0.0.1",
 *   localPort: 34366,
 *   remoteAddress: "127.0.0.1",
 *   remotePort: 20002,
 *   state: "TIME_WAIT",
 *   txQueue: 0,
 *   rxQueue: 0,
 *   timerActive: 3,
 *   retransmits: 0,
 *   inode: 0,
 * };
 * console.assert(row.localPort !== row.remotePort);
 * ```
 */
export interface SocketRow {
  /** Local address; `0.0.0.0` or `::` for a wildcard listener. */
  localAddress: string;
  /** Local port; equal to the server's port on server-side sockets. */
  localPort: number;
  /** Peer address; `0.0.0.0` or `::` on LISTEN rows. */
  remoteAddress: string;
  /** Peer port; 0 on LISTEN rows. */
  remotePort: number;
  /** Kernel TCP state. */
  state: TcpState;
  /**
   * Bytes sent but not yet acknowledged (a pending SYN or FIN counts 1).
   * On LISTEN rows: 0 from `/proc`, but the configured backlog when the row
   * came from `ss`, which reports the backlog in its Send-Q column.
   */
  txQueue: number;
  /**
   * Bytes received but not yet read by the application (a received FIN
   * counts 1). On LISTEN rows: connections waiting in the accept queue.
   */
  rxQueue: number;
  /**
   * Pending timer as `/proc/net/tcp` codes it: 0 none, 1 retransmit, 2
   * keepalive, 3 TIME_WAIT, 4 zero-window probe.
   */
  timerActive: number;
  /** Retransmit-timer expiries not yet recovered from (0 for most rows). */
  retransmits: number;
  /**
   * Socket inode, to map a row to a process via `/proc/PID/fd`. 0 when no
   * file holds the socket: TIME_WAIT, SYN_RECV, connections not yet accepted,
   * and `ss` rows captured without `-e`.
   */
  inode: number;
}

/**
 * Drops rows that repeat an earlier row's state, addresses, ports and inode,
 * keeping the first. `/proc/net/tcp` read while connections churn lists some
 * sockets twice (measured on a host churning through tens of thousands of
 * TIME_WAIT sockets: 15 of 30 reads of a 16,000-row table had repeats, about
 * 60 rows each), which would inflate per-state counts.
 *
 * @example
 * ```ts
 * import { parseSsTan } from "./ss.ts";
 * import { uniqueSocketRows } from "./row.ts";
 * const row = "ESTAB 0 0 127.0.0.1:41000 127.0.0.1:20001\n";
 * console.assert(uniqueSocketRows(parseSsTan(row + row)).length === 1);
 * ```
 */
export function uniqueSocketRows(rows: SocketRow[]): SocketRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key =
      `${row.state} ${row.localAddress} ${row.localPort} ${row.remoteAddress} ${row.remotePort} ${row.inode}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
