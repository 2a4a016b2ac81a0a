/**
 * Worker entry: runs one share of a load in its own event loop and reports a
 * tally. Started by {@link LoadRunner}; not for direct use.
 *
 * @module
 */

import { type FromWorker, type ToWorker, type WorkerPlan } from "./load_plan.ts";
import { FAILING_OUTCOMES } from "./outcome.ts";
import { runSession, type SessionOptions } from "./session.ts";
import { SessionTally } from "./session_tally.ts";
import type { Target } from "./target.ts";

const PROGRESS_INTERVAL_MS = 250;

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = globalThis as unknown as WorkerScope;
const stop = new AbortController();

scope.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "stop") stop.abort();
  else if (message.kind === "start") {
    waitUntil(message.startAt)
      .then(() => runShare(message.target, message.session, message.plan))
      .then((done) => scope.postMessage(done));
  }
};
scope.postMessage({ kind: "ready" });

async function runShare(
  target: Target,
  session: SessionOptions,
  plan: WorkerPlan,
): Promise<FromWorker> {
  const tally = new SessionTally();
  const sentData = (session.send?.byteLength ?? 0) > 0 && session.awaitResponse !== false;
  const start = performance.now();
  const deadline = plan.durationMs === null ? Infinity : start + plan.durationMs;
  let claimed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let failed = 0;
  let limitHit = false;
  const mayStart = () =>
    !stop.signal.aborted && !limitHit && (plan.sessions === null || claimed < plan.sessions) &&
    performance.now() < deadline;

  const one = async (intendedStart?: number) => {
    claimed++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const record = await runSession(target, session, { signal: stop.signal, intendedStart });
    inFlight--;
    tally.add(record, sentData);
    if (FAILING_OUTCOMES.has(record.outcome)) failed++;
    if (record.outcome === "tester-limit" && !limitHit) {
      limitHit = true;
      scope.postMessage({ kind: "tester-limit", errno: record.errno ?? "EUNKNOWN" });
    }
  };

  const progress = setInterval(
    () => scope.postMessage({ kind: "progress", completed: tally.sessions, failed, inFlight }),
    PROGRESS_INTERVAL_MS,
  );
  try {
    if (plan.rate === null) {
      await Promise.all(Array.from({ length: plan.concurrency }, async () => {
        while (mayStart()) await one();
      }));
    } else {
      await openLoop(plan, start, mayStart, one, () => inFlight);
    }
  } finally {
    clearInterval(progress);
  }
  return { kind: "done", tally: tally.encode(), maxInFlight };
}

/**
 * Starts sessions at fixed intended times (wrk2-style). When every slot is
 * busy a session waits, and its handshake is still timed from its intended
 * start, so a slow server cannot hide behind a stalled generator
 * (coordinated omission).
 */
async function openLoop(
  plan: WorkerPlan,
  start: number,
  mayStart: () => boolean,
  one: (intendedStart: number) => Promise<void>,
  inFlight: () => number,
): Promise<void> {
  const intervalMs = 1000 / plan.rate!;
  const running = new Set<Promise<void>>();
  let next = start + plan.rateOffsetMs;
  let slotFreed: (() => void) | undefined;
  while (mayStart()) {
    const now = performance.now();
    if (next > now) {
      await sleep(next - now);
      continue;
    }
    if (inFlight() >= plan.concurrency) {
      await new Promise<void>((resolve) => slotFreed = resolve);
      continue;
    }
    const session = one(next).finally(() => {
      running.delete(session);
      slotFreed?.();
      slotFreed = undefined;
    });
    running.add(session);
    next += intervalMs;
  }
  await Promise.all(running);
}

/**
 * Waits for a wall-clock instant shared by all workers. A timer alone fires
 * up to a few ms late, and each worker late by a different amount; spinning
 * the last 2 ms aligns them to within tens of microseconds.
 */
async function waitUntil(at: number | undefined): Promise<void> {
  if (at === undefined) return;
  const now = () => performance.timeOrigin + performance.now();
  if (at - now() > 2) await sleep(at - now() - 2);
  while (now() < at) { /* spin */ }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
