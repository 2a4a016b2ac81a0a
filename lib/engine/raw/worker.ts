/**
 * Worker entry of the raw engine: one epoll loop per worker, one worker per
 * core, each driving its share of the sessions and reporting a tally in the
 * same messages as the `deno` engine's workers. Started by `LoadRunner`; not
 * for direct use.
 *
 * @module
 */

import { encodeSockaddr, LINUX, openLibc } from "./libc.ts";
import { SocketCalls } from "./socket_calls.ts";
import { runSessionLoop } from "./session_loop.ts";
import type { RawDestination } from "./loop_plan.ts";
import type { FromWorker, WorkerPlan } from "../plan.ts";
import type { SessionOptions } from "../session.ts";
import { runRawShare } from "./run_share.ts";

/** Runner to raw worker: the share to run; the stop flag is shared memory. */
export interface RawWorkerStart {
  /** Always `"start"`. */
  kind: "start";
  /** The server's addresses (literals, resolved by the runner) and ports, taken in turn. */
  destinations: RawDestination[];
  /** Source addresses to bind, taken in turn; none: the kernel picks. */
  sources?: string[];
  /** What each session does. */
  session: SessionOptions;
  /** This worker's share. */
  plan: WorkerPlan;
  /**
   * Shared `Int32Array` cell: non-zero means stop. The loop never yields to
   * its event loop, so a posted "stop" message would not be read in time.
   */
  stop: SharedArrayBuffer;
  /** Start at this wall-clock instant (`performance.timeOrigin` ms), for a burst. */
  startAt?: number;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<RawWorkerStart | { kind: "warm-up" | "stop" }>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "warm-up") {
    warmUp();
    scope.postMessage({ kind: "warmed" });
    return;
  }
  if (message.kind !== "start") return;
  const stop = new Int32Array(message.stop);
  runRawShare({
    destinations: message.destinations,
    sources: message.sources,
    session: message.session,
    plan: message.plan,
    // A burst opens its sockets before the shared instant: it is then
    // only connect() calls.
    prepare: message.startAt !== undefined,
  }, {
    beforeStart: () => waitUntil(message.startAt, stop),
    stopped: () => Atomics.load(stop, 0) !== 0,
    post: (m) => scope.postMessage(m),
  });
};
scope.postMessage({ kind: "ready" });

/** Sessions run through the loop before a burst, so its code is compiled when the burst fires. */
const WARM_UP_SESSIONS = 64;

/**
 * Runs a few sessions against a port with no listener (refused at once): a
 * burst's first connects then run compiled code, not the interpreter. The
 * port is one the kernel just handed out and released, so nothing listens.
 */
function warmUp(): void {
  const libc = openLibc();
  try {
    const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
    const any = encodeSockaddr("127.0.0.1", 0);
    libc.symbols.bind(fd, any, any.byteLength);
    const port = new SocketCalls(libc).localPort(fd) ?? 1;
    libc.symbols.close(fd);
    runSessionLoop(libc, {
      destinations: [{ address: "127.0.0.1", port }],
      session: { holdMs: 0, connectTimeoutMs: 200, closeTimeoutMs: 50 },
      concurrency: WARM_UP_SESSIONS,
      sessions: WARM_UP_SESSIONS,
      durationMs: null,
      rate: null,
      rateOffsetMs: 0,
    }, { stopped: () => false, onRecord: () => {} });
  } finally {
    libc.close();
  }
}

/**
 * Waits for the burst's shared instant without returning to the event loop:
 * `Atomics.wait` sleeps this thread to a millisecond or so, then a short spin
 * takes the last stretch, so every worker fires within a few hundred
 * microseconds of the others (on a thread of its own, a spin no longer
 * delays other workers the way it did when workers shared the event loops).
 */
function waitUntil(at: number | undefined, stop: Int32Array): void {
  if (at === undefined) return;
  const remaining = () => at - (performance.timeOrigin + performance.now());
  while (remaining() > 2 && Atomics.load(stop, 0) === 0) {
    Atomics.wait(stop, 0, 0, Math.max(1, remaining() - 2));
  }
  while (remaining() > 0 && Atomics.load(stop, 0) === 0) {
    // spin for the last two milliseconds
  }
}
