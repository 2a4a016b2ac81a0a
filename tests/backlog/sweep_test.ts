/**
 * The backlog sweep: burst-size parsing, the clean/failing rule and the
 * capacity bracket, and real sweeps against reference servers (a clean one,
 * one that never accepts, and one stopped by its signal).
 */
import assert from "node:assert/strict";
import { burstFailures, capacityBracket, isCleanBurst } from "../../lib/backlog/capacity.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import {
  BACKLOG_SWEEP_DEFAULTS,
  DEFAULT_BURST_SIZES,
  MAX_BURST_SIZE,
  parseBurstSizes,
} from "../../lib/backlog/sweep_options.ts";
import { BACKLOG_SWEEP_VERSION, type BurstSummary } from "../../lib/backlog/sweep_result.ts";
import { UsageError } from "../../lib/base/errors.ts";
import { LatencyHistogram } from "../../lib/engine/histogram.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { fakeBurst } from "../support/backlog_fixtures.ts";

Deno.test("parseBurstSizes: ranges double, lists sort, errors name the text", async (t) => {
  await t.step("a range doubles from its start and ends on its end", () => {
    assert.deepEqual(parseBurstSizes("64..2048"), [64, 128, 256, 512, 1024, 2048]);
    assert.deepEqual(parseBurstSizes("100..1000"), [100, 200, 400, 800, 1000]);
    assert.deepEqual(parseBurstSizes("16..16"), [16]);
    assert.deepEqual(parseBurstSizes(" 1..4 "), [1, 2, 4]);
  });
  await t.step("a list is sorted and deduplicated; one size is a list of one", () => {
    assert.deepEqual(parseBurstSizes("400,100,200,100"), [100, 200, 400]);
    assert.deepEqual(parseBurstSizes("512"), [512]);
    assert.deepEqual(parseBurstSizes(`1,${MAX_BURST_SIZE}`), [1, MAX_BURST_SIZE]);
  });
  await t.step("the default doubles from 16 to 4096", () => {
    assert.deepEqual(DEFAULT_BURST_SIZES, parseBurstSizes("16..4096"));
    assert.equal(DEFAULT_BURST_SIZES.length, 9);
  });
  await t.step("bad specs are usage errors that quote the text", () => {
    const cases: [string, RegExp][] = [
      ["", /no size given/],
      ["abc", /"abc" is not a whole number/],
      ["64..", /a size is missing/],
      ["..64", /a size is missing/],
      ["2048..64", /runs backwards \(2048 > 64\)/],
      ["0", /0 is outside 1\.\.10000/],
      ["10001", /10001 is outside 1\.\.10000/],
      ["16..20000", /20000 is outside/],
      ["1.5", /"1\.5" is not a whole number/],
      ["100,,200", /a size is missing/],
      ["-5", /"-5" is not a whole number/],
      ["64...128", /"\.128" is not a whole number/],
    ];
    for (const [spec, why] of cases) {
      assert.throws(() => parseBurstSizes(spec), (error: unknown) => {
        assert.ok(error instanceof UsageError, `${spec}: ${error}`);
        assert.equal(error.name, "UsageError");
        assert.ok(error.message.startsWith(`Invalid --burst "${spec}": `), error.message);
        assert.match(error.message, why);
        return true;
      });
    }
  });
});

