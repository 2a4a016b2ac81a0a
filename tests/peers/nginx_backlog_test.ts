/**
 * The backlog sweep against a real third-party server: nginx on loopback
 * with `listen ... backlog=4096`. Skips without nginx unless
 * SYNFIN_REQUIRE_PEERS=1 (CI), like the other peer tests.
 */
import assert from "node:assert/strict";
import { chooseEngine } from "../../lib/engine/engine_choice.ts";
import { estimateBacklog } from "../../lib/backlog/estimate.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import { parseBurstSizes } from "../../lib/backlog/sweep_options.ts";
import { NGINX, PEERS_REQUIRED, startNginx } from "../support/nginx.ts";

/**
 * The firing of one burst of 1024 connects is CPU-bound on these 2-core
 * machines: 11 workers, the kernel's handshakes and nginx's accepts share
 * the cores. `deno task bench` (bench/burst_bench.ts) measures it: median
 * 31 ms, up to about 60 ms, on a quiet machine; with the other test files
 * running in parallel it gets slower. This bound catches a burst that is not
 * fired at once (workers started one by one, connects queued behind a
 * stalled event loop), not the machine's noise; the 50 ms goal is the bench's.
 */
const SPREAD_1024_BOUND_MS = 250;

Deno.test({
  name: "nginx backlog=4096: bursts up to 2048 complete with no SYN retransmission",
  ignore: !NGINX && !PEERS_REQUIRED,
  async fn() {
    assert.ok(NGINX, "nginx is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await using nginx = await startNginx({ backlog: 4096 });
    const target = { hostname: "127.0.0.1", port: nginx.port, label: `127.0.0.1:${nginx.port}` };
    const sizes = parseBurstSizes("16..2048");
    const sweep = await sweepBacklog(target, { sizes, holdMs: 1000 });
    const seen = JSON.stringify(
      sweep.bursts.map((b) => ({
        size: b.size,
        spreadMs: b.spreadMs,
        firstSyn: b.firstSyn,
        synRetransmitted: b.synRetransmitted,
        p99Us: b.handshake.p99Us,
        peak: b.acceptQueuePeak,
      })),
    );
    assert.equal(sweep.stoppedBy, "sizes", seen);
    assert.deepEqual(sweep.bursts.map((b) => b.size), sizes, seen);
    // ss shows the backlog as the kernel holds it: capped at somaxconn.
    assert.equal(sweep.configuredBacklog, Math.min(4096, sweep.sysctls?.somaxconn ?? 4096));
    for (const burst of sweep.bursts) {
      assert.equal(burst.synRetransmitted, 0, seen);
      assert.equal(burst.firstSyn, burst.size, seen);
      assert.equal(burst.resets + burst.connectTimeouts + burst.otherFailures, 0, seen);
      assert.equal(burst.halfOpen, 0, seen);
      assert.ok(burst.handshake.p99Us < 900_000, seen);
      assert.equal(burst.acceptQueueAtStart, 0, seen);
    }
    const at1024 = sweep.bursts.find((b) => b.size === 1024)!;
    // The deno engine needs a worker per 100 connects; the raw one a loop per core.
    const loops = chooseEngine().engine === "raw" ? navigator.hardwareConcurrency || 1 : 11;
    assert.ok(at1024.eventLoops >= loops, `${at1024.eventLoops} event loops for 1024`);
    assert.ok(at1024.spreadMs < SPREAD_1024_BOUND_MS, `SYN spread of 1024: ${seen}`);
    const estimate = estimateBacklog(sweep);
    assert.equal(estimate.limit, "not-reached", estimate.explanation);
    assert.equal(estimate.capacity, 2048);
    assert.equal(estimate.knee, null);
  },
});
