/**
 * Tests for lib/engine/raw/session_loop.ts, through its worker
 * (lib/engine/raw/worker.ts) against the reference servers on loopback: the
 * loop holds its thread, so the servers run on this test's event loop while
 * the sessions run in the worker.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { FromWorker, WorkerPlan } from "../../../lib/engine/plan.ts";
import type { RawWorkerStart } from "../../../lib/engine/raw/worker.ts";
import type { RawDestination } from "../../../lib/engine/raw/loop_plan.ts";
import type { SessionOptions } from "../../../lib/engine/session.ts";
import { SessionTally } from "../../../lib/engine/tally.ts";
import { encodeSockaddr, LINUX, openLibc } from "../../../lib/engine/raw/libc.ts";
import { runSessionLoop } from "../../../lib/engine/raw/session_loop.ts";
import { SocketCalls } from "../../../lib/engine/raw/socket_calls.ts";
import {
  listenBelowEphemeral,
  type ReferenceServerKind,
  startReferenceServer,
} from "../../../lib/testing/reference_servers.ts";

const QUICK: SessionOptions = { holdMs: 0, connectTimeoutMs: 2000, closeTimeoutMs: 1000 };

interface RawShare {
  tally: SessionTally;
  maxInFlight: number;
  progress: number;
}

/**
 * Runs one raw worker's share against `address:port` (or every destination
 * of `address`, with `sources`) and returns its merged tally.
 */
async function runRawShare(
  address: string | { destinations: RawDestination[]; sources?: string[] },
  port: number,
  session: SessionOptions,
  plan: Partial<WorkerPlan>,
  stopAfterMs?: number,
): Promise<RawShare> {
  const spread = typeof address === "string" ? { destinations: [{ address, port }] } : address;
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(new URL("../../../lib/engine/raw/worker.ts", import.meta.url), {
    type: "module",
  });
  let progress = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<RawShare>((resolve, reject) => {
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.kind === "ready") {
          const start: RawWorkerStart = {
            kind: "start",
            ...spread,
            session,
            stop,
            plan: {
              index: 0,
              concurrency: 1,
              sessions: 1,
              durationMs: null,
              rate: null,
              rateOffsetMs: 0,
              ...plan,
            },
          };
          worker.postMessage(start);
          if (stopAfterMs !== undefined) {
            timer = setTimeout(() => Atomics.store(new Int32Array(stop), 0, 1), stopAfterMs);
          }
        } else if (message.kind === "progress") {
          progress++;
        } else if (message.kind === "done") {
          const tally = new SessionTally();
          tally.merge(message.tally);
          resolve({ tally, maxInFlight: message.maxInFlight, progress });
        }
      };
    });
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}

async function against(
  kind: ReferenceServerKind,
  session: SessionOptions,
  plan: Partial<WorkerPlan>,
): Promise<RawShare> {
  const server = await startReferenceServer(kind);
  try {
    return await runRawShare("127.0.0.1", server.target.port, session, plan);
  } finally {
    await server.close();
  }
}

Deno.test("raw loop: a well-behaved server gives clean sessions with every phase timed", async () => {
  const { tally } = await against("well-behaved", QUICK, { concurrency: 20, sessions: 200 });
  assert.equal(tally.sessions, 200);
  assert.equal(tally.outcomes.clean, 200);
  assert.equal(tally.histograms.handshake.count, 200);
  assert.equal(tally.histograms.close.count, 200);
  assert.equal(tally.errors.length, 0);
  // TCP_INFO, per session: no SYN retransmitted on loopback, our FIN sent from ESTABLISHED.
  assert.equal(tally.kernel.sessions, 200);
  assert.equal(tally.kernel.synRetransmits, 0);
  assert.equal(tally.kernel.closeWaitBeforeFin, 0);
});

