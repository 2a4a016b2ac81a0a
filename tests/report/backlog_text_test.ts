/** The backlog text report and the side-by-side comparison, on hand-built sweeps. */
import assert from "node:assert/strict";
import { compareBacklogSweeps } from "../../lib/backlog/compare.ts";
import { estimateBacklog } from "../../lib/backlog/estimate.ts";
import {
  BACKLOG_LIMIT_LABEL,
  renderBacklogComparison,
  renderBacklogReport,
} from "../../lib/report/backlog_text.ts";
import { backlog8Sweep, fakeBurst, fakeSweep } from "../support/backlog_fixtures.ts";

/** A table row holding exactly these cells, however the columns are padded. */
function row(...cells: string[]): RegExp {
  const escaped = cells.map((cell) => cell.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return new RegExp(`^ *${escaped.join(" +")}$`, "m");
}

function report(sweep = backlog8Sweep()): string {
  return renderBacklogReport(sweep, estimateBacklog(sweep));
}

Deno.test("renderBacklogReport: a sweep that overflowed", async (t) => {
  const text = report();
  const lines = text.split("\n");

  await t.step("the header names the target, sizes and settings", () => {
    assert.equal(
      lines[0],
      "synfin backlog 127.0.0.1:20001  bursts 16, 32 (+4 bisecting), hold 1.50s, " +
        "connect timeout 3.00s",
    );
    assert.equal(
      lines[1],
      "listener: backlog 8 (ss Send-Q, queue holds 9); somaxconn 4096, tcp_max_syn_backlog " +
        "2048, tcp_syncookies 1, tcp_abort_on_overflow 0",
    );
  });

  await t.step("one row per burst, by size, with every column", () => {
    assert.match(
      text,
      /^burst\s+stage\s+spread\s+first-SYN\s+retrans\s+reset\/timeout\s+refused\s+half-open\s+overflows\s+peak queue\s+p50\s+p99\s+queue wait$/m,
    );
    const rows = lines.filter((line) => /^\s*\d+\s+(sweep|refine)\s/.test(line));
    assert.deepEqual(rows.map((row) => Number(row.trim().split(/\s+/)[0])), [
      8,
      10,
      11,
      12,
      16,
      32,
    ]);
    assert.match(
      text,
      row("11", "refine", "1.5ms", "10", "1", "0/0", "0", "0", "1", "9", "500us", "1.00s", "0"),
    );
    assert.match(
      text,
      row("32", "sweep", "1.5ms", "10", "22", "0/0", "0", "0", "22", "9", "1.00s", "1.00s", "0"),
    );
  });

  await t.step("sparklines: p50 and p99 on one log scale, failures per burst", () => {
    assert.match(text, /^handshake p50 {2}▁▁▁▁▁█$/m);
    assert.match(text, /^handshake p99 {2}▁▁████ {2}\(log scale, 500us \.\. 1\.00s\)$/m);
    assert.match(text, /^failures {7}▁▁▁▁▃█ {2}\(0 \.\. 22: /m);
    assert.match(text, /one mark per burst, 8\.\.32 \(6 sizes\)/);
  });

  await t.step("the estimate, its explanation, advice and evidence", () => {
    assert.match(text, /^capacity: 10 connects \(largest clean burst; 11 failed\)$/m);
    assert.match(text, /^knee: burst 11 \(p99 handshake 1\.00s: SYNs retransmitted\)$/m);
    assert.match(text, /^limit: application backlog$/m);
    assert.match(text, /^ {2}The accept queue held 10 connects, the listen backlog 8 \+ 1/m);
    assert.match(text, /^ {2}what to change: Raise the backlog/m);
    assert.match(text, /timeouts\s+refused\s+half-open\s+ListenOverflows\s+ListenDrops\s+/);
    assert.match(text, /ListenOverflows\s+ListenDrops\s+SyncookiesSent\s+peak queue\s+p99$/m);
    assert.match(text, row("16", "6", "0", "0", "0", "0", "6", "6", "0", "9", "1.00s"));
  });

  await t.step("notes: the early stop, and the header says how many sizes ran", () => {
    assert.match(text, /^note: the sweep stopped after 2 failing bursts in a row/m);
    const sweep = backlog8Sweep();
    sweep.settings.sizes = [16, 32, 64, 128];
    assert.match(
      report(sweep),
      /^synfin backlog \S+ {2}bursts 16, 32, 64, 128 \(2 run, \+4 bisecting\),/,
    );
  });
});

Deno.test("renderBacklogReport: no overflow, a remote server, an interrupted sweep", async (t) => {
  await t.step("no overflow up to the largest burst", () => {
    const sweep = fakeSweep([16, 32, 64].map((size) => fakeBurst(size)), {
      configuredBacklog: 4096,
    });
    const text = report(sweep);
    assert.match(text, /^capacity: no overflow up to the largest burst \(64\)$/m);
    assert.match(text, /^knee: none/m);
    assert.match(text, /^limit: not reached$/m);
    assert.match(text, /^failures {7}▁▁▁ {2}\(0 \.\. 0: /m);
    assert.doesNotMatch(text, /^evidence/m);
    assert.doesNotMatch(text, /^note:/m);
  });

  await t.step("remote: dashes where nothing was measured, and why", () => {
    const remote = (size: number, retransmitted = 0) =>
      fakeBurst(size, { retransmitted, counters: null, halfOpen: null, peak: null });
    const sweep = fakeSweep([remote(16), remote(32, 4)], {
      local: false,
      sysctls: null,
      configuredBacklog: null,
      censusUnavailable: "example.com is not this host: give --server-sockets CMD",
    });
    const text = report(sweep);
    assert.match(text, /^listener: backlog unknown; queue sysctls: server not on this host$/m);
    assert.match(
      text,
      row("32", "sweep", "1.5ms", "28", "4", "0/0", "0", "-", "-", "-", "500us", "1.00s", "0"),
    );
    assert.match(text, /^limit: unknown$/m);
    assert.match(text, /^note: no socket census \(example\.com is not this host/m);
  });

  await t.step("interrupted: the cut-short burst is marked, the estimate covers the rest", () => {
    const sweep = fakeSweep([fakeBurst(16), fakeBurst(32, { interrupted: true })], {
      stoppedBy: "signal",
      interrupted: true,
    });
    const text = report(sweep);
    assert.match(text, /^ {3}32 {2}stopped /m);
    assert.match(text, /^capacity: no overflow up to the largest burst \(16\)$/m);
    assert.match(text, /^note: interrupted: the estimate covers the bursts that completed$/m);
  });

  await t.step("a burst that found the queue still full is named, and no number given", () => {
    const sweep = fakeSweep([fakeBurst(16), fakeBurst(32, { queueAtStart: 4 })]);
    const text = report(sweep);
    assert.match(text, /^note: bursts 32 started with connections of the previous burst/m);
    assert.match(text, /still queued \(had less room\): give a longer --queue-wait$/m);
    assert.match(
      text,
      /^capacity: estimate unreliable: the accept queue held 4 connections of the previous burst after 0ms$/m,
    );
  });

  await t.step("every limit has a label", () => {
    assert.deepEqual(Object.keys(BACKLOG_LIMIT_LABEL).sort(), [
      "accept-loop",
      "application-backlog",
      "not-reached",
      "server-gone",
      "somaxconn",
      "syn-backlog",
      "unknown",
    ]);
  });
});

Deno.test("renderBacklogComparison: two sweeps side by side", () => {
  const b = fakeSweep([16, 32, 64].map((size) => fakeBurst(size)), {
    configuredBacklog: 4096,
    target: "127.0.0.1:20002",
  });
  const text = renderBacklogComparison(
    compareBacklogSweeps(backlog8Sweep(), b, { labels: ["b8.json", "b4096.json"] }),
  );
  assert.match(text, /^ {14}A: b8\.json {16}B: b4096\.json$/m);
  assert.match(text, /^target {8}127\.0\.0\.1:20001 {11}127\.0\.0\.1:20002$/m);
  assert.match(text, /^backlog \(ss\) {2}8 {25}4096$/m);
  assert.match(text, /^capacity {6}10 \(11 failed\) {12}no overflow up to 64$/m);
  assert.match(text, /^knee {10}11 \(p99 1\.00s\) {12}none$/m);
  assert.match(text, /^limit {9}application backlog {7}not reached$/m);
  assert.match(text, /^A: The accept queue held 10 connects/m);
  assert.match(text, /^B: No overflow up to the largest burst \(64\)/m);
  assert.match(
    text,
    /^burst {2}A retrans {2}A failures {2}A p99 {2}B retrans {2}B failures {2}B p99$/m,
  );
  assert.match(text, row("8", "0", "0", "500us", "-", "-", "-"));
  assert.match(text, row("16", "6", "6", "1.00s", "0", "0", "500us"));
  assert.match(text, row("64", "-", "-", "-", "0", "0", "500us"));
  // One scale for both: A's worst burst is the top bar; B's sizes start at 16.
  assert.match(text, /^failures A {2}▁▁▁▁▃█$/m);
  assert.match(text, /^failures B {2} {4}▁▁▁$/m);
});

Deno.test("renderBacklogReport: the queue wait, a queue that never drained, a server that died", async (t) => {
  await t.step("how long the sweep waited before each burst", () => {
    const sweep = fakeSweep([
      fakeBurst(16, { retransmitted: 6 }),
      fakeBurst(8, { stage: "refine", queueWaitMs: 2350 }),
      fakeBurst(12, { stage: "refine", queueWaitMs: null }),
    ]);
    const text = report(sweep);
    assert.match(text, /^ +8 +refine .* 2\.35s$/m);
    assert.match(text, /^ +12 +refine .* -$/m);
    assert.match(
      text,
      /^note: before 1 burst the sweep waited for the accept queue to be back to 0 \(its length before the sweep\), up to 30\.0s: see queue wait$/m,
    );
  });

  await t.step("a queue that never drained: no number, and where the sweep stopped", () => {
    const sweep = fakeSweep([fakeBurst(16, { retransmitted: 7 })], {
      stoppedBy: "queue-not-drained",
      queueNotDrained: { nextBurst: 8, held: 7, arriving: 0, baseline: 0, waitedMs: 30_000 },
    });
    const text = report(sweep);
    assert.match(
      text,
      /^capacity: estimate unreliable: the accept queue held 7 connections of the previous burst after 30\.0s$/m,
    );
    assert.match(text, /^limit: unknown$/m);
    assert.match(
      text,
      /^note: the sweep stopped before burst 8: the accept queue still held 7 above its 0 after 30\.0s$/m,
    );
    assert.doesNotMatch(text, /^note: the sweep stopped after 2 failing bursts/m);
  });

  await t.step("a server that died: refusals shown, no capacity claimed", () => {
    const sweep = fakeSweep(
      [fakeBurst(16), fakeBurst(32), fakeBurst(64, { refused: 64, peak: 0 })],
      {
        stoppedBy: "server-gone",
        serverGone: { refusedBurst: 64, refused: 64, lastAnsweredBurst: 32, answeredAgain: false },
      },
    );
    const text = report(sweep);
    assert.match(
      text,
      row("64", "sweep", "1.5ms", "0", "0", "0/0", "64", "0", "0", "0", "-", "-", "0"),
    );
    assert.match(
      text,
      /^capacity: none claimed: the server stopped answering after burst 32 \(burst 64: 64 of 64 connects refused\)$/m,
    );
    assert.match(text, /^limit: server stopped answering$/m);
    assert.match(text, row("64", "0", "0", "0", "64", "0", "0", "0", "0", "0", "0us"));
    assert.match(
      text,
      /^note: the sweep stopped: burst 64 was refused whole \(nothing listened\), and a connect after it was refused too$/m,
    );
    const comparison = renderBacklogComparison(compareBacklogSweeps(sweep, backlog8Sweep()));
    assert.match(comparison, /^capacity +none \(server stopped answering\) +10 \(11 failed\)$/m);
  });
});