Deno.test("isCleanBurst, burstFailures and capacityBracket", async (t) => {
  await t.step("any retransmit, reset, timeout, half-open or other failure dirties a burst", () => {
    assert.ok(isCleanBurst(fakeBurst(16)));
    assert.ok(isCleanBurst(fakeBurst(16, { halfOpen: null })), "no census is not a failure");
    for (
      const dirty of [
        fakeBurst(16, { retransmitted: 1 }),
        fakeBurst(16, { resets: 1 }),
        fakeBurst(16, { connectTimeouts: 1 }),
        fakeBurst(16, { halfOpen: 1 }),
        { ...fakeBurst(16), otherFailures: 1 },
      ]
    ) assert.ok(!isCleanBurst(dirty), JSON.stringify(dirty));
  });
  await t.step("no-fin and the namespace counters do not", () => {
    const burst: BurstSummary = {
      ...fakeBurst(512, { counters: { listenOverflows: 40, listenDrops: 40 } }),
      noFin: 100,
    };
    assert.ok(isCleanBurst(burst));
  });
  await t.step("failures add the signs up", () => {
    const burst = fakeBurst(32, { retransmitted: 6, connectTimeouts: 2, resets: 1, halfOpen: 3 });
    assert.equal(burstFailures(burst), 12);
  });
  await t.step("the bracket is the largest clean burst below the smallest failing one", () => {
    const clean = (size: number) => fakeBurst(size);
    const failing = (size: number) => fakeBurst(size, { retransmitted: 1 });
    assert.deepEqual(capacityBracket([]), { largestClean: null, smallestFailing: null });
    assert.deepEqual(capacityBracket([clean(16), clean(32)]), {
      largestClean: 32,
      smallestFailing: null,
    });
    assert.deepEqual(capacityBracket([failing(16), failing(32)]), {
      largestClean: null,
      smallestFailing: 16,
    });
    // A clean burst above the first failure (the accept loop got lucky) does not count.
    assert.deepEqual(capacityBracket([clean(16), failing(32), clean(64), failing(128)]), {
      largestClean: 16,
      smallestFailing: 32,
    });
    assert.deepEqual(
      capacityBracket([clean(16), failing(32), fakeBurst(24, { interrupted: true })]),
      { largestClean: 16, smallestFailing: 32 },
      "an interrupted burst is left out",
    );
  });
});

Deno.test("sweepBacklog: a well-behaved server takes every burst clean", async () => {
  await using server = await startReferenceServer("well-behaved");
  const calls: [number, number, number][] = [];
  const starts: [number, number, number][] = [];
  const sweep = await sweepBacklog(server.target, {
    sizes: [24, 6, 24],
    holdMs: 300,
    onBurstStart: (size, index, total) => starts.push([size, index, total]),
    onBurst: (burst, index, total) => calls.push([burst.size, index, total]),
  });
  assert.equal(sweep.version, BACKLOG_SWEEP_VERSION);
  assert.equal(sweep.target, server.target.label);
  assert.ok(!Number.isNaN(Date.parse(sweep.startedAt)));
  assert.equal(sweep.local, true);
  assert.ok(sweep.sysctls, "local: the sysctls are read");
  assert.equal(typeof sweep.sysctls.somaxconn, "number");
  assert.equal(sweep.configuredBacklog, Math.min(4096, sweep.sysctls.somaxconn!));
  assert.equal(sweep.censusUnavailable, null);
  assert.equal(sweep.stoppedBy, "sizes");
  assert.equal(sweep.interrupted, false);
  assert.equal(sweep.acceptQueueBaseline, 0);
  assert.equal(sweep.serverGone, null);
  assert.equal(sweep.queueNotDrained, null);
  assert.deepEqual(sweep.settings.sizes, [6, 24], "sizes run ascending, once each");
  assert.equal(sweep.settings.holdMs, 300);
  assert.deepEqual(sweep.bursts.map((b) => b.size), [6, 24]);
  assert.deepEqual(starts, [[6, 0, 2], [24, 1, 2]]);
  assert.deepEqual(calls, [[6, 0, 2], [24, 1, 2]]);
  for (const burst of sweep.bursts) {
    assert.ok(isCleanBurst(burst), JSON.stringify(burst));
    assert.equal(burst.stage, "sweep");
    assert.equal(burst.firstSyn, burst.size);
    assert.equal(burst.outcomes.clean, burst.size);
    assert.equal(burst.halfOpen, 0);
    assert.equal(burst.settled, true);
    assert.equal(burst.acceptQueueAtStart, 0);
    assert.equal(burst.refused, 0);
    assert.ok(burst.queueWaitMs !== null && burst.queueWaitMs < 1000, `${burst.queueWaitMs}`);
    assert.ok(burst.counters, "a local server has counter deltas");
    assert.ok(burst.eventLoops >= 2);
    assert.ok(burst.spreadMs >= 0 && burst.spreadMs < 1000, `spread ${burst.spreadMs}`);
    assert.ok(burst.durationMs >= 300);
    assert.equal(burst.handshake.count, burst.size);
    assert.ok(burst.handshake.p99Us < 900_000);
    // The encoded histogram holds every handshake: it can be merged later.
    const decoded = LatencyHistogram.decode(burst.handshake.histogram);
    assert.equal(decoded.count, burst.size);
    assert.equal(decoded.stats().p99Us, burst.handshake.p99Us);
  }
  // Every clean: nothing to bisect.
  assert.ok(sweep.bursts.every((b) => b.stage === "sweep"));
  assert.deepEqual(JSON.parse(JSON.stringify(sweep)), sweep, "plain JSON data");
});

