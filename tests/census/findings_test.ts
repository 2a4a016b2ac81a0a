/**
 * Tests for lib/census/findings.ts, on hand-built socket reports.
 */

import assert from "node:assert/strict";
import { outcomes, report, tracks } from "../support/socket_fixtures.ts";
import { findLingering, TESTER_PORTS_NEAR } from "../../lib/census/findings.ts";
import type { AcceptQueueTrack, SocketsUnavailable } from "../../lib/census/socket_report.ts";
import type { KernelCounters } from "../../lib/census/kernel_counters.ts";

function queue(fields: Partial<AcceptQueueTrack>): AcceptQueueTrack {
  return { backlog: 8, baseline: 0, peak: 0, end: 0, drained: 0, ...fields };
}

/** Outcome counts: 0 for every outcome but those given. */
const COUNTERS: KernelCounters = {
  listenOverflows: 3,
  listenDrops: 3,
  tcpSynRetrans: 3,
  syncookiesSent: 0,
  syncookiesRecv: 0,
  syncookiesFailed: 0,
  tcpReqQFullDoCookies: 0,
  tcpReqQFullDrop: 0,
  retransSegs: 3,
  tcpTimeWaitOverflow: 0,
};

Deno.test("findLingering: CLOSE_WAIT", async (t) => {
  await t.step("all left in CLOSE_WAIT with an empty accept queue: leaked by the handler", () => {
    const sockets = report({ server: tracks({ CLOSE_WAIT: { peak: 50, end: 50, drained: 50 } }) });
    const findings = findLingering(sockets, outcomes({ "no-fin": 50 }));
    assert.deepEqual(findings.closeWait, {
      remaining: 50,
      neverAccepted: 0,
      leakedByHandler: 50,
      noFinSessions: 50,
    });
  });

  await t.step("connections still queued are never accepted, not leaked", () => {
    // 12 CLOSE_WAIT left; the queue grew from 1 to 5: 4 never accepted.
    const sockets = report({
      server: tracks({ CLOSE_WAIT: { baseline: 2, peak: 20, end: 15, drained: 12 } }),
      acceptQueue: queue({ baseline: 1, peak: 9, end: 9, drained: 5 }),
    });
    const findings = findLingering(sockets, outcomes({ "no-fin": 7, clean: 3 }));
    assert.deepEqual(findings.closeWait, {
      remaining: 12,
      neverAccepted: 4,
      leakedByHandler: 8,
      noFinSessions: 7,
    });
  });

  await t.step("a queue longer than the CLOSE_WAIT count: all never accepted", () => {
    // never-accepts: 9 connections queued (backlog 8 + 1), 6 of them closed by us.
    const sockets = report({
      server: tracks({
        ESTABLISHED: { peak: 9, end: 9, drained: 3 },
        CLOSE_WAIT: { peak: 6, end: 6, drained: 6 },
      }),
      acceptQueue: queue({ peak: 9, end: 9, drained: 9 }),
    });
    const closeWait = findLingering(sockets, outcomes({ "no-fin": 6 })).closeWait;
    assert.equal(closeWait?.remaining, 6);
    assert.equal(closeWait?.neverAccepted, 6);
    assert.equal(closeWait?.leakedByHandler, 0);
  });

  await t.step("a queue shorter than at the baseline counts no never-accepted", () => {
    const sockets = report({
      server: tracks({ CLOSE_WAIT: { peak: 4, end: 4, drained: 4 } }),
      acceptQueue: queue({ baseline: 3, drained: 1 }),
    });
    const closeWait = findLingering(sockets, outcomes()).closeWait;
    assert.deepEqual(closeWait, {
      remaining: 4,
      neverAccepted: 0,
      leakedByHandler: 4,
      noFinSessions: 0,
    });
  });

  await t.step("no listener seen: everything left is blamed on the handler", () => {
    const sockets = report({
      server: tracks({ CLOSE_WAIT: { peak: 3, end: 3, drained: 3 } }),
      acceptQueue: null,
    });
    const closeWait = findLingering(sockets, outcomes()).closeWait;
    assert.equal(closeWait?.neverAccepted, 0);
    assert.equal(closeWait?.leakedByHandler, 3);
  });

  await t.step("fewer CLOSE_WAIT than at the baseline: none remaining", () => {
    const sockets = report({
      server: tracks({ CLOSE_WAIT: { baseline: 10, peak: 0, end: -2, drained: -4 } }),
      acceptQueue: queue({ drained: 3 }),
    });
    assert.deepEqual(findLingering(sockets, outcomes({ "no-fin": 1 })).closeWait, {
      remaining: 0,
      neverAccepted: 0,
      leakedByHandler: 0,
      noFinSessions: 1,
    });
  });

  await t.step("CLOSE_WAIT that drained away is not a leak, whatever its peak", () => {
    const sockets = report({ server: tracks({ CLOSE_WAIT: { peak: 40, end: 40, drained: 0 } }) });
    assert.equal(findLingering(sockets, outcomes()).closeWait?.remaining, 0);
  });
});

