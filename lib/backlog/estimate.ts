/**
 * Reads a {@link BacklogSweep}: the effective accept-queue capacity (the
 * largest clean burst), the knee (where p99 handshake reaches the SYN
 * retransmission timeout), the evidence of every failing burst, and which
 * limit bit: the application's listen backlog, somaxconn, the SYN backlog,
 * or the accept loop's speed.
 *
 * @module
 */

import { SYN_RETRANSMIT_AFTER_US } from "./burst.ts";
import type { BacklogSweep, BurstSummary } from "./sweep_result.ts";
import { capacityBracket, isCleanBurst } from "./capacity.ts";
import { unreliableBecause } from "./unreliable.ts";

/**
 * The limit a burst ran into first.
 *
 * - `application-backlog`: the accept queue held backlog + 1, the backlog
 *   the server passed to `listen()`.
 * - `somaxconn`: the same, with the backlog at `net.core.somaxconn`, the
 *   kernel's silent cap on every backlog.
 * - `syn-backlog`: SYNs dropped from a full SYN queue (syncookies off).
 * - `accept-loop`: the accept loop set the capacity: it absorbed far more
 *   than the queue during the burst, or connections failed with no kernel
 *   drop at all.
 * - `server-gone`: the server stopped answering during the sweep (a burst's
 *   connects were all refused): no capacity can be claimed.
 * - `not-reached`: no burst failed.
 * - `unknown`: the evidence fits none of the above (or is missing).
 */
export type BacklogLimit =
  | "application-backlog"
  | "somaxconn"
  | "syn-backlog"
  | "accept-loop"
  | "server-gone"
  | "not-reached"
  | "unknown";

/** What one failing burst showed. */
export interface BurstEvidence {
  /** Burst size. */
  size: number;
  /** Handshakes that needed a SYN retransmission. */
  synRetransmitted: number;
  /** Sessions reset. */
  resets: number;
  /** Handshakes that timed out. */
  connectTimeouts: number;
  /** Connects refused (ECONNREFUSED: nothing listened). */
  refused: number;
  /** Connections seen half-open; `null` without a census. */
  halfOpen: number | null;
  /** ListenOverflows delta (whole namespace); `null` unless local. */
  listenOverflows: number | null;
  /** ListenDrops delta (whole namespace); `null` unless local. */
  listenDrops: number | null;
  /** TCPReqQFullDrop delta: SYNs dropped from a full SYN queue; `null` unless local. */
  synQueueDrops: number | null;
  /** SyncookiesSent delta; `null` unless local. */
  syncookiesSent: number | null;
  /** Longest accept queue seen; `null` without a census. */
  acceptQueuePeak: number | null;
  /** p99 handshake, us. */
  p99Us: number;
}

/** The estimate of a sweep. */
export interface BacklogEstimate {
  /** `HOST:PORT` swept. */
  target: string;
  /**
   * Effective accept-queue capacity: the largest clean burst below the
   * smallest failing one. `null` when no burst below it was clean (the
   * capacity is below {@link firstFailing}), no burst completed, or the
   * estimate is {@link unreliable}.
   */
  capacity: number | null;
  /**
   * Why no capacity is claimed, in words that follow "capacity: ": `none
   * claimed: the server stopped answering after burst 32 (burst 64: 64 of 64
   * connects refused)`, or `estimate unreliable: the accept queue held 7
   * connections of the previous burst after 30.0s`. `null` when the
   * capacity stands.
   */
  unreliable: string | null;
  /** Smallest failing burst; `null`: no overflow up to {@link largestBurst}. */
  firstFailing: number | null;
  /** Largest burst that completed (0 when none did). */
  largestBurst: number;
  /** First burst whose p99 handshake reached the SYN retransmission timeout; `null` if none. */
  knee: number | null;
  /** That burst's p99 handshake, us. */
  kneeP99Us: number | null;
  /** The listener's backlog as the kernel holds it (`ss` Send-Q), when known. */
  configuredBacklog: number | null;
  /** What the queue alone should hold: backlog + 1 on Linux; `null` when the backlog is unknown. */
  expectedCapacity: number | null;
  /** Which limit bit. */
  limit: BacklogLimit;
  /** One line: what happened, in a server author's terms. */
  explanation: string;
  /** One line: what to change. */
  advice: string;
  /** Every failing burst, by size. */
  evidence: BurstEvidence[];
  /**
   * Bursts that started with connections of the previous burst still in the
   * accept queue (above the sweep's baseline): they had less room, so the
   * estimate is {@link unreliable}.
   */
  queueNotEmptyAtStart: number[];
}