Deno.test("raw loop: more than 128 sessions in flight in one loop do not stall", async () => {
  // Past about 128 operations in flight one Deno event loop stalls some of them
  // (docs/tcp-facts.md); the raw loop has no such limit.
  const { tally, maxInFlight } = await against("well-behaved", QUICK, {
    concurrency: 300,
    sessions: 300,
  });
  assert.equal(maxInFlight, 300);
  assert.equal(tally.outcomes.clean, 300);
  assert.ok(tally.histograms.handshake.percentile(100) < 500_000, "no handshake waits for the run");
});

Deno.test("raw loop: a payload is echoed and its first byte timed", async () => {
  const send = new TextEncoder().encode("hello\n");
  const { tally } = await against("well-behaved", { ...QUICK, send }, {
    concurrency: 5,
    sessions: 20,
  });
  assert.equal(tally.outcomes.clean, 20);
  assert.equal(tally.histograms.firstByte.count, 20);
  assert.equal(tally.noResponse, 0);
});

Deno.test("raw loop: a leaky server's missing FIN ends sessions as no-fin", async () => {
  const { tally } = await against("leaky", { ...QUICK, closeTimeoutMs: 200 }, {
    concurrency: 10,
    sessions: 10,
  });
  assert.equal(tally.outcomes["no-fin"], 10);
  // The server's kernel acknowledged every FIN: its application never closed.
  assert.equal(tally.kernel.noFinAcked, 10);
  assert.equal(tally.kernel.noFinUnacked, 0);
});

Deno.test("raw loop: an RST answering our FIN is a reset in the close phase", async () => {
  const { tally } = await against("reset", QUICK, { concurrency: 10, sessions: 10 });
  assert.equal(tally.outcomes.reset, 10);
  assert.ok(tally.errors.every((group) => group.phase === "close"));
});

Deno.test("raw loop: with a dwell, a server that closes first is seen closing first", async () => {
  const { tally } = await against("closes-first", { ...QUICK, holdMs: 1000 }, {
    concurrency: 10,
    sessions: 50,
  });
  assert.equal(tally.outcomes["server-closed-first"], 50);
});

Deno.test("raw loop: a port with no listener gives refused", async () => {
  const listener = listenBelowEphemeral();
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const { tally } = await runRawShare("127.0.0.1", port, QUICK, { concurrency: 3, sessions: 6 });
  assert.equal(tally.outcomes.refused, 6);
  assert.deepEqual(tally.errors.map((g) => [g.phase, g.errno]), [
    ["handshake", "ECONNREFUSED"],
  ]);
});

Deno.test("raw loop: IPv6 loopback works", async () => {
  const server = await startReferenceServer("well-behaved", { hostname: "::1" });
  try {
    const { tally } = await runRawShare("::1", server.target.port, QUICK, {
      concurrency: 5,
      sessions: 25,
    });
    assert.equal(tally.outcomes.clean, 25);
  } finally {
    await server.close();
  }
});

Deno.test("raw loop: the stop flag ends open sessions as interrupted and returns", async () => {
  const server = await startReferenceServer("leaky");
  try {
    const started = performance.now();
    const { tally, progress } = await runRawShare(
      "127.0.0.1",
      server.target.port,
      { ...QUICK, closeTimeoutMs: 10_000 },
      { concurrency: 5, sessions: null, durationMs: 20_000 },
      600,
    );
    assert.ok(performance.now() - started < 5000, "returned well before its bounds");
    assert.equal(tally.outcomes.interrupted, 5);
    assert.ok(progress >= 1, "progress is posted while the loop holds its thread");
  } finally {
    await server.close();
  }
});

Deno.test("raw loop: open loop starts sessions at the planned rate", async () => {
  const { tally } = await against("well-behaved", QUICK, {
    concurrency: 10,
    sessions: null,
    durationMs: 1000,
    rate: 200,
  });
  // 200/s for 1 s: the loop starts at most one more than planned.
  assert.ok(tally.sessions >= 190 && tally.sessions <= 201, String(tally.sessions));
  assert.equal(tally.outcomes.clean, tally.sessions);
});

