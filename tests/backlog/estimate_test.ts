/**
 * The backlog estimate: on real sockets against the slow-accept reference
 * server (backlog 8 and 512), and rule by rule on hand-built sweeps.
 */
import assert from "node:assert/strict";
import { estimateBacklog, queueTolerance } from "../../lib/backlog/estimate.ts";
import { isCleanBurst } from "../../lib/backlog/capacity.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import { SYN_RETRANSMIT_AFTER_US } from "../../lib/backlog/burst.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { backlog8Sweep, fakeBurst, fakeSweep } from "../support/backlog_fixtures.ts";

Deno.test("estimateBacklog: a slow accept loop behind listen(8) holds backlog + 1 (about 9)", async () => {
  await using server = await startReferenceServer("slow-accept", {
    backlog: 8,
    acceptDelayMs: 50,
  });
  // A short hold: the retransmitted SYNs find room after 1 s whatever it is,
  // and half-open detection is not what this test is about.
  const sweep = await sweepBacklog(server.target, { sizes: [8, 16], holdMs: 500 });
  const estimate = estimateBacklog(sweep);
  const seen = JSON.stringify(sweep.bursts.map((b) => [b.size, b.firstSyn, b.synRetransmitted]));
  assert.equal(sweep.configuredBacklog, 8);
  assert.equal(estimate.expectedCapacity, 9);
  assert.ok(
    estimate.capacity !== null && estimate.capacity >= 8 && estimate.capacity <= 11,
    `capacity ${estimate.capacity}: ${seen}`,
  );
  // The bisection narrowed 8..16 down to one connect.
  assert.equal(estimate.firstFailing, estimate.capacity + 1, seen);
  assert.ok(sweep.bursts.some((b) => b.stage === "refine"), seen);
  assert.equal(estimate.limit, "application-backlog", estimate.explanation);
  assert.match(estimate.explanation, /listen backlog 8 \+ 1/);
  assert.match(estimate.advice, /Raise the backlog/);
  // The knee: every failing burst here has 1 in 9 or more handshakes at 1 s.
  assert.equal(estimate.knee, estimate.firstFailing);
  assert.ok(estimate.kneeP99Us! >= SYN_RETRANSMIT_AFTER_US);
  // The evidence: every failing burst retransmitted SYNs; the kernel counted overflows.
  assert.deepEqual(
    estimate.evidence.map((e) => e.size),
    sweep.bursts.filter((b) => !isCleanBurst(b)).map((b) => b.size).sort((a, b) => a - b),
  );
  for (const evidence of estimate.evidence) {
    assert.ok(evidence.synRetransmitted > 0, JSON.stringify(evidence));
    assert.ok(evidence.listenOverflows! > 0, JSON.stringify(evidence));
    assert.ok(evidence.acceptQueuePeak! <= 9, JSON.stringify(evidence));
  }
  assert.deepEqual(estimate.queueNotEmptyAtStart, []);
});

Deno.test("estimateBacklog: listen(512) holds at least 512 connects", async () => {
  // One accept per ms: still far slower than a burst arrives (measured: 6
  // accepted while 1024 SYNs arrived in 32 ms), and the 512 queued
  // connections drain in under a second instead of half a minute.
  await using server = await startReferenceServer("slow-accept", {
    backlog: 512,
    acceptDelayMs: 1,
  });
  const sweep = await sweepBacklog(server.target, {
    sizes: [512, 1024],
    refine: false,
    holdMs: 500,
    connectTimeoutMs: 1500,
  });
  const estimate = estimateBacklog(sweep);
  const seen = JSON.stringify(sweep.bursts.map((b) => [b.size, b.firstSyn, b.synRetransmitted]));
  assert.equal(sweep.configuredBacklog, 512);
  assert.ok(
    estimate.limit === "not-reached" || (estimate.capacity !== null && estimate.capacity >= 512),
    `capacity ${estimate.capacity}, limit ${estimate.limit}: ${seen}`,
  );
  if (estimate.limit !== "not-reached") {
    assert.equal(estimate.limit, "application-backlog", `${estimate.explanation} ${seen}`);
  }
});

