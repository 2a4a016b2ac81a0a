/**
 * One raw loop's share of a load, run on the calling thread and reported
 * in the messages of a worker: what a raw Web Worker does with its start
 * message (`worker.ts`), and what a generator process whose share is one
 * loop does on its own main thread (`../generator_main.ts`), so it needs no
 * second isolate.
 *
 * @module
 */

import { openLibc } from "./libc.ts";
import { runSessionLoop } from "./session_loop.ts";
import { loopCpuSince, threadCpuMs } from "./thread_cpu.ts";
import type { RawDestination } from "./loop_plan.ts";
import type { FromWorker, WorkerPlan } from "../plan.ts";
import { FAILING_OUTCOMES } from "../outcome.ts";
import type { SessionOptions } from "../session.ts";
import { progressMessage, workerTally } from "../worker_tally.ts";

/** A raw loop's share, as a runner gives it. */
export interface RawShare {
  /** The server's addresses (literals, resolved by the runner) and ports, taken in turn. */
  destinations: RawDestination[];
  /** Source addresses to bind, taken in turn; none: the kernel picks. */
  sources?: string[];
  /** What each session does. */
  session: SessionOptions;
  /** This loop's share. */
  plan: WorkerPlan;
  /** A burst: sockets are opened before `beforeStart` returns. @default {false} */
  prepare?: boolean;
}

/** How the share's caller follows it. */
export interface RawShareHooks {
  /** Polled every turn of the loop: true once the run must stop. */
  stopped(): boolean;
  /** Each message a raw worker would post: progress, tester-limit, done. */
  post(message: FromWorker): void;
  /** Called right before the first connect (a burst waits for its instant here). */
  beforeStart?(): void;
}

/**
 * Runs `share` to its end on this thread (the loop never yields to the
 * event loop) and posts its messages through `hooks`, "done" last.
 *
 * @example
 * ```ts
 * import { runRawShare } from "./run_share.ts";
 * import type { FromWorker } from "../plan.ts";
 * import { listenBelowEphemeral } from "../../testing/reference_servers.ts";
 * const listener = listenBelowEphemeral(); // a port that then has no listener
 * const port = (listener.addr as Deno.NetAddr).port;
 * listener.close();
 * const messages: FromWorker[] = [];
 * runRawShare({
 *   destinations: [{ address: "127.0.0.1", port }],
 *   session: { holdMs: 0, connectTimeoutMs: 1000, closeTimeoutMs: 1000 },
 *   plan: { index: 0, concurrency: 2, sessions: 2, durationMs: null, rate: null, rateOffsetMs: 0 },
 * }, { stopped: () => false, post: (m) => messages.push(m) });
 * const done = messages.at(-1)!;
 * console.assert(done.kind === "done" && done.maxInFlight === 2);
 * ```
 */
export function runRawShare(share: RawShare, hooks: RawShareHooks): void {
  const tally = workerTally(share.session, share.plan);
  const sentData = (share.session.send?.byteLength ?? 0) > 0 &&
    share.session.awaitResponse !== false;
  let failed = 0;
  let limitSaid = false;
  const libc = openLibc();
  try {
    const { plan } = share;
    const [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
    const { maxInFlight, starts, idleMs } = runSessionLoop(libc, {
      destinations: share.destinations,
      sources: share.sources,
      spreadFrom: plan.index,
      session: share.session,
      concurrency: plan.concurrency,
      sessions: plan.sessions,
      durationMs: plan.durationMs,
      rate: plan.rate,
      rateOffsetMs: plan.rateOffsetMs,
      ...(plan.stages && { stages: plan.stages, workers: plan.workers }),
      prepare: share.prepare ?? false,
    }, {
      beforeStart: hooks.beforeStart,
      stopped: hooks.stopped,
      onRecord: (record) => {
        tally.add(record, sentData);
        if (FAILING_OUTCOMES.has(record.outcome)) failed++;
        if (record.outcome === "tester-limit" && !limitSaid) {
          limitSaid = true;
          hooks.post({ kind: "tester-limit", errno: record.errno ?? "EUNKNOWN" });
        }
      },
      onProgress: (inFlight) => hooks.post(progressMessage(tally, failed, inFlight)),
    });
    if (starts) tally.countStarts(starts);
    const cpu = loopCpuSince(libc, cpuStart, wallStart);
    const loopCpu = cpu && { ...cpu, idleMs };
    hooks.post({ kind: "done", tally: tally.encode(), maxInFlight, ...(loopCpu && { loopCpu }) });
  } finally {
    libc.close();
  }
}
