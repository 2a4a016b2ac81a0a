/**
 * Whether synfin itself, not the server, was the bottleneck of a run: from
 * the CPU each raw event loop used over its run (`TesterUsage.eventLoops`).
 * Plain data in, plain data out: reports and verdicts read it without
 * loading the engine.
 *
 * @module
 */

import type { EventLoopCpu, TesterUsage } from "./load.ts";

/** An event loop busy this share of its run or more could not have gone faster. */
export const SATURATED_LOOP_BUSY = 0.9;

/**
 * Whether synfin's own event loops set the pace: the share of its run each
 * raw loop was busy, when one of them reached {@link SATURATED_LOOP_BUSY}.
 * Busy is the time not spent waiting in `epoll_wait` (running, or ready to
 * run while the machine's cores were taken: on loopback the server shares
 * them, so a loop saturates below a whole core of CPU: 84% at C=10,000
 * here). A loop that never waits for events always had ready sessions
 * queued, so the server was waiting for synfin and every time after the
 * handshake (first byte, close) includes synfin's own queue. Scripted
 * sessions' loops are judged by their CPU share (their reactor's waits are
 * not counted). `null` when no loop was saturated, or when the engine did
 * not measure (deno).
 *
 * @example
 * ```ts
 * import { testerSaturation } from "./tester_saturation.ts";
 * const usage = {
 *   rssBeforeBytes: 0, rssPeakBytes: 0, peakInFlight: 0, bytesPerSessionInFlight: null,
 *   fdLimit: null, eventLoops: [
 *     { cpuMs: 840, wallMs: 1000, idleMs: 20 },
 *     { cpuMs: 500, wallMs: 1000, idleMs: 480 },
 *   ],
 * };
 * console.assert(testerSaturation(usage)?.join() === "0.98,0.52");
 * const idle = { ...usage, eventLoops: [{ cpuMs: 5, wallMs: 10, idleMs: 5 }] };
 * console.assert(testerSaturation(idle) === null);
 * ```
 */
export function testerSaturation(tester: TesterUsage): number[] | null {
  const busy = (tester.eventLoops ?? []).map(loopBusyShare);
  return busy.some((share) => share >= SATURATED_LOOP_BUSY) ? busy : null;
}

/**
 * The share of its run one event loop was busy (0 to 1): not waiting in
 * `epoll_wait`, or its CPU share where its waits were not counted.
 *
 * @example
 * ```ts
 * import { loopBusyShare } from "./tester_saturation.ts";
 * console.assert(loopBusyShare({ cpuMs: 600, wallMs: 1000, idleMs: 100 }) === 0.9);
 * console.assert(loopBusyShare({ cpuMs: 600, wallMs: 1000 }) === 0.6);
 * ```
 */
export function loopBusyShare(loop: EventLoopCpu): number {
  if (loop.wallMs <= 0) return 0;
  const used = loop.idleMs === undefined ? loop.cpuMs : loop.wallMs - loop.idleMs;
  return Math.min(1, Math.max(0, used / loop.wallMs));
}