Deno.test("estimateBacklog: the rules, on hand-built sweeps", async (t) => {
  await t.step("backlog 8 as measured: capacity 10, the application backlog", () => {
    const estimate = estimateBacklog(backlog8Sweep());
    assert.equal(estimate.capacity, 10);
    assert.equal(estimate.firstFailing, 11);
    assert.equal(estimate.largestBurst, 32);
    assert.equal(estimate.knee, 11);
    assert.equal(estimate.kneeP99Us! >= SYN_RETRANSMIT_AFTER_US, true);
    assert.equal(estimate.limit, "application-backlog");
    assert.equal(estimate.unreliable, null);
    assert.deepEqual(estimate.evidence.map((e) => e.size), [11, 12, 16, 32]);
    assert.deepEqual(estimate.evidence[0], {
      size: 11,
      synRetransmitted: 1,
      resets: 0,
      connectTimeouts: 0,
      refused: 0,
      halfOpen: 0,
      listenOverflows: 1,
      listenDrops: 1,
      synQueueDrops: 0,
      syncookiesSent: 0,
      acceptQueuePeak: 9,
      p99Us: estimate.evidence[0].p99Us,
    });
  });

  await t.step("no failing burst: not reached, with a larger sweep suggested", () => {
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(256), fakeBurst(512)], { configuredBacklog: 512 }),
    );
    assert.equal(estimate.limit, "not-reached");
    assert.equal(estimate.capacity, 512);
    assert.equal(estimate.firstFailing, null);
    assert.equal(estimate.knee, null);
    assert.match(estimate.explanation, /No overflow up to the largest burst \(512\)/);
    assert.match(estimate.advice, /--burst 512\.\.2048/);
  });

  await t.step("backlog at somaxconn: somaxconn is the limit", () => {
    const over = fakeBurst(8192, {
      retransmitted: 4000,
      counters: { listenOverflows: 4000, listenDrops: 4000 },
    });
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(4096), over], { configuredBacklog: 4096 }),
    );
    assert.equal(estimate.limit, "somaxconn");
    assert.match(estimate.advice, /net\.core\.somaxconn/);
  });

  await t.step("capacity far above backlog + 1: the accept loop absorbed the rest", () => {
    const over = fakeBurst(2048, {
      retransmitted: 500,
      counters: { listenOverflows: 500, listenDrops: 500 },
    });
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(512), fakeBurst(1024), over], { configuredBacklog: 128 }),
    );
    assert.equal(estimate.limit, "accept-loop");
    assert.match(estimate.explanation, /took about 895 during the burst/);
  });

  await t.step("capacity within the tolerance of backlog + 1 is still the backlog", () => {
    assert.equal(queueTolerance(9), 3);
    const over = (size: number) =>
      fakeBurst(size, { retransmitted: size - 12, counters: { listenOverflows: 1 } });
    const at12 = estimateBacklog(fakeSweep([fakeBurst(12), over(13)]));
    assert.equal(at12.limit, "application-backlog");
    const at13 = estimateBacklog(fakeSweep([fakeBurst(13), over(14)]));
    assert.equal(at13.limit, "accept-loop");
  });

  await t.step("syncookies off and SYN-queue drops: the SYN backlog", () => {
    const over = fakeBurst(2048, {
      retransmitted: 300,
      counters: { listenDrops: 300, tcpReqQFullDrop: 300 },
    });
    const estimate = estimateBacklog(fakeSweep([fakeBurst(1024), over], {
      configuredBacklog: 4096,
      sysctls: { somaxconn: 4096, tcpMaxSynBacklog: 1024, tcpSyncookies: 0, tcpAbortOnOverflow: 0 },
    }));
    assert.equal(estimate.limit, "syn-backlog");
    assert.match(estimate.advice, /tcp_max_syn_backlog \(now 1024\)/);
  });

  await t.step("resets with no kernel drop: the server itself (accept loop)", () => {
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(16), fakeBurst(32, { resets: 5 })], { configuredBacklog: 4096 }),
    );
    assert.equal(estimate.limit, "accept-loop");
    assert.match(estimate.explanation, /kernel dropped nothing/);
  });

  await t.step("SYNs lost with no listener drop: lost before the listener", () => {
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(16), fakeBurst(32, { retransmitted: 3 })], {
        configuredBacklog: 4096,
      }),
    );
    assert.equal(estimate.limit, "unknown");
    assert.match(estimate.advice, /firewall/);
  });

  await t.step("capacity below backlog + 1 with overflows: unknown", () => {
    const over = fakeBurst(64, { retransmitted: 10, counters: { listenOverflows: 10 } });
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(32), over], { configuredBacklog: 512 }),
    );
    assert.equal(estimate.limit, "unknown");
    assert.match(estimate.explanation, /below the queue's 513/);
  });

  await t.step("a remote server without its backlog: unknown, and how to read it", () => {
    const remote = (size: number, retransmitted = 0) =>
      fakeBurst(size, { retransmitted, counters: null, halfOpen: null, peak: null });
    const estimate = estimateBacklog(fakeSweep([remote(16), remote(32, 4)], {
      local: false,
      sysctls: null,
      configuredBacklog: null,
    }));
    assert.equal(estimate.limit, "unknown");
    assert.equal(estimate.capacity, 16);
    assert.equal(estimate.expectedCapacity, null);
    assert.match(estimate.advice, /--server-sockets/);
    assert.equal(estimate.evidence[0].listenOverflows, null);
  });

  await t.step("the smallest burst failing: capacity null, still judged", () => {
    const estimate = estimateBacklog(fakeSweep([
      fakeBurst(16, { retransmitted: 6, counters: { listenOverflows: 6 } }),
    ]));
    assert.equal(estimate.capacity, null);
    assert.equal(estimate.firstFailing, 16);
    assert.equal(estimate.limit, "application-backlog");
    assert.match(estimate.explanation, /held fewer than 16 connects/);
  });

  await t.step("interrupted bursts are left out; none complete: unknown", () => {
    const estimate = estimateBacklog(fakeSweep([fakeBurst(16, { interrupted: true })]));
    assert.equal(estimate.largestBurst, 0);
    assert.equal(estimate.capacity, null);
    assert.equal(estimate.limit, "unknown");
  });

  await t.step("a burst that started on a queued backlog: named, and no number", () => {
    const estimate = estimateBacklog(
      fakeSweep([fakeBurst(16), fakeBurst(32, { queueAtStart: 5, queueWaitMs: 1250 })]),
    );
    assert.deepEqual(estimate.queueNotEmptyAtStart, [32]);
    assert.equal(estimate.capacity, null);
    assert.equal(estimate.limit, "unknown");
    assert.equal(
      estimate.unreliable,
      "estimate unreliable: the accept queue held 5 connections of the previous burst after 1.25s",
    );
  });

  await t.step("the queue counts from its length before the sweep (other clients)", () => {
    const sweep = fakeSweep([
      fakeBurst(16, { queueAtStart: 2 }),
      fakeBurst(32, { queueAtStart: 2 }),
    ], {
      acceptQueueBaseline: 2,
    });
    const estimate = estimateBacklog(sweep);
    assert.deepEqual(estimate.queueNotEmptyAtStart, []);
    assert.equal(estimate.unreliable, null);
    assert.equal(estimate.capacity, 32);
  });

  await t.step("the queue never drained before the next burst: no number", () => {
    const sweep = fakeSweep([fakeBurst(16, { retransmitted: 7 })], {
      stoppedBy: "queue-not-drained",
      queueNotDrained: { nextBurst: 8, held: 7, arriving: 0, baseline: 0, waitedMs: 30_000 },
    });
    const estimate = estimateBacklog(sweep);
    assert.equal(estimate.capacity, null);
    assert.equal(estimate.limit, "unknown");
    assert.equal(
      estimate.unreliable,
      "estimate unreliable: the accept queue held 7 connections of the previous burst after 30.0s",
    );
    assert.match(estimate.explanation, /not measured on an empty queue/);
    assert.match(estimate.advice, /--queue-wait/);
  });

  await t.step("the server stopped answering: no capacity, the refused burst as evidence", () => {
    const sweep = fakeSweep([fakeBurst(16), fakeBurst(32), fakeBurst(64, { refused: 64 })], {
      stoppedBy: "server-gone",
      serverGone: { refusedBurst: 64, refused: 64, lastAnsweredBurst: 32, answeredAgain: false },
    });
    const estimate = estimateBacklog(sweep);
    assert.equal(estimate.capacity, null);
    assert.equal(estimate.firstFailing, null);
    assert.equal(estimate.limit, "server-gone");
    assert.equal(
      estimate.unreliable,
      "none claimed: the server stopped answering after burst 32 (burst 64: 64 of 64 connects " +
        "refused)",
    );
    assert.match(estimate.explanation, /^The server stopped answering after burst 32/);
    assert.deepEqual(estimate.evidence.map((e) => [e.size, e.refused]), [[64, 64]]);
  });

  await t.step("the knee is the first burst whose p99 reaches the retransmission timeout", () => {
    // 1 of 1024 retransmitted: a failure, but p99 stays fast; 2048 has 2%.
    const estimate = estimateBacklog(fakeSweep([
      fakeBurst(512),
      fakeBurst(1024, { retransmitted: 1, counters: { listenOverflows: 1 } }),
      fakeBurst(2048, { retransmitted: 41, counters: { listenOverflows: 41 } }),
    ], { configuredBacklog: 511 }));
    assert.equal(estimate.firstFailing, 1024);
    assert.equal(estimate.knee, 2048);
  });
});