/**
 * How far from backlog + 1 a capacity still counts as the queue's. The accept
 * loop takes connections while a burst arrives, so the capacity sits a little
 * above backlog + 1: measured on loopback, backlog 8 with one accept per
 * 50 ms held 10 (the accept pending when the burst began took one at once),
 * backlog 512 with one accept per 5 ms held 513.
 *
 * @example
 * ```ts
 * import { queueTolerance } from "./estimate.ts";
 * console.assert(queueTolerance(9) === 3 && queueTolerance(513) === 129);
 * ```
 */
export function queueTolerance(expectedCapacity: number): number {
  return Math.max(2, Math.ceil(expectedCapacity / 4));
}

/**
 * Estimates the accept-queue capacity of a sweep and names the limit.
 *
 * The capacity is bracketed between the largest clean burst and the smallest
 * failing one (see `capacityBracket`). With the backlog known (`ss`), the
 * kernel's rule gives the expected capacity, backlog + 1; then:
 *
 * 1. syncookies off and SYN-queue drops counted: the SYN backlog;
 * 2. failures with no kernel drop at all (no ListenOverflows, ListenDrops or
 *    half-open connection): resets mean the server itself gave up (accept
 *    loop); unanswered SYNs were lost before the listener (unknown: a
 *    firewall or rate limit);
 * 3. capacity within {@link queueTolerance} of backlog + 1: the backlog,
 *    or somaxconn when the backlog equals it (the kernel cut it there);
 * 4. capacity well above backlog + 1: the accept loop absorbed the rest;
 * 5. otherwise, or with the backlog unknown: unknown.
 *
 * @example
 * ```ts
 * import { estimateBacklog } from "./estimate.ts";
 * import { sweepBacklog } from "./sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("slow-accept", { backlog: 2 });
 * const sweep = await sweepBacklog(server.target, { sizes: [2, 8], refine: false, holdMs: 200 });
 * const estimate = estimateBacklog(sweep);
 * console.assert(estimate.capacity === 2 && estimate.firstFailing === 8);
 * console.log(estimate.limit, estimate.explanation); // application-backlog ...
 * ```
 */
export function estimateBacklog(sweep: BacklogSweep): BacklogEstimate {
  const complete = sweep.bursts.filter((burst) => !burst.interrupted)
    .sort((a, b) => a.size - b.size);
  const { largestClean, smallestFailing } = capacityBracket(complete);
  const knee = complete.find((burst) => burst.handshake.p99Us >= SYN_RETRANSMIT_AFTER_US);
  const failing = complete.filter((burst) => !isCleanBurst(burst));
  const backlog = sweep.configuredBacklog;
  const expected = backlog === null ? null : backlog + 1;
  const { unreliable, stale } = unreliableBecause(sweep);
  const gone = (sweep.serverGone ?? null) !== null;
  const base = {
    target: sweep.target,
    capacity: unreliable === null ? largestClean : null,
    unreliable,
    firstFailing: gone ? null : smallestFailing,
    largestBurst: complete.at(-1)?.size ?? 0,
    knee: knee?.size ?? null,
    kneeP99Us: knee?.handshake.p99Us ?? null,
    configuredBacklog: backlog,
    expectedCapacity: expected,
    evidence: failing.map(evidenceOf),
    queueNotEmptyAtStart: stale,
  };
  if (unreliable !== null) return { ...base, ...unjudged(sweep, unreliable) };
  return { ...base, ...judge(sweep, base, failing) };
}

