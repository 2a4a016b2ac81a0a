/**
 * Judging bursts: whether one is clean (by the client's own evidence), how
 * many failure signs it shows, and the capacity bracket of a sweep (the
 * largest clean burst below the smallest failing one).
 *
 * @module
 */

import type { BurstSummary } from "./sweep_result.ts";

/**
 * Whether a burst is clean: no SYN retransmission, reset, connect timeout,
 * half-open connection, refusal or other error, judged on the client's own
 * evidence (its handshakes and outcomes, and the census of its own sockets).
 *
 * The kernel counters are not used: they count the whole network namespace,
 * so another server's overflow (a parallel test, a busy host) would dirty
 * this one; and every overflow that costs the client shows on its side
 * anyway: a dropped SYN as a handshake of 1 s or more, a dropped final ACK
 * as a half-open connection (unless the server completes it on our probe
 * byte's retransmission, about 200 ms later: a delay, not a loss; such a
 * burst also overflowed on later SYNs, which retransmit). `noFin` does not
 * count either: a connection waiting in the accept queue past the hold is
 * slow, not lost.
 *
 * @example
 * ```ts
 * import { isCleanBurst } from "./capacity.ts";
 * const burst = { synRetransmitted: 0, resets: 0, connectTimeouts: 0, otherFailures: 0, halfOpen: null };
 * console.assert(isCleanBurst(burst));
 * console.assert(!isCleanBurst({ ...burst, halfOpen: 2 }));
 * ```
 */
export function isCleanBurst(
  burst: Pick<
    BurstSummary,
    "synRetransmitted" | "resets" | "connectTimeouts" | "otherFailures" | "halfOpen"
  >,
): boolean {
  return burstFailures(burst) === 0;
}

/**
 * Failure signs of a burst: SYN retransmits + resets + connect timeouts +
 * half-open + other failures. A connection can show two signs (a reset after
 * a retransmitted SYN), so this is a count of signs, not of connections.
 *
 * @example
 * ```ts
 * import { burstFailures } from "./capacity.ts";
 * const burst = { synRetransmitted: 6, resets: 0, connectTimeouts: 1, otherFailures: 0, halfOpen: 2 };
 * console.assert(burstFailures(burst) === 9);
 * ```
 */
export function burstFailures(
  burst: Pick<
    BurstSummary,
    "synRetransmitted" | "resets" | "connectTimeouts" | "otherFailures" | "halfOpen"
  >,
): number {
  return burst.synRetransmitted + burst.resets + burst.connectTimeouts + burst.otherFailures +
    (burst.halfOpen ?? 0);
}

/** The capacity bracket of a sweep: see {@link capacityBracket}. */
export interface CapacityBracket {
  /** Largest clean burst below {@link smallestFailing}; `null` if none. */
  largestClean: number | null;
  /** Smallest failing burst; `null` when every burst was clean. */
  smallestFailing: number | null;
}

/**
 * Brackets the accept-queue capacity: the largest clean burst that is below
 * the smallest failing one, and that failing one. A clean burst above a
 * failing one (noise, or an accept loop that happened to keep up) does not
 * raise the capacity: the smallest failure is what a client can hit.
 * Interrupted bursts are left out.
 *
 * @example
 * ```ts
 * import { capacityBracket } from "./capacity.ts";
 * const b = (size: number, synRetransmitted: number) => ({
 *   size, synRetransmitted, resets: 0, connectTimeouts: 0, otherFailures: 0, halfOpen: 0,
 *   interrupted: false,
 * });
 * const bracket = capacityBracket([b(8, 0), b(16, 6), b(10, 0), b(12, 2)]);
 * console.assert(bracket.largestClean === 10 && bracket.smallestFailing === 12);
 * ```
 */
export function capacityBracket(
  bursts: readonly Pick<
    BurstSummary,
    | "size"
    | "synRetransmitted"
    | "resets"
    | "connectTimeouts"
    | "otherFailures"
    | "halfOpen"
    | "interrupted"
  >[],
): CapacityBracket {
  const complete = bursts.filter((burst) => !burst.interrupted);
  let smallestFailing: number | null = null;
  for (const burst of complete) {
    if (!isCleanBurst(burst) && (smallestFailing === null || burst.size < smallestFailing)) {
      smallestFailing = burst.size;
    }
  }
  let largestClean: number | null = null;
  for (const burst of complete) {
    if (!isCleanBurst(burst)) continue;
    if (smallestFailing !== null && burst.size >= smallestFailing) continue;
    if (largestClean === null || burst.size > largestClean) largestClean = burst.size;
  }
  return { largestClean, smallestFailing };
}
