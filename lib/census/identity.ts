/**
 * Sockets by identity across censuses: which server-side CLOSE_WAIT sockets
 * are this run's, which old ones disappeared, which are still queued or only
 * just accepted, and in which state our side of the connections our FIN left
 * waiting sits. Counts alone cannot tell: a new connection from a reused
 * client port resets the old CLOSE_WAIT on that 4-tuple (its SYN draws a
 * challenge ACK, our RST kills the old socket) and takes its place, so the
 * count stays the same while the server leaked one more.
 *
 * @module
 */

import type { SocketRow } from "./row.ts";
import type { SocketCensus } from "./census.ts";
import type { CloseWaitTrack, TesterFinTrack } from "./socket_report.ts";

/** One socket as the census tells it from others: its 4-tuple and inode. */
export interface SocketIdentity {
  /** Local and remote address and port, one string. */
  tuple: string;
  /** Its inode; 0 when no process holds it (not accepted yet), or the table has no inodes. */
  inode: number;
}

/** Our side of a connection whose FIN we sent and the server has not answered. */
export interface TesterFinSocket {
  /** Its 4-tuple (see {@link SocketIdentity}). */
  tuple: string;
  /** `FIN_WAIT1`: our FIN not acknowledged yet; `FIN_WAIT2`: acknowledged, no FIN back. */
  state: "FIN_WAIT1" | "FIN_WAIT2";
  /** Bytes not yet acknowledged, the FIN counting 1: above 1, bytes before it are unsent. */
  txQueue: number;
}

/**
 * A handler that closes after EOF does so one event-loop turn after its
 * read returns: an accepted socket still in CLOSE_WAIT this long after the
 * census first saw it accepted is held by a handler that will not close it.
 * Seen for less, it may be a slow accept loop's latest connection, about to
 * be closed (against a server accepting every 200 ms, a census lands in that
 * window now and then).
 */
export const CONFIRM_LEAK_AFTER_MS = 100;

/**
 * The 4-tuple of a row, as one string.
 *
 * @example
 * ```ts
 * import { parseSsTan } from "./ss.ts";
 * import { socketTuple } from "./identity.ts";
 * const [row] = parseSsTan("CLOSE-WAIT 1 0 127.0.0.1:8080 127.0.0.1:40000 ino:7\n");
 * console.assert(socketTuple(row) === "127.0.0.1 8080 127.0.0.1 40000");
 * ```
 */
export function socketTuple(row: SocketRow): string {
  return `${row.localAddress} ${row.localPort} ${row.remoteAddress} ${row.remotePort}`;
}

/**
 * Tracks the server's CLOSE_WAIT sockets by identity from the baseline on:
 * a socket with the baseline's 4-tuple and inode is old (so is one queued at
 * the baseline, inode 0, and accepted since); the same 4-tuple with another
 * inode is a new connection on a reused port. Without inodes (`ss -tan`
 * without `-e`) the 4-tuple alone decides.
 *
 * @example
 * ```ts
 * import { CloseWaitLedger } from "./identity.ts";
 * import { takeCensus } from "./census.ts";
 * import { parseSsTan } from "./ss.ts";
 * const census = (text: string, at: number) => takeCensus(parseSsTan(text), 8080, { at });
 * const ledger = new CloseWaitLedger();
 * ledger.baseline(census("CLOSE-WAIT 1 0 127.0.0.1:8080 127.0.0.1:40000 ino:7\n", 0));
 * const after = census("CLOSE-WAIT 1 0 127.0.0.1:8080 127.0.0.1:40000 ino:9\n", 500);
 * ledger.observe(after);
 * const track = ledger.track(after);
 * console.assert(track.added === 1 && track.baselineGone === 1);
 * ```
 */
export class CloseWaitLedger {
  #base = new Map<string, number>();
  #acceptedAt = new Map<string, number>();

  /** Takes the baseline census's CLOSE_WAIT sockets as the old ones. */
  baseline(census: SocketCensus): void {
    this.#base = new Map(census.closeWait.map((s) => [s.tuple, s.inode]));
    this.#acceptedAt.clear();
  }