Deno.test("raw loop: opening more sessions than one epoll batch holds does not time their handshakes out", () => {
  // 10,000 connects into 3 listeners with deep backlogs (somaxconn 4096):
  // the kernel completes every handshake at once, nobody accepts. The loop's
  // hooks are slowed (0.05 ms a call) so the opening spans more than the
  // connect timeout while one batch of 1,024 takes 30% of it, as a real
  // connect() is slow when a destination's ephemeral ports fill up (20,000
  // toward one ip:port: ~4 ms a call). The loop must look at its events
  // while it opens, and count each connect timeout from its own call. The
  // hold keeps FINs out of the opening's epoll batches.
  const libc = openLibc();
  const c = libc.symbols;
  const listeners = Array.from({ length: 3 }, () => {
    const fd = c.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
    const any = encodeSockaddr("127.0.0.1", 0);
    assert.equal(c.bind(fd, any, any.byteLength), 0);
    assert.equal(c.listen(fd, 4096), 0);
    return fd;
  });
  const calls = new SocketCalls(libc);
  const destinations = listeners.map((fd) => ({
    address: "127.0.0.1",
    port: calls.localPort(fd)!,
  }));
  const outcomes: Record<string, number> = {};
  // Slow for the opening only: one call before each open, one as each
  // session starts its hold.
  let slowCalls = 20_000;
  const slow = () => {
    const until = performance.now() + (slowCalls-- > 0 ? 0.05 : 0);
    while (performance.now() < until) { /* a slow connect() */ }
    return false;
  };
  try {
    runSessionLoop(libc, {
      destinations,
      session: { holdMs: 1200, connectTimeoutMs: 350, closeTimeoutMs: 20 },
      concurrency: 10_000,
      sessions: 10_000,
      durationMs: null,
      rate: null,
      rateOffsetMs: 0,
    }, {
      stopped: slow,
      onRecord: (r) => outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1,
    });
  } finally {
    for (const fd of listeners) c.close(fd);
    libc.close();
  }
  // Nobody accepted, so nobody answered our FIN: every session is no-fin.
  assert.deepEqual(outcomes, { "no-fin": 10_000 });
});

Deno.test("raw loop: a handshake the kernel finished inside connect() is timed then, not when the loop reaches its event", () => {
  // 2,000 connects into a listener nobody accepts from (the kernel completes
  // each handshake inside connect() on loopback). Each open is slowed by 0.05
  // ms, so one batch of 1,024 opens takes ~50 ms before the loop reads any
  // event: timed at the event, the median handshake would be ~25 ms.
  const libc = openLibc();
  const c = libc.symbols;
  const listener = c.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
  const any = encodeSockaddr("127.0.0.1", 0);
  assert.equal(c.bind(listener, any, any.byteLength), 0);
  assert.equal(c.listen(listener, 4096), 0);
  const port = new SocketCalls(libc).localPort(listener)!;
  const handshakes: number[] = [];
  const synRetransmits: number[] = [];
  const slow = () => {
    const until = performance.now() + 0.05;
    while (performance.now() < until) { /* the loop's own work between connects */ }
    return false;
  };
  try {
    runSessionLoop(libc, {
      destinations: [{ address: "127.0.0.1", port }],
      session: { holdMs: 0, connectTimeoutMs: 2000, closeTimeoutMs: 20 },
      concurrency: 2000,
      sessions: 2000,
      durationMs: null,
      rate: null,
      rateOffsetMs: 0,
    }, {
      stopped: slow,
      onRecord: (r) => {
        if (r.handshakeUs !== undefined) handshakes.push(r.handshakeUs);
        if (r.kernel) synRetransmits.push(r.kernel.synRetransmits);
      },
    });
  } finally {
    c.close(listener);
    libc.close();
  }
  assert.equal(handshakes.length, 2000);
  assert.equal(synRetransmits.length, 2000, "TCP_INFO kept for every session");
  handshakes.sort((a, b) => a - b);
  const p50 = handshakes[1000];
  assert.ok(p50 < 2000, `handshake p50 ${p50.toFixed(0)} us: the loop's queue, not the kernel's`);
});
