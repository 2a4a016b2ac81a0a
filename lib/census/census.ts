/**
 * A census of the TCP sockets of one server port at one instant: how many
 * sockets sit in each state on the server's side and on the tester's side,
 * the LISTEN row's accept queue, and the tester's half-open connections.
 *
 * @module
 */

import type { SocketRow, TcpState } from "./row.ts";
import { type SocketIdentity, socketTuple, type TesterFinSocket } from "./identity.ts";

/**
 * The states a connection passes through after the handshake, the ones the
 * census counts. LISTEN is reported apart (see {@link ListenCensus}), CLOSE
 * is never visible in the table, and SYN_SENT only exists on a client.
 */
export const CENSUS_STATES = [
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "CLOSE_WAIT",
  "LAST_ACK",
  "CLOSING",
  "TIME_WAIT",
] as const satisfies readonly TcpState[];

/** One of {@link CENSUS_STATES}. */
export type CensusState = typeof CENSUS_STATES[number];

/** Socket count per state. */
export type StateCounts = Record<CensusState, number>;

/** The server port's LISTEN socket(s). */
export interface ListenCensus {
  /** Connections established but not yet accepted (sum over listeners). */
  acceptQueue: number;
  /** Configured backlog, only known when the table came from `ss`. */
  backlog?: number;
}

/** The sockets of one server port at one instant. */
export interface SocketCensus {
  /** `performance.now()` when the table was read. */
  at: number;
  /**
   * Sockets whose local port is the server's port: the server's own, or,
   * for connections still in the accept queue, the kernel's on its behalf.
   */
  server: StateCounts;
  /**
   * Sockets whose remote port is the server's port: the tester's, and any
   * other client of the port on this host. `undefined` when the tester's
   * table could not be read.
   */
  tester?: StateCounts;
  /** The LISTEN row; `undefined` when no listener was seen. */
  listen?: ListenCensus;
  /**
   * Local ports of tester connections holding sent bytes that the server
   * has not acknowledged yet: ESTABLISHED on our side, tx_queue above 0,
   * retransmit timer running. Seen once this is ordinary (a delayed ACK
   * takes up to 40 ms); seen again in a later census it marks a half-open
   * connection (see `SocketWatch`).
   */
  unackedPorts: number[];
  /**
   * The server-side CLOSE_WAIT sockets one by one, to tell this run's from
   * older ones by identity (see `CloseWaitLedger`), not by count.
   */
  closeWait: SocketIdentity[];
  /**
   * Whether the server's rows carry inodes (`/proc/net/tcp`, `ss -e`): then a
   * row with inode 0 is a connection no process holds, still in the accept
   * queue, and a reused port's new socket has another inode than the old one.
   */
  inodes: boolean;
  /**
   * Our sockets whose FIN the server has not answered (FIN_WAIT1, FIN_WAIT2),
   * one by one; empty when the tester's table could not be read.
   */
  testerFin: TesterFinSocket[];
  /**
   * The source and destination address pair with the most of our sockets
   * toward the port (each holds one of that pair's client ports);
   * `undefined` when there were none or no tester table.
   */
  testerBusiest?: TesterAddressPair;
}

/** Our sockets from one local address to one server address. */
export interface TesterAddressPair {
  /** Our address. */
  source: string;
  /** The server's address. */
  address: string;
  /** Sockets in a census state between the two. */
  sockets: number;
}

/** `/proc/net/tcp` `timer_active` value of the retransmit timer. */
const RETRANSMIT_TIMER = 1;

/**
 * Counts zero for every state.
 *
 * @example
 * ```ts
 * import { emptyStateCounts } from "./census.ts";
 * console.assert(emptyStateCounts().CLOSE_WAIT === 0);
 * ```
 */
export function emptyStateCounts(): StateCounts {
  return Object.fromEntries(CENSUS_STATES.map((state) => [state, 0])) as StateCounts;
}

/** Options of {@link takeCensus}. */
export interface CensusOptions {
  /**
   * Rows of the tester's host, when they differ from the server's (remote
   * server read with `--server-sockets`). Default: the tester's sockets are
   * looked up in `serverRows`, as on one host. `null`: the tester's table
   * could not be read, so the census has no tester side.
   */
  testerRows?: SocketRow[] | null;
  /** Time stamp; default `performance.now()`. */
  at?: number;
}

/**
 * Counts the sockets of server port `port` from kernel socket rows.
 *
 * @example
 * ```ts
 * import { takeCensus } from "./census.ts";
 * const census = takeCensus([
 *   {
 *     localAddress: "127.0.0.1", localPort: 8080, remoteAddress: "127.0.0.1", remotePort: 40000,
 *     state: "CLOSE_WAIT", txQueue: 0, rxQueue: 1, timerActive: 0, retransmits: 0, inode: 7,
 *   },
 * ], 8080);
 * console.assert(census.server.CLOSE_WAIT === 1);
 * ```
 */
export function takeCensus(
  serverRows: SocketRow[],
  port: number,
  options: CensusOptions = {},
): SocketCensus {
  const server = emptyStateCounts();
  let listen: ListenCensus | undefined;
  const closeWait: SocketIdentity[] = [];
  let inodes = false;
  for (const row of serverRows) {
    if (row.localPort !== port) continue;
    // Every listener and accepted socket has one in /proc and ss -e; ss
    // without -e prints none at all.
    if (row.inode > 0) inodes = true;
    if (row.state === "CLOSE_WAIT") closeWait.push({ tuple: socketTuple(row), inode: row.inode });
    if (row.state === "LISTEN") {
      listen ??= { acceptQueue: 0 };
      listen.acceptQueue += row.rxQueue;
      // ss reports the backlog in Send-Q; /proc always shows 0 there.
      if (row.txQueue > 0) listen.backlog = Math.max(listen.backlog ?? 0, row.txQueue);
    } else if (isCensusState(row.state)) {
      server[row.state]++;
    } else if (row.state === "NEW_SYN_RECV") {
      server.SYN_RECV++;
    }
  }
  const testerRows = options.testerRows === undefined ? serverRows : options.testerRows;
  const tester = testerRows ? emptyStateCounts() : undefined;
  const unackedPorts: number[] = [];
  const testerFin: TesterFinSocket[] = [];
  // Client ports are handed out per address pair (and server port).
  const perPair = new Map<string, number>();
  for (const row of testerRows ?? []) {
    if (row.remotePort !== port || row.localPort === port) continue;
    if (isCensusState(row.state)) {
      tester![row.state]++;
      const pair = `${row.localAddress} ${row.remoteAddress}`;
      perPair.set(pair, (perPair.get(pair) ?? 0) + 1);
    }
    if (row.state === "ESTABLISHED" && row.txQueue > 0 && row.timerActive === RETRANSMIT_TIMER) {
      unackedPorts.push(row.localPort);
    }
    if (row.state === "FIN_WAIT1" || row.state === "FIN_WAIT2") {
      testerFin.push({ tuple: socketTuple(row), state: row.state, txQueue: row.txQueue });
    }
  }
  let testerBusiest: TesterAddressPair | undefined;
  for (const [pair, sockets] of perPair) {
    if (sockets <= (testerBusiest?.sockets ?? 0)) continue;
    const [source, address] = pair.split(" ");
    testerBusiest = { source, address, sockets };
  }
  return {
    at: options.at ?? performance.now(),
    server,
    tester,
    listen,
    unackedPorts,
    closeWait,
    inodes,
    testerFin,
    ...(testerBusiest && { testerBusiest }),
  };
}

function isCensusState(state: TcpState): state is CensusState {
  return (CENSUS_STATES as readonly TcpState[]).includes(state);
}