Deno.test("sweepBacklog: against a full queue it stops after failing bursts and bisects within its budget", async () => {
  // Never accepts: the queue keeps every connection, so after the first
  // burst each one finds it full. Every later burst must fail. No wait for
  // the queue (it would never drain: see queue_wait_test.ts).
  await using server = await startReferenceServer("never-accepts", { backlog: 3 });
  const totals: number[] = [];
  const sweep = await sweepBacklog(server.target, {
    sizes: [2, 8, 16, 32],
    holdMs: 200,
    connectTimeoutMs: 1300,
    closeTimeoutMs: 200,
    census: { drainMs: 200 },
    pauseMs: 0,
    stopAfterFailing: 2,
    maxRefineBursts: 2,
    queueWaitMs: 0,
    onBurst: (_burst, _index, total) => totals.push(total),
  });
  assert.equal(sweep.stoppedBy, "failing-bursts");
  assert.deepEqual(
    sweep.bursts.map((b) => [b.size, b.stage]),
    [[2, "sweep"], [8, "sweep"], [16, "sweep"], [5, "refine"], [3, "refine"]],
  );
  // The plan shrinks as the sweep stops, then follows the bisection budget.
  assert.deepEqual(totals, [4, 6, 5, 5, 5]);
  const [first, ...rest] = sweep.bursts;
  assert.ok(isCleanBurst(first), JSON.stringify(first));
  assert.equal(first.acceptQueueAtStart, 0);
  // Settled means back to the burst's own baseline: only the first failing
  // burst found the queue emptier than it left it.
  assert.equal(rest[0].settled, false, "a server that never accepts never drains");
  for (const burst of rest) {
    assert.ok(!isCleanBurst(burst), `burst ${burst.size} should fail`);
    assert.ok(burst.synRetransmitted + burst.connectTimeouts > 0);
    assert.ok(burst.acceptQueueAtStart! >= 2, "the first burst is still queued");
    assert.ok(burst.acceptQueuePeak! >= 4, `peak ${burst.acceptQueuePeak}: backlog 3 + 1`);
  }
});