  /** Records when each new accepted CLOSE_WAIT socket was first seen. */
  observe(census: SocketCensus): void {
    const seen = new Map<string, number>();
    for (const socket of this.#added(census)) {
      if (socket.inode === 0) continue;
      const key = `${socket.tuple} ${socket.inode}`;
      seen.set(key, this.#acceptedAt.get(key) ?? census.at);
    }
    this.#acceptedAt = seen;
  }

  /**
   * Whether `census` holds a new accepted CLOSE_WAIT socket first seen less
   * than {@link CONFIRM_LEAK_AFTER_MS} before it: one more census tells.
   */
  needsConfirmation(census: SocketCensus): boolean {
    return this.#justAccepted(census) > 0;
  }

  /** The CLOSE_WAIT track of `census` (the last one observed) against the baseline. */
  track(census: SocketCensus): CloseWaitTrack {
    const added = this.#added(census);
    const present = new Set(
      census.closeWait.filter((s) => isOld(this.#base, s, census.inodes)).map((s) => s.tuple),
    );
    let gone = 0;
    for (const tuple of this.#base.keys()) if (!present.has(tuple)) gone++;
    return {
      byInode: census.inodes,
      baseline: this.#base.size,
      baselineGone: gone,
      added: added.length,
      queued: census.inodes ? added.filter((s) => s.inode === 0).length : null,
      justAccepted: this.#justAccepted(census),
    };
  }

  #added(census: SocketCensus): SocketIdentity[] {
    return census.closeWait.filter((socket) => !isOld(this.#base, socket, census.inodes));
  }

  #justAccepted(census: SocketCensus): number {
    if (!census.inodes) return 0;
    let fresh = 0;
    for (const socket of this.#added(census)) {
      if (socket.inode === 0) continue;
      const since = this.#acceptedAt.get(`${socket.tuple} ${socket.inode}`) ?? census.at;
      if (census.at - since < CONFIRM_LEAK_AFTER_MS) fresh++;
    }
    return fresh;
  }
}

/**
 * Counts our sockets of `census` whose FIN went unanswered (FIN_WAIT1 or
 * FIN_WAIT2) and that were not there at the baseline (by 4-tuple: a client
 * 4-tuple cannot hold two sockets at once).
 *
 * @example
 * ```ts
 * import { testerFinTrack } from "./identity.ts";
 * import { takeCensus } from "./census.ts";
 * import { parseSsTan } from "./ss.ts";
 * const census = (text: string) => takeCensus(parseSsTan(text), 8080);
 * const end = census("FIN-WAIT-1 0 5000 127.0.0.1:40000 127.0.0.1:8080\n");
 * const track = testerFinTrack(end, census(""));
 * console.assert(track.finWait1 === 1 && track.finWait1Unsent === 1 && track.finWait2 === 0);
 * ```
 */
export function testerFinTrack(census: SocketCensus, baseline: SocketCensus): TesterFinTrack {
  const old = new Set(baseline.testerFin.map((s) => s.tuple));
  const track: TesterFinTrack = { finWait1: 0, finWait1Unsent: 0, finWait2: 0 };
  for (const socket of census.testerFin) {
    if (old.has(socket.tuple)) continue;
    if (socket.state === "FIN_WAIT2") {
      track.finWait2++;
    } else {
      track.finWait1++;
      if (socket.txQueue > 1) track.finWait1Unsent++;
    }
  }
  return track;
}

/**
 * Whether `now` holds a server-side CLOSE_WAIT socket that `baseline` did
 * not (by identity, as {@link CloseWaitLedger} tells old from new).
 *
 * @example
 * ```ts
 * import { hasNewCloseWait } from "./identity.ts";
 * import { takeCensus } from "./census.ts";
 * import { parseSsTan } from "./ss.ts";
 * const census = (text: string) => takeCensus(parseSsTan(text), 8080);
 * const old = census("CLOSE-WAIT 1 0 127.0.0.1:8080 127.0.0.1:40000 ino:7\n");
 * console.assert(!hasNewCloseWait(old, old));
 * console.assert(hasNewCloseWait(census("CLOSE-WAIT 1 0 127.0.0.1:8080 127.0.0.1:40000 ino:8\n"), old));
 * ```
 */
export function hasNewCloseWait(
  now: Pick<SocketCensus, "closeWait" | "inodes">,
  baseline: Pick<SocketCensus, "closeWait">,
): boolean {
  const base = new Map(baseline.closeWait.map((s) => [s.tuple, s.inode]));
  return now.closeWait.some((socket) => !isOld(base, socket, now.inodes));
}

/** Whether `socket` is one of `base` (4-tuple to inode): see {@link CloseWaitLedger}. */
function isOld(
  base: ReadonlyMap<string, number>,
  socket: SocketIdentity,
  inodes: boolean,
): boolean {
  const inode = base.get(socket.tuple);
  if (inode === undefined) return false;
  return !inodes || inode === socket.inode || inode === 0;
}
