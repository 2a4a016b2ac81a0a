/**
 * A server that dies during a sweep: its later bursts are refused
 * (ECONNREFUSED, nothing listens). The refusals are counted, the sweep ends
 * with that finding instead of bisecting on them, and no capacity is claimed.
 */
import assert from "node:assert/strict";
import { estimateBacklog } from "../../lib/backlog/estimate.ts";
import { isRefusedBurst } from "../../lib/backlog/server_gone.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import { judgeSweep } from "../../lib/backlog/verdict.ts";
import { type ReferenceServer, startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { fakeBurst } from "../support/backlog_fixtures.ts";

const FAST = { holdMs: 100, closeTimeoutMs: 300, census: { drainMs: 200 }, pauseMs: 50 };

Deno.test("sweepBacklog: a server killed mid-sweep ends it: refusals counted, no bisection, no capacity", async () => {
  let server: ReferenceServer | undefined = await startReferenceServer("well-behaved");
  const target = server.target;
  try {
    const sweep = await sweepBacklog(target, {
      ...FAST,
      sizes: [4, 8, 16, 32],
      onBurst: (burst) => {
        // The listener closes at once (close() is synchronous up to the listener).
        if (burst.size === 4) server?.close().finally(() => server = undefined);
      },
    });
    const seen = JSON.stringify(sweep.bursts.map((b) => [b.size, b.refused, b.firstSyn]));
    assert.equal(sweep.stoppedBy, "server-gone", seen);
    assert.deepEqual(sweep.bursts.map((b) => [b.size, b.stage]), [[4, "sweep"], [8, "sweep"]]);
    const [answered, refused] = sweep.bursts;
    assert.equal(answered.refused, 0);
    assert.equal(answered.firstSyn, 4);
    assert.equal(refused.refused, 8, "every connect of the burst was refused, and counted");
    assert.equal(refused.outcomes.refused, 8);
    assert.equal(refused.firstSyn, 0);
    assert.deepEqual(sweep.serverGone, {
      refusedBurst: 8,
      refused: 8,
      lastAnsweredBurst: 4,
      answeredAgain: false,
    });
    const estimate = estimateBacklog(sweep);
    assert.equal(estimate.capacity, null, "no capacity claim");
    assert.equal(estimate.firstFailing, null);
    assert.equal(estimate.limit, "server-gone");
    assert.equal(
      estimate.unreliable,
      "none claimed: the server stopped answering after burst 4 (burst 8: 8 of 8 connects refused)",
    );
    assert.deepEqual(estimate.evidence.map((e) => [e.size, e.refused]), [[8, 8]]);
    const verdict = judgeSweep(sweep, estimate);
    assert.equal(verdict.kind, "server-gone");
    assert.equal(
      verdict.message,
      `Cannot connect to ${target.label}: connection refused (ECONNREFUSED): the server ` +
        "stopped answering after burst 4 (burst 8: 8 of 8 connects refused) and still refuses",
    );
  } finally {
    await server?.close();
  }
});

Deno.test("sweepBacklog: a server that restarts after a refused burst: answered again, a server failure", async () => {
  const first = await startReferenceServer("well-behaved");
  const { port } = first.target;
  let second: ReferenceServer | undefined;
  try {
    const sweep = await sweepBacklog(first.target, {
      ...FAST,
      sizes: [4, 8, 16],
      onBurst: (burst) => {
        if (burst.size === 4) first.close();
        // Back on its port before the sweep's check connect.
        if (burst.size === 8) {
          startReferenceServer("well-behaved", { port }).then((s) => second = s);
        }
      },
    });
    assert.equal(sweep.stoppedBy, "server-gone");
    assert.deepEqual(sweep.bursts.map((b) => b.size), [4, 8]);
    assert.equal(sweep.serverGone?.answeredAgain, true);
    const estimate = estimateBacklog(sweep);
    assert.equal(estimate.capacity, null);
    const verdict = judgeSweep(sweep, estimate);
    assert.equal(verdict.kind, "server-restarted");
    assert.match(
      verdict.message ?? "",
      /^The server stopped answering after burst 4 \(burst 8: 8 of 8 connects refused\), then answered again: it restarted/,
    );
  } finally {
    await first.close();
    await second?.close();
  }
});

Deno.test("isRefusedBurst: refusals and no answered connect", () => {
  const refused = (size: number, n: number, answered: number) => {
    const burst = fakeBurst(size, { refused: n });
    return { ...burst, firstSyn: answered, synRetransmitted: 0 };
  };
  assert.ok(isRefusedBurst(refused(8, 8, 0)));
  assert.ok(!isRefusedBurst(refused(8, 3, 5)), "some answered: the server died during it");
  assert.ok(!isRefusedBurst(refused(8, 0, 8)));
  assert.ok(
    !isRefusedBurst({ ...refused(8, 0, 0) }),
    "nothing refused: timeouts are not a dead server",
  );
  assert.ok(!isRefusedBurst({ ...refused(8, 8, 0), interrupted: true }));
});
