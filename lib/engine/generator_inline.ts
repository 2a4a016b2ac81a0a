/**
 * A generator's share of one raw loop, run on the generator's main thread
 * instead of in a Web Worker behind `LoadRunner`. The share, the session
 * records, the tally and the report are the same; what goes is a second
 * V8 isolate and `LoadRunner`'s module graph (the `deno` engine, scripted
 * sessions, workers): measured on a generator holding 2,000 connections,
 * VmRSS 86 MB (RssAnon 35 MB) with them, bench/hold_bench.ts. A 100,000
 * connection hold runs 6 generators, so their baseline is most of its
 * memory.
 *
 * The loop never yields to the event loop, so the parent's stop (its end of
 * our stdin closes) is seen by `poll()` on stdin from inside the loop, and
 * progress is written synchronously by the caller.
 *
 * @module
 */

import type { GeneratorReport, GeneratorStart } from "./generators.ts";
import type { EncodedTally } from "./tally.ts";
import type { StopReason } from "./load.ts";
import { planWorkers } from "./plan.ts";
import type { SessionOptions } from "./session.ts";
import { SessionTally } from "./tally.ts";
import { TesterUsageSampler } from "./tester_usage.ts";
import { resolveDestinations } from "./raw/address.ts";
import { type Libc, LINUX, openLibc } from "./raw/libc.ts";
import { runRawShare } from "./raw/run_share.ts";
import { checkSourcesBind } from "./sources.ts";

export { runsInline } from "./inline_share.ts";

/** How often the loop looks at its stdin, ms: a stop is seen this late at most. */
const STDIN_POLL_MS = 10;

/** How {@link runInline} reports while it runs. */
export interface InlineHooks {
  /** A stop before the loop starts, or seen between its turns (the loop also polls stdin). */
  signal?: AbortSignal;
  /** Called with the progress at most this often, ms. */
  progressEveryMs: number;
  /** Progress: must write synchronously (the loop holds the thread). */
  onProgress(progress: { completed: number; failed: number; inFlight: number }): void;
}

/**
 * Runs `start` (see {@link runsInline}) to its end on this thread and returns
 * the generator's report. Closing this process's stdin stops it: the
 * sessions in flight end as `interrupted`, and the report still comes.
 *
 * @example
 * ```ts
 * import { runInline } from "./generator_inline.ts";
 * import { generatorStart } from "./generators.ts";
 * import { listenBelowEphemeral } from "../testing/reference_servers.ts";
 * // The loop holds this thread: a server here could not answer. No listener: refused.
 * const listener = listenBelowEphemeral();
 * const port = (listener.addr as Deno.NetAddr).port;
 * listener.close();
 * const report = await runInline(generatorStart(
 *   { hostname: "127.0.0.1", port, label: `127.0.0.1:${port}` },
 *   { concurrency: 2, sessions: 4, durationMs: null, rate: null, workers: 1 },
 *   { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000 },
 *   "raw",
 *   [],
 * ), { progressEveryMs: 200, onProgress: () => {} });
 * console.assert(report.tally.outcomes.refused === 4 && report.stoppedBy === "sessions");
 * ```
 */
export async function runInline(
  start: GeneratorStart,
  hooks: InlineHooks,
): Promise<GeneratorReport> {
  const { send, ...rest } = start.session;
  const session: SessionOptions = send === undefined
    ? rest
    : { ...rest, send: new Uint8Array(send) };
  const destinations = await resolveDestinations(start.target);
  checkSourcesBind(start.sources, destinations);
  // The same plan as LoadRunner's for a raw share of one worker.
  const [plan] = planWorkers(
    { ...start.shape, sessionsPerEventLoop: Infinity, workers: 1 },
    1,
  );
  const libc = openLibc();
  const stdinClosed = stdinWatch(libc);
  const usage = new TesterUsageSampler();
  let stoppedBy: StopReason | undefined;
  let testerLimitErrno: string | undefined;
  // The loop's own encoding, passed on as is: merging it here would decode
  // its histograms, which a record-only generator cannot (histogram_mode.ts).
  let tally: EncodedTally | undefined;
  let maxInFlight = 0;
  let lastProgress = 0;
  const begin = performance.now();
  try {
    runRawShare({ destinations, sources: [...start.sources], session, plan }, {
      stopped: () => {
        if (stoppedBy === undefined && (hooks.signal?.aborted || stdinClosed())) {
          stoppedBy = "signal";
        }
        return stoppedBy !== undefined;
      },
      post: (message) => {
        if (message.kind === "progress") {
          usage.sample(message.inFlight);
          const now = performance.now();
          if (now - lastProgress < hooks.progressEveryMs) return;
          lastProgress = now;
          const { completed, failed, inFlight } = message;
          hooks.onProgress({ completed, failed, inFlight });
        } else if (message.kind === "tester-limit") {
          // As LoadRunner: the tester's limit stops the sessions in flight too.
          testerLimitErrno ??= message.errno;
          stoppedBy ??= "tester-limit";
        } else if (message.kind === "done") {
          tally = message.tally;
          maxInFlight = message.maxInFlight;
          usage.eventLoop(message.loopCpu);
        }
      },
    });
  } finally {
    libc.close();
  }
  const durationMs = performance.now() - begin;
  const { sessions } = start.shape;
  tally ??= new SessionTally().encode();
  const { droppedStarts = 0 } = tally;
  return {
    tally,
    durationMs,
    // An open loop's dropped starts count towards its -n: they were its slots.
    stoppedBy: stoppedBy ??
      (sessions !== null && tally.sessions + droppedStarts >= sessions ? "sessions" : "duration"),
    testerLimitErrno,
    maxInFlightPerEventLoop: [maxInFlight],
    tester: usage.result(),
  };
}

/**
 * A check of whether our stdin was closed (the parent's stop, or its death),
 * a `poll()` of at most one every {@link STDIN_POLL_MS}: with no events asked
 * for, a pipe whose writer has gone still reports `POLLHUP`.
 */
function stdinWatch(libc: Libc): () => boolean {
  const pollfd = new Uint8Array(8); // struct pollfd { int fd = 0; short events = 0; short revents; }
  const view = new DataView(pollfd.buffer);
  let next = 0;
  let closed = false;
  return () => {
    if (closed) return true;
    const now = performance.now();
    if (now < next) return false;
    next = now + STDIN_POLL_MS;
    view.setInt16(6, 0, true);
    if (libc.symbols.poll(pollfd, 1n, 0) > 0) {
      closed = (view.getInt16(6, true) & (LINUX.POLLHUP | LINUX.POLLERR | LINUX.POLLNVAL)) !== 0;
    }
    return closed;
  };
}