function unjudged(sweep: BacklogSweep, unreliable: string): Verdict {
  if ((sweep.serverGone ?? null) !== null) {
    return {
      limit: "server-gone",
      explanation: `The ${unreliable.replace(/^none claimed: the /, "")}: connects are ` +
        "refused once nothing listens on the port, so no later burst could measure the queue.",
      advice: "Find out why the server died under the burst (its log, a crash or the OOM " +
        "killer: dmesg), fix that, and sweep again.",
    };
  }
  return {
    limit: "unknown",
    explanation: `The bursts were not measured on an empty queue: ${
      unreliable.replace(/^estimate unreliable: /, "")
    }, so a burst found less room than the queue has.`,
    advice: "Give a longer --queue-wait (the wait before each burst), or make the server " +
      "accept faster; a server that never accepts has no capacity to measure.",
  };
}

type Verdict = Pick<BacklogEstimate, "limit" | "explanation" | "advice">;

function judge(
  sweep: BacklogSweep,
  e: Omit<BacklogEstimate, keyof Verdict>,
  failing: BurstSummary[],
): Verdict {
  const { capacity, firstFailing, expectedCapacity: expected, configuredBacklog: backlog } = e;
  const somaxconn = sweep.sysctls?.somaxconn ?? null;
  const held = capacity === null ? `fewer than ${firstFailing}` : `${capacity}`;
  if (e.largestBurst === 0) {
    return {
      limit: "unknown",
      explanation: "No burst completed: nothing to estimate.",
      advice: "Run the sweep to the end (it was interrupted before the first burst finished).",
    };
  }
  if (firstFailing === null) {
    const queue = expected === null ? "" : ` (backlog + 1 = ${expected})`;
    return {
      limit: "not-reached",
      explanation: `No overflow up to the largest burst (${e.largestBurst}): the accept ` +
        `queue${queue} and the accept loop absorbed every burst.`,
      advice: `Sweep larger bursts (--burst ${e.largestBurst}..${
        Math.min(e.largestBurst * 4, 10_000)
      }) to find the limit, or keep these settings.`,
    };
  }

  const sum = (pick: (burst: BurstSummary) => number | null | undefined) =>
    failing.some((burst) => pick(burst) === null || pick(burst) === undefined)
      ? null
      : failing.reduce((total, burst) => total + pick(burst)!, 0);
  const synQueueDrops = sum((burst) => burst.counters?.tcpReqQFullDrop);
  if (sweep.sysctls?.tcpSyncookies === 0 && (synQueueDrops ?? 0) > 0) {
    const max = sweep.sysctls.tcpMaxSynBacklog;
    return {
      limit: "syn-backlog",
      explanation: `The SYN queue filled with syncookies off: ${synQueueDrops} SYNs dropped ` +
        `(TCPReqQFullDrop) from burst ${firstFailing} on; ${held} connects got through.`,
      advice: `Raise net.ipv4.tcp_max_syn_backlog (now ${max ?? "unknown"}) and the listen ` +
        `backlog (it bounds the SYN queue too), or turn net.ipv4.tcp_syncookies on.`,
    };
  }
  const overflows = sum((burst) => burst.counters?.listenOverflows);
  const drops = sum((burst) => burst.counters?.listenDrops);
  const halfOpen = sum((burst) => burst.halfOpen);
  if (overflows === 0 && drops === 0 && halfOpen === 0) {
    const lostSyns = failing.some((burst) => burst.synRetransmitted + burst.connectTimeouts > 0);
    return lostSyns
      ? {
        limit: "unknown",
        explanation: `SYNs went unanswered from burst ${firstFailing} on, yet the listener ` +
          `dropped none (no ListenOverflows or ListenDrops): they were lost before it.`,
        advice: "Look for a firewall or SYN rate limit (iptables, nftables, tc) between the " +
          "client and the server.",
      }
      : {
        limit: "accept-loop",
        explanation: `Connects failed from burst ${firstFailing} on while the kernel dropped ` +
          `nothing (no ListenOverflows, ListenDrops or half-open connection): the server ` +
          `itself reset or dropped connections it had queued.`,
        advice: "Check the accept loop and the handler under a burst: they reset or never " +
          "served connections the kernel had already completed.",
      };
  }
  if (expected === null) {
    return {
      limit: "unknown",
      explanation: `The accept queue overflowed at burst ${firstFailing} (${held} held), but ` +
        `the server's backlog is unknown, so the limit cannot be named.`,
      advice: sweep.local
        ? "Install ss (iproute2) and allow running it, so the backlog (Send-Q) can be read."
        : `Give --server-sockets "ssh HOST ss -tan" so the server's backlog can be read.`,
    };
  }
  const tolerance = queueTolerance(expected);
  // The capacity lies in [low, high]: from the largest clean burst to just below the first failing.
  const low = capacity ?? 0;
  const high = firstFailing - 1;
  if (low <= expected + tolerance && high >= expected - tolerance) {
    const atCap = somaxconn !== null && backlog === somaxconn;
    return atCap
      ? {
        limit: "somaxconn",
        explanation: `The accept queue held ${held} connects, the backlog + 1, and the ` +
          `backlog is net.core.somaxconn=${somaxconn}: the kernel cuts any larger listen() ` +
          `backlog to it; burst ${firstFailing} overflowed.`,
        advice: `Raise net.core.somaxconn (sysctl -w net.core.somaxconn=N) together with the ` +
          `backlog your server passes to listen().`,
      }
      : {
        limit: "application-backlog",
        explanation: `The accept queue held ${held} connects, the listen backlog ${backlog} + 1 ` +
          `(Linux queues backlog + 1); burst ${firstFailing} overflowed it.`,
        advice: `Raise the backlog your server passes to listen() (now ${backlog}; the kernel ` +
          `caps it at somaxconn=${somaxconn ?? "unknown"}), or accept faster.`,
      };
  }
  if (low > expected + tolerance) {
    return {
      limit: "accept-loop",
      explanation: `${held} connects got through, well above the queue's ${expected} (backlog ` +
        `${backlog} + 1): the accept loop took about ${
          low - expected
        } during the burst, and still fell behind at ${firstFailing}.`,
      advice: `Accept faster (a tight accept loop, more acceptors or SO_REUSEPORT listeners), ` +
        `or raise the backlog to hold a burst of ${firstFailing}.`,
    };
  }
  return {
    limit: "unknown",
    explanation: `Only ${held} connects got through, below the queue's ${expected} (backlog ` +
      `${backlog} + 1): something else drops connects first.`,
    advice: "Look for a firewall or SYN rate limit, a SYN-flood guard, or another listener " +
      "sharing the port (SO_REUSEPORT splits the burst between queues).",
  };
}

function evidenceOf(burst: BurstSummary): BurstEvidence {
  return {
    size: burst.size,
    synRetransmitted: burst.synRetransmitted,
    resets: burst.resets,
    connectTimeouts: burst.connectTimeouts,
    refused: burst.refused ?? burst.outcomes.refused ?? 0,
    halfOpen: burst.halfOpen,
    listenOverflows: burst.counters?.listenOverflows ?? null,
    listenDrops: burst.counters?.listenDrops ?? null,
    synQueueDrops: burst.counters?.tcpReqQFullDrop ?? null,
    syncookiesSent: burst.counters?.syncookiesSent ?? null,
    acceptQueuePeak: burst.acceptQueuePeak,
    p99Us: burst.handshake.p99Us,
  };
}