Deno.test("sweepBacklog: the signal stops the sweep and keeps what was measured", async (t) => {
  await using server = await startReferenceServer("well-behaved");
  await t.step("between bursts: no burst is cut short", async () => {
    const stop = new AbortController();
    const sweep = await sweepBacklog(server.target, {
      sizes: [4, 8, 16],
      holdMs: 100,
      signal: stop.signal,
      onBurst: () => stop.abort(),
    });
    assert.equal(sweep.stoppedBy, "signal");
    assert.equal(sweep.interrupted, true);
    assert.deepEqual(sweep.bursts.map((b) => [b.size, b.interrupted]), [[4, false]]);
  });
  await t.step("during a burst: it is kept, flagged interrupted", async () => {
    const stop = new AbortController();
    const sweep = await sweepBacklog(server.target, {
      sizes: [8, 16],
      holdMs: 5000,
      signal: stop.signal,
      // Stop once the server holds every connection: the burst is in its hold.
      onBurstStart: () => {
        const poll = setInterval(() => {
          if (server.open < 8) return;
          clearInterval(poll);
          stop.abort();
        }, 20);
      },
    });
    assert.equal(sweep.stoppedBy, "signal");
    assert.equal(sweep.bursts.length, 1);
    const [burst] = sweep.bursts;
    assert.equal(burst.interrupted, true);
    assert.equal(burst.outcomes.interrupted, 8, JSON.stringify(burst.outcomes));
    assert.ok(burst.durationMs < 5000, `${burst.durationMs} ms: the hold was cut short`);
  });
});

Deno.test("sweepBacklog: without a census it says why and waits the whole drain window", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ends: number[] = [];
  const starts: number[] = [];
  const sweep = await sweepBacklog(server.target, {
    sizes: [2, 4],
    holdMs: 100,
    census: { drainMs: 800, serverSocketsCommand: "exit 3" },
    pauseMs: 0,
    onBurstStart: () => starts.push(performance.now()),
    onBurst: () => ends.push(performance.now()),
  });
  assert.equal(sweep.local, false, "a --server-sockets server is read as remote");
  assert.equal(sweep.sysctls, null, "this host's sysctls are not the server's");
  assert.equal(sweep.configuredBacklog, null);
  assert.match(sweep.censusUnavailable ?? "", /exit 3|code 3/);
  assert.equal(sweep.acceptQueueBaseline, null, "nothing can read the queue");
  for (const burst of sweep.bursts) {
    assert.equal(burst.settled, null);
    assert.equal(burst.queueWaitMs, null);
    assert.equal(burst.halfOpen, null);
    assert.equal(burst.acceptQueuePeak, null);
    assert.equal(burst.counters, null);
    assert.equal(burst.firstSyn, burst.size);
  }
  assert.ok(starts[1] - ends[0] >= 790, `paused ${starts[1] - ends[0]} ms, not the drain window`);
});

Deno.test("BACKLOG_SWEEP_DEFAULTS: a burst's own timings, a longer drain between bursts", () => {
  assert.deepEqual(BACKLOG_SWEEP_DEFAULTS, {
    holdMs: 1500,
    connectTimeoutMs: 3000,
    closeTimeoutMs: 1000,
    drainMs: 5000,
    pauseMs: 250,
    queueWaitMs: 30_000,
    maxRefineBursts: 6,
    stopAfterFailing: 2,
  });
  assert.ok(Object.isFrozen(BACKLOG_SWEEP_DEFAULTS));
});

Deno.test('sweepBacklog: census "off": no census, the default drain window recorded', async () => {
  await using server = await startReferenceServer("well-behaved");
  const sweep = await sweepBacklog(server.target, { sizes: [4], holdMs: 100, census: "off" });
  assert.equal(sweep.censusUnavailable, "census turned off");
  assert.equal(sweep.local, true, "no command: a local server is still local");
  assert.equal(sweep.settings.drainMs, BACKLOG_SWEEP_DEFAULTS.drainMs);
  assert.equal(sweep.bursts[0].settled, null);
  assert.equal(sweep.bursts[0].halfOpen, null);
  assert.equal(sweep.bursts[0].firstSyn, 4);
});

Deno.test("sweepBacklog: sizes outside 1..10000 are a RangeError before anything connects", async () => {
  const target = { hostname: "127.0.0.1", port: 9, label: "127.0.0.1:9" };
  for (const sizes of [[0], [10_001], [1.5], [NaN]]) {
    await assert.rejects(sweepBacklog(target, { sizes }), RangeError);
  }
});