Deno.test("findLingering: TIME_WAIT on the server", async (t) => {
  await t.step("share of sessions the server closed first, and its TIME_WAIT peak", () => {
    const sockets = report({
      server: tracks({ TIME_WAIT: { peak: 28, end: 28, drained: 28 } }),
    });
    const findings = findLingering(
      sockets,
      outcomes({ clean: 85, "server-closed-first": 30, reset: 5 }),
    );
    assert.deepEqual(findings.serverTimeWait, {
      serverClosedFirst: 30,
      share: 0.25,
      serverTimeWait: 28,
    });
  });

  await t.step("a TIME_WAIT count below the baseline reads as 0", () => {
    const sockets = report({
      server: tracks({ TIME_WAIT: { baseline: 100, peak: -10, end: -20, drained: -30 } }),
    });
    assert.equal(findLingering(sockets, outcomes({ clean: 1 })).serverTimeWait.serverTimeWait, 0);
  });

  await t.step("no sessions: share 0", () => {
    assert.deepEqual(findLingering(report(), outcomes()).serverTimeWait, {
      serverClosedFirst: 0,
      share: 0,
      serverTimeWait: 0,
    });
  });
});

Deno.test("findLingering: TIME_WAIT on the tester", async (t) => {
  const sockets = report({
    tester: tracks({ TIME_WAIT: { peak: 14116, end: 14000, drained: 9000 } }),
  });

  await t.step("with the ephemeral range: its share of the ports", () => {
    const findings = findLingering(sockets, outcomes({ clean: 20000 }), {
      ephemeralPorts: 28232,
    });
    assert.deepEqual(findings.testerTimeWait, {
      peak: 14116,
      ephemeralPorts: 28232,
      shareOfPorts: 0.5,
    });
  });

  await t.step("without it: the peak only", () => {
    assert.deepEqual(findLingering(sockets, outcomes({ clean: 20000 })).testerTimeWait, {
      peak: 14116,
      ephemeralPorts: null,
      shareOfPorts: null,
    });
  });

  await t.step("a peak below the baseline reads as 0", () => {
    const fewer = report({ tester: tracks({ TIME_WAIT: { baseline: 50, peak: -5 } }) });
    assert.deepEqual(findLingering(fewer, outcomes(), { ephemeralPorts: 1000 }).testerTimeWait, {
      peak: 0,
      ephemeralPorts: 1000,
      shareOfPorts: 0,
    });
  });

  await t.step("without the tester's table: no tester finding", () => {
    const findings = findLingering(
      report({ tester: null, testerSource: null }),
      outcomes({ clean: 5 }),
      { ephemeralPorts: 28232 },
    );
    assert.equal(findings.testerTimeWait, null);
    assert.equal(findings.halfOpen, null);
    // The server side is still judged.
    assert.ok(findings.closeWait !== null);
  });
});

Deno.test("findLingering: client ports in use toward the server port", () => {
  const track = { peak: 14_116, atMs: 5200, address: "127.0.0.3", port: 8080, source: "127.0.0.1" };
  const sockets = report({ testerPorts: track });
  assert.deepEqual(
    findLingering(sockets, outcomes({ clean: 9 }), { ephemeralPorts: 28232 }).testerPorts,
    { ...track, ephemeralPorts: 28232, shareOfPorts: 0.5, nearRange: false },
  );
  assert.deepEqual(findLingering(sockets, outcomes()).testerPorts, {
    ...track,
    ephemeralPorts: null,
    shareOfPorts: null,
    nearRange: false,
  });
  // From TESTER_PORTS_NEAR of the range on, synfin is the limit.
  const near = (ephemeralPorts: number) =>
    findLingering(sockets, outcomes(), { ephemeralPorts }).testerPorts?.nearRange;
  assert.equal(TESTER_PORTS_NEAR, 0.9);
  assert.equal(near(Math.floor(14_116 / 0.9)), true);
  assert.equal(near(Math.floor(14_116 / 0.9) + 100), false);
  // A report without the track (hand-built, or no tester table): no finding.
  assert.equal(findLingering(report(), outcomes()).testerPorts, null);
});

Deno.test("findLingering: half-open connections", () => {
  const findings = findLingering(report({ halfOpen: 7 }), outcomes({ clean: 7 }));
  assert.deepEqual(findings.halfOpen, { count: 7 });
  assert.deepEqual(findLingering(report(), outcomes()).halfOpen, { count: 0 });
});

Deno.test("findLingering without a census", () => {
  const unavailable: SocketsUnavailable = {
    available: false,
    reason: "192.0.2.1 is not this host: give --server-sockets CMD to read its table",
    counters: COUNTERS,
  };
  const findings = findLingering(
    unavailable,
    outcomes({ clean: 30, "server-closed-first": 10, "no-fin": 10 }),
    { ephemeralPorts: 28232 },
  );
  assert.deepEqual(findings, {
    closeWait: null,
    // The outcomes still tell who closed first; the census count is unknown.
    serverTimeWait: { serverClosedFirst: 10, share: 0.2, serverTimeWait: null },
    testerTimeWait: null,
    halfOpen: null,
    oldCloseWait: null,
    noFin: null,
    testerPorts: null,
  });
});
