/**
 * Tests for lib/census/identity.ts through SocketWatch and findLingering, on
 * scripted tables read by a command: each read prints the next table of a
 * list (the last one repeats), in `ss -tanoe` rows, so a test says exactly
 * which sockets each census sees.
 */

import assert from "node:assert/strict";
import { commandSocketSource } from "../../lib/census/source.ts";
import { SocketWatch } from "../../lib/census/watch.ts";
import { findLingering } from "../../lib/census/findings.ts";
import { CONFIRM_LEAK_AFTER_MS } from "../../lib/census/identity.ts";
import { drainSettled } from "../../lib/census/settled.ts";
import { outcomes, report } from "../support/socket_fixtures.ts";

const PORT = 20001;
const LISTEN = `LISTEN 0 4096 127.0.0.1:${PORT} 0.0.0.0:* ino:99`;
/** A server-side CLOSE_WAIT row from client port `port`, with `inode` (0: not accepted). */
const closeWait = (port: number, inode: number) =>
  `CLOSE-WAIT 1 0 127.0.0.1:${PORT} 127.0.0.1:${port} ino:${inode}`;

/** A watch whose censuses read `tables` in turn, the last one repeating. */
async function scripted(tables: string[][], run: (watch: SocketWatch) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "synfin_identity_" });
  try {
    for (const [i, rows] of tables.entries()) {
      await Deno.writeTextFile(`${dir}/t${i}`, rows.join("\n") + "\n");
    }
    const last = tables.length - 1;
    const command = `n=$(cat '${dir}/n' 2>/dev/null || echo 0); ` +
      `f='${dir}/t'$n; [ -e "$f" ] || f='${dir}/t${last}'; echo $((n + 1)) > '${dir}/n'; cat "$f"`;
    const watch = new SocketWatch(PORT, { server: commandSocketSource(command), intervalMs: 50 });
    await run(watch);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("census identity: a reused port's new CLOSE_WAIT is new, the old one it reset is reported gone", async () => {
  // Before: 3 old CLOSE_WAIT. After: the one from port 40001 is gone, port
  // 40002 holds a NEW socket (another inode: the port was reused, its SYN
  // reset the old one), 40003 is the old one, 40004 is new. The count is 3
  // before and after: a delta says no leak, identities say 2.
  const before = [LISTEN, closeWait(40001, 101), closeWait(40002, 102), closeWait(40003, 103)];
  const after = [LISTEN, closeWait(40002, 202), closeWait(40003, 103), closeWait(40004, 204)];
  await scripted([before, after], async (watch) => {
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(200);
    assert.equal(report.server.CLOSE_WAIT.baseline, 3);
    assert.equal(report.server.CLOSE_WAIT.drained, 0, "the delta");
    assert.deepEqual(report.closeWait, {
      byInode: true,
      baseline: 3,
      baselineGone: 2,
      added: 2,
      queued: 0,
      justAccepted: 0,
    });
    // New CLOSE_WAIT keep the drain going to its end.
    assert.ok(report.drainedAfterMs >= 200, `drained after ${report.drainedAfterMs} ms`);
    const findings = findLingering(report, outcomes({ "no-fin": 2, clean: 8 }));
    assert.deepEqual(findings.closeWait, {
      remaining: 2,
      neverAccepted: 0,
      leakedByHandler: 2,
      noFinSessions: 2,
    });
    assert.deepEqual(findings.oldCloseWait, { before: 3, gone: 2 });
  });
});

Deno.test("census identity: old CLOSE_WAIT reset by reused ports and no new one: settled, nothing left", async () => {
  const before = [LISTEN, closeWait(40001, 101), closeWait(40002, 102)];
  await scripted([before, [LISTEN]], async (watch) => {
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(2000);
    assert.ok(report.drainedAfterMs < 1000, `drained after ${report.drainedAfterMs} ms`);
    const findings = findLingering(report, outcomes({ clean: 2 }));
    assert.equal(findings.closeWait?.remaining, 0);
    assert.deepEqual(findings.oldCloseWait, { before: 2, gone: 2 });
  });
});

Deno.test("census identity: a CLOSE_WAIT that entered the accept queue after the LISTEN row was read is not a handler leak", async () => {
  // The kernel lists the LISTEN row before the connections. A FIN that
  // completes a queued handshake between the two reads (an orphaned client
  // socket retransmitting it, during the drain) shows a CLOSE_WAIT with no
  // inode (no process holds it) beside a LISTEN row that still says 0 queued.
  const raced = [LISTEN, closeWait(40001, 0)];
  await scripted([[LISTEN], raced], async (watch) => {
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(100);
    assert.equal(report.acceptQueue?.drained, 0);
    assert.equal(report.closeWait?.queued, 1);
    const closeWaitFinding = findLingering(report, outcomes({ "no-fin": 1 })).closeWait;
    assert.deepEqual(closeWaitFinding, {
      remaining: 1,
      neverAccepted: 1,
      leakedByHandler: 0,
      noFinSessions: 1,
    });
  });
});

Deno.test("census identity: a CLOSE_WAIT accepted right at the drain's end is confirmed by one more census", async (t) => {
  // drain(0): the end census is the last one; the socket was first seen
  // there, accepted (an inode), and a handler closes within a millisecond
  // of reading EOF: one more census tells a slow accept from a leak.
  await t.step("gone in the next census: the handler closed it, no leak", async () => {
    await scripted([[LISTEN], [LISTEN, closeWait(40001, 301)], [LISTEN]], async (watch) => {
      await watch.baseline();
      await watch.stop();
      const report = await watch.drain(0);
      assert.equal(report.server.CLOSE_WAIT.drained, 0);
      assert.equal(findLingering(report, outcomes({ clean: 1 })).closeWait?.remaining, 0);
      assert.ok(report.drainedAfterMs >= CONFIRM_LEAK_AFTER_MS, `${report.drainedAfterMs} ms`);
    });
  });

  await t.step("still there: leaked by the handler", async () => {
    await scripted([[LISTEN], [LISTEN, closeWait(40001, 301)]], async (watch) => {
      await watch.baseline();
      await watch.stop();
      const report = await watch.drain(0);
      const found = findLingering(report, outcomes({ "no-fin": 1 })).closeWait;
      assert.equal(found?.leakedByHandler, 1);
      assert.equal(report.closeWait?.justAccepted, 0);
    });
  });

  await t.step("replaced by another just accepted: not (yet) a leak", async () => {
    const first = [LISTEN, closeWait(40001, 301), closeWait(40002, 0)];
    const next = [LISTEN, closeWait(40002, 302)];
    await scripted([[LISTEN], first, next], async (watch) => {
      await watch.baseline();
      await watch.stop();
      const report = await watch.drain(0);
      assert.equal(report.closeWait?.justAccepted, 1);
      assert.deepEqual(findLingering(report, outcomes({ "no-fin": 2 })).closeWait, {
        remaining: 1,
        neverAccepted: 1,
        leakedByHandler: 0,
        noFinSessions: 2,
      });
    });
  });
});

Deno.test("census identity: without inodes (ss -tan), the 4-tuple and the LISTEN row's queue decide", async () => {
  const plain = (port: number) => `CLOSE-WAIT 1 0 127.0.0.1:${PORT} 127.0.0.1:${port}`;
  const listen = (queued: number) => `LISTEN ${queued} 8 127.0.0.1:${PORT} 0.0.0.0:*`;
  const before = [listen(0), plain(40001)];
  const after = [listen(1), plain(40001), plain(40002), plain(40003)];
  await scripted([before, after], async (watch) => {
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(100);
    assert.equal(report.closeWait?.byInode, false);
    assert.equal(report.closeWait?.queued, null);
    assert.equal(report.closeWait?.added, 2);
    assert.deepEqual(findLingering(report, outcomes()).closeWait, {
      remaining: 2,
      neverAccepted: 1,
      leakedByHandler: 1,
      noFinSessions: 0,
    });
  });
});

Deno.test("census identity: our side of the sessions whose FIN went unanswered", async () => {
  const tester = (state: string, sendQ: number, port: number, timer: string) =>
    `${state} 0 ${sendQ} 127.0.0.1:${port} 127.0.0.1:${PORT} timer:(${timer}) ino:0`;
  const oldFinWait2 = tester("FIN-WAIT-2", 0, 40009, "timewait,30sec,0");
  const end = [
    LISTEN,
    oldFinWait2,
    // Bytes and FIN behind a closed window: zero-window probes.
    tester("FIN-WAIT-1", 98849, 40001, "persist,064ms,0"),
    // Only our FIN, unacknowledged, retransmitted: a blackholed path.
    tester("FIN-WAIT-1", 1, 40002, "on,200ms,1"),
    // FIN acknowledged: the server's socket sits in CLOSE_WAIT.
    tester("FIN-WAIT-2", 0, 40003, "timewait,59sec,0"),
    closeWait(40003, 303),
  ];
  await scripted([[LISTEN, oldFinWait2], end], async (watch) => {
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(0);
    assert.deepEqual(report.testerFin, { finWait1: 2, finWait1Unsent: 1, finWait2: 1 });
    const findings = findLingering(report, outcomes({ "no-fin": 3 }));
    assert.deepEqual(findings.noFin, { sessions: 3, finAcked: 1, finUnacked: 2, unsentBytes: 1 });
  });
});

Deno.test("drainSettled: a new CLOSE_WAIT by identity is not settled, whatever the delta", () => {
  const track = { byInode: true, baseline: 5, baselineGone: 1, queued: 0, justAccepted: 0 };
  assert.equal(drainSettled(report()), true);
  assert.equal(drainSettled(report({ closeWait: { ...track, added: 0 } })), true);
  assert.equal(drainSettled(report({ closeWait: { ...track, added: 1 } })), false);
});
