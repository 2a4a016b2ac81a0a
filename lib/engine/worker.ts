/**
 * Worker entry: runs one share of a load in its own event loop and reports a
 * tally. Started by {@link LoadRunner}; not for direct use.
 *
 * @module
 */

import { delay } from "../base/delay.ts";
import { type FromWorker, type ToWorker, type WorkerPlan } from "./plan.ts";
import { FAILING_OUTCOMES } from "./outcome.ts";
import { runSession, type SessionOptions, type SessionRecord } from "./session.ts";
import { progressMessage, workerTally } from "./worker_tally.ts";
import { StartSchedule } from "./start_schedule.ts";
import { shareOf, stageTargetAt } from "./stages.ts";
import type { Target } from "../base/target.ts";
import type { EventLoopCpu } from "./load.ts";
import { takeChecks } from "./scripted/checks.ts";
import { GRACEFUL_STOP_MS } from "./scripted/graceful_stop.ts";
import { nodeSocketLayer } from "./scripted/node_socket.ts";
import { runScriptedSession } from "./scripted/run_scripted.ts";
import { loadScenario } from "./scripted/scenario_module.ts";
import type { SocketLayer } from "./scripted/socket.ts";
import { tlsSocketLayer } from "./scripted/tls_socket.ts";

const PROGRESS_INTERVAL_MS = 250;
/** How often a waiting session loop of a ramping stage looks at the target again. */
const STAGE_POLL_MS = 10;

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = globalThis as unknown as WorkerScope;
const stop = new AbortController();

scope.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "stop") stop.abort();
  else if (message.kind === "warm-up") {
    // A failed warm-up (out of fds, say) only costs precision: the burst
    // itself will report the error.
    warmUp().catch(() => {}).then(() => scope.postMessage({ kind: "warmed" }));
  } else if (message.kind === "start") {
    waitUntil(message.startAt)
      .then(() => runShare(message.target, message.session, message.plan, message.layer))
      .then((done) => scope.postMessage(done))
      .catch((error) =>
        scope.postMessage({ kind: "failed", message: String(error?.message ?? error) })
      );
  }
};
scope.postMessage({ kind: "ready" });

type RunOne = (index: number, intendedStart?: number) => Promise<SessionRecord>;

async function sessionRunner(
  target: Target,
  session: SessionOptions,
  layerName: "node" | "raw" | undefined,
): Promise<RunOne> {
  if (session.scenario === undefined) {
    return (sessionIndex, intendedStart) =>
      runSession(target, session, { signal: stop.signal, intendedStart, sessionIndex });
  }
  const scenario = (await loadScenario(session.scenario)).default;
  // Loaded only here: a deno-engine worker may run without FFI permission.
  const layer: SocketLayer = layerName === "raw"
    ? await rawLayer(session.traceLimit !== undefined)
    : session.tls
    ? tlsSocketLayer(session.tls)
    : nodeSocketLayer();
  const all = target.destinations ?? [target];
  const options = {
    connectTimeoutMs: session.connectTimeoutMs,
    closeTimeoutMs: session.closeTimeoutMs,
    params: { holdMs: session.holdMs, send: session.send, messageRate: session.messageRate },
  };
  return (index, intendedStart) =>
    runScriptedSession(layer, scenario, {
      to: all[index % all.length],
      index,
      intendedStart,
      signal: stop.signal,
    }, options);
}

async function rawLayer(tracing: boolean): Promise<SocketLayer> {
  const { openLibc } = await import("./raw/libc.ts");
  const { rawSocketLayer } = await import("./raw/raw_scenario_socket.ts");
  // Only a trace shows a session's local port, as in the built-in raw loop.
  return rawSocketLayer(openLibc(), { localPorts: tracing });
}

async function runShare(
  target: Target,
  session: SessionOptions,
  plan: WorkerPlan,
  layer: "node" | "raw" | undefined,
): Promise<FromWorker> {
  const tally = workerTally(session, plan);
  const runOne = await sessionRunner(target, session, layer);
  // The loop's CPU says whether synfin set the pace (tester_usage.ts); read
  // through libc, so only where FFI is granted, on either engine.
  const cpu = await threadCpuClock();
  const sentData = (session.send?.byteLength ?? 0) > 0 && session.awaitResponse !== false;
  const start = performance.now();
  const deadline = plan.durationMs === null ? Infinity : start + plan.durationMs;
  let claimed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let failed = 0;
  let limitHit = false;
  const running = () => !stop.signal.aborted && !limitHit;
  const mayStart = () =>
    running() && (plan.sessions === null || claimed < plan.sessions) &&
    performance.now() < deadline;

  const one = async (intendedStart?: number) => {
    claimed++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Unique across the workers, each starting at its own destination.
    const sessionIndex = plan.index + (claimed - 1) * (plan.workers ?? 1);
    const record = await runOne(sessionIndex, intendedStart);
    inFlight--;
    tally.add(record, sentData);
    if (FAILING_OUTCOMES.has(record.outcome)) failed++;
    if (record.outcome === "tester-limit" && !limitHit) {
      limitHit = true;
      scope.postMessage({ kind: "tester-limit", errno: record.errno ?? "EUNKNOWN" });
    }
  };

  // Scripted sessions keep their own time (a scenario may sleep): past the
  // time bound they get GRACEFUL_STOP_MS, then are stopped.
  const graceful = session.scenario !== undefined && plan.durationMs !== null
    ? setTimeout(() => stop.abort(), plan.durationMs + GRACEFUL_STOP_MS)
    : undefined;
  const progress = setInterval(
    () => scope.postMessage(progressMessage(tally, failed, inFlight)),
    PROGRESS_INTERVAL_MS,
  );
  let loopCpu: EventLoopCpu | null | undefined;
  try {
    if (plan.rate === null) {
      const { stages, workers = 1 } = plan;
      // Ramping concurrency: session loop `k` runs while `k` is under this
      // worker's share of the stage's target; past it, it waits.
      const inFlightTarget = stages
        ? () => shareOf(stageTargetAt(stages, performance.now() - start), plan.index, workers)
        : () => plan.concurrency;
      await Promise.all(Array.from({ length: plan.concurrency }, async (_, k) => {
        while (mayStart()) {
          if (k < inFlightTarget()) await one();
          else await delay(STAGE_POLL_MS, { signal: stop.signal });
        }
      }));
    } else {
      const staged = plan.stages && {
        stages: plan.stages,
        firstSlot: plan.index,
        stride: plan.workers ?? 1,
        rate: plan.rate * (plan.workers ?? 1),
      };
      const schedule = new StartSchedule({ ...plan, rate: plan.rate, ...staged }, start);
      await openLoop(plan.concurrency, schedule, running, one, () => inFlight);
      tally.countStarts(schedule);
    }
  } finally {
    clearInterval(progress);
    clearTimeout(graceful);
    // Closes the clock's libc even when the loop threw.
    loopCpu = cpu?.since();
  }
  tally.addChecks(takeChecks());
  return { kind: "done", tally: tally.encode(), maxInFlight, ...(loopCpu && { loopCpu }) };
}

/**
 * This thread's CPU from now on, through a libc of its own (closed by
 * `since`); `undefined` without FFI or off Linux.
 */
async function threadCpuClock(): Promise<{ since(): EventLoopCpu | null } | undefined> {
  const { openLibc, rawEngineUnavailable } = await import("./raw/libc.ts");
  if (rawEngineUnavailable() !== undefined) return undefined;
  const { loopCpuSince, threadCpuMs } = await import("./raw/thread_cpu.ts");
  const libc = openLibc();
  const [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
  return {
    since() {
      const loop = loopCpuSince(libc, cpuStart, wallStart);
      libc.close();
      return loop;
    },
  };
}

/**
 * Starts sessions at the schedule's intended times (wrk2-style, and each
 * handshake is timed from its intended start). A slot that comes due while
 * `cap` sessions are in flight is dropped, as k6 drops an arrival-rate
 * iteration with no free VU: waiting for a slot to free would start it late
 * and shift every later start too.
 */
async function openLoop(
  cap: number,
  schedule: StartSchedule,
  running: () => boolean,
  one: (intendedStart: number) => Promise<void>,
  inFlight: () => number,
): Promise<void> {
  const sessions = new Set<Promise<void>>();
  while (running() && !schedule.done) {
    const now = performance.now();
    if (!schedule.due(now)) {
      await delay(schedule.next - now);
      continue;
    }
    if (inFlight() >= cap) {
      schedule.drop();
      continue;
    }
    const session = one(schedule.start()).finally(() => sessions.delete(session));
    sessions.add(session);
  }
  await Promise.all(sessions);
}

/** Sessions each worker runs against its own listener before a burst. */
const WARM_UP_SESSIONS = 20;

/**
 * Runs a few sessions against a listener of this worker's own, so that a
 * burst's first connects do not pay for compiling the session code: in a
 * fresh event loop 100 sessions took 6.4 ms to start, then 2.0 ms once warm
 * (measured on the main thread). Against nginx, the median spread of the
 * connect calls of a 1024 burst (11 workers, 2 cores) fell from 42 ms to
 * 32 ms (7 bursts each; 50 warm-up sessions did no better than 20).
 */
async function warmUp(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      conn.read(new Uint8Array(64)).finally(() => conn.close()).catch(() => {});
    }
  })().catch(() => {});
  const own: Target = {
    hostname: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
    label: "",
  };
  const session: SessionOptions = {
    send: new Uint8Array([0x0a]),
    awaitResponse: false,
    holdMs: 0,
    connectTimeoutMs: 1000,
    closeTimeoutMs: 200,
  };
  await Promise.all(Array.from({ length: WARM_UP_SESSIONS }, () => runSession(own, session)));
  listener.close();
  await served;
}

/**
 * Waits for a wall-clock instant shared by all workers. No spinning for
 * precision: a burst has more workers than cores (11 for 1024 connects on
 * 2 cores), and spinning ones only delay the others (1024-connect spread
 * against nginx, medians of 9 bursts: 34 ms with a 2 ms spin, 31 ms without).
 */
async function waitUntil(at: number | undefined): Promise<void> {
  if (at === undefined) return;
  const wait = at - (performance.timeOrigin + performance.now());
  if (wait > 0) await delay(wait);
}
