/**
 * Tests for lib/report/socket_text.ts, on hand-built socket reports; the
 * findings come from findLingering or are built by hand.
 */

import assert from "node:assert/strict";
import { outcomes, report, tracks } from "../support/socket_fixtures.ts";
import { findLingering, type LingerFindings } from "../../lib/census/findings.ts";
import { FINDING_ADVICE, noFinMeaning, renderSocketReport } from "../../lib/report/socket_text.ts";
import type { SocketsUnavailable } from "../../lib/census/socket_report.ts";
import type { KernelCounters } from "../../lib/census/kernel_counters.ts";

/** Hand-built findings: nothing found, tester table read. */
function findings(fields: Partial<LingerFindings> = {}): LingerFindings {
  return {
    closeWait: { remaining: 0, neverAccepted: 0, leakedByHandler: 0, noFinSessions: 0 },
    serverTimeWait: { serverClosedFirst: 0, share: 0, serverTimeWait: 0 },
    testerTimeWait: { peak: 0, ephemeralPorts: null, shareOfPorts: null },
    halfOpen: { count: 0 },
    ...fields,
  };
}

const COUNTERS: KernelCounters = {
  listenOverflows: 3,
  listenDrops: 4,
  tcpSynRetrans: 5,
  syncookiesSent: 0,
  syncookiesRecv: 0,
  syncookiesFailed: 0,
  tcpReqQFullDoCookies: 0,
  tcpReqQFullDrop: 0,
  retransSegs: 9,
  tcpTimeWaitOverflow: 0,
};

Deno.test("FINDING_ADVICE: one line of advice per finding", () => {
  assert.deepEqual(Object.keys(FINDING_ADVICE).sort(), [
    "finUnacked",
    "halfOpen",
    "leakedByHandler",
    "neverAccepted",
    "oldCloseWait",
    "serverTimeWait",
    "testerPorts",
    "testerTimeWait",
    "zeroWindow",
  ]);
  for (const [key, advice] of Object.entries(FINDING_ADVICE)) {
    assert.ok(advice.length > 40 && !advice.includes("\n"), key);
  }
  assert.match(FINDING_ADVICE.leakedByHandler, /does not close the socket after reading EOF/);
  assert.match(FINDING_ADVICE.neverAccepted, /accept loop/);
});

Deno.test("renderSocketReport: a CLOSE_WAIT leak, split into accepted and never accepted", () => {
  const sockets = report({
    server: tracks({ CLOSE_WAIT: { peak: 20, end: 20, drained: 12 } }),
    tester: tracks({ FIN_WAIT2: { peak: 20, end: 20, drained: 20 } }),
    acceptQueue: { backlog: 8, baseline: 1, peak: 9, end: 9, drained: 5 },
    counters: COUNTERS,
  });
  const lines = renderSocketReport(sockets, findLingering(sockets, outcomes({ "no-fin": 20 })));
  assert.deepEqual(lines, [
    "sockets of the server port (local /proc/net/tcp; 8 censuses, every 500ms, drain 3.0s of 3.0s)",
    "  side    state       before  peak  end  drained",
    "  server  CLOSE_WAIT       0   +20  +20      +12",
    "  tester  FIN_WAIT2        0   +20  +20      +20",
    "  accept queue: backlog 8, before 1, peak 9, end 9, drained 5",
    "  kernel counters (whole namespace): ListenOverflows +3, ListenDrops +4, " +
    "TCPSynRetrans +5, SyncookiesSent 0",
    "",
    "findings",
    "  CLOSE_WAIT LEAK: 12 server sockets left in CLOSE_WAIT after the drain " +
    "(20 sessions got no FIN from the server)",
    `    8 accepted: ${FINDING_ADVICE.leakedByHandler}`,
    `    4 never accepted: ${FINDING_ADVICE.neverAccepted}`,
    "  TIME_WAIT on the server: none (the client closed first)",
    "  TIME_WAIT on the tester: up to 0",
    "  half-open connections: none seen",
  ]);
});

Deno.test("renderSocketReport: the census table", async (t) => {
  await t.step("lists only the states whose count changed, with signed deltas", () => {
    const sockets = report({
      server: tracks({
        ESTABLISHED: { baseline: 3, peak: 50, end: 0, drained: 0 },
        TIME_WAIT: { baseline: 7, peak: 0, end: -2, drained: -7 },
      }),
      tester: tracks({ TIME_WAIT: { baseline: 1, peak: 50, end: 50, drained: 49 } }),
    });
    const lines = renderSocketReport(sockets, findings());
    const table = lines.filter((line) => /^ {2}(server|tester) /.test(line));
    assert.deepEqual(table, [
      "  server  ESTABLISHED       3   +50    0        0",
      "  server  TIME_WAIT         7     0   -2       -7",
      "  tester  TIME_WAIT         1   +50  +50      +49",
    ]);
    const census = lines.slice(0, lines.indexOf("findings"));
    for (const state of ["SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT"]) {
      assert.ok(!census.some((line) => line.includes(state)), `${state} is not listed`);
    }
  });

  await t.step("says so when nothing changed", () => {
    const lines = renderSocketReport(report(), findings());
    assert.equal(lines[1], "  no socket of the port changed state count");
    assert.ok(!lines.some((line) => line.includes("side")), "no table header");
    assert.equal(lines[2], "  accept queue: backlog 4096, before 0, peak 0, end 0, drained 0");
  });

  await t.step("failed reads, a remote source, an unknown backlog, no tester table", () => {
    const lines = renderSocketReport(
      report({
        source: "command: ssh db cat /proc/net/tcp",
        testerSource: null,
        tester: null,
        readErrors: 2,
        samples: 3,
        intervalMs: 250,
        drainedAfterMs: 1234,
        drainWindowMs: 5000,
        acceptQueue: { backlog: null, baseline: 0, peak: 2, end: 0, drained: 0 },
      }),
      findings({ testerTimeWait: null, halfOpen: null }),
    );
    assert.equal(
      lines[0],
      "sockets of the server port (command: ssh db cat /proc/net/tcp; 3 censuses, every 250ms, " +
        "drain 1.2s of 5.0s, 2 reads failed)",
    );
    assert.ok(lines.includes("  tester side: not readable"));
    assert.ok(
      lines.includes("  accept queue: backlog unknown, before 0, peak 2, end 0, drained 0"),
    );
    assert.ok(!lines.some((line) => line.includes("kernel counters")), "no counters line");
    assert.ok(!lines.some((line) => /TIME_WAIT on the tester|half-open|HALF-OPEN/.test(line)));
  });

  await t.step("no listener: no accept-queue line", () => {
    const lines = renderSocketReport(report({ acceptQueue: null }), findings());
    assert.ok(!lines.some((line) => line.includes("accept queue")));
  });
});

Deno.test("renderSocketReport: without a census, prints the reason", () => {
  const unavailable: SocketsUnavailable = {
    available: false,
    reason: "192.0.2.1 is not this host: give --server-sockets CMD to read its table",
    counters: null,
  };
  const lines = renderSocketReport(
    unavailable,
    findLingering(unavailable, outcomes({ clean: 10 })),
  );
  assert.deepEqual(lines, [
    "sockets: no census (192.0.2.1 is not this host: give --server-sockets CMD to read its table)",
    "  only the client-side evidence (outcomes) is reported",
    "",
    "findings",
    "  CLOSE_WAIT: no census; the no-fin outcome (server never answered our FIN) is the " +
    "client-side sign of a leak",
    "  TIME_WAIT on the server: none (the client closed first)",
  ]);
  // Counters read without a census are still shown.
  const withCounters = renderSocketReport(
    { ...unavailable, counters: COUNTERS },
    findLingering(unavailable, outcomes({ clean: 10 })),
  );
  assert.match(withCounters[2], /^ {2}kernel counters \(whole namespace\): ListenOverflows \+3,/);
});

Deno.test("renderSocketReport: finding lines", async (t) => {
  const findingsPart = (f: LingerFindings): string[] => {
    const lines = renderSocketReport(report(), f);
    return lines.slice(lines.indexOf("findings") + 1);
  };

  await t.step("client ports near the range: synfin's limit, with when and toward what", () => {
    const near = {
      peak: 27_900,
      atMs: 12_400,
      address: "127.0.0.1",
      port: 8080,
      source: "127.0.0.1",
      ephemeralPorts: 28_232,
    };
    const lines = findingsPart(
      findings({ testerPorts: { ...near, shareOfPorts: 27_900 / 28_232, nearRange: true } }),
    );
    const at = lines.indexOf(
      "  CLIENT PORTS: 27,900 of 28,232 in use toward 127.0.0.1:8080 at 12.4 s (98.8%)",
    );
    assert.ok(at >= 0, lines.join("\n"));
    assert.equal(lines[at + 1], `    ${FINDING_ADVICE.testerPorts}`);
    assert.match(FINDING_ADVICE.testerPorts, /synfin's limit, not the server's/);
    // Far from the range, or the range unknown: no line.
    const far = findingsPart(
      findings({
        testerPorts: { ...near, peak: 100, shareOfPorts: 100 / 28_232, nearRange: false },
      }),
    );
    const unknown = findingsPart(
      findings({
        testerPorts: { ...near, ephemeralPorts: null, shareOfPorts: null, nearRange: false },
      }),
    );
    for (const quiet of [far, unknown]) {
      assert.ok(!quiet.some((line) => line.includes("CLIENT PORTS")));
    }
    const v6 = findingsPart(
      findings({
        testerPorts: { ...near, address: "::1", shareOfPorts: 27_900 / 28_232, nearRange: true },
      }),
    );
    assert.ok(v6.some((line) => line.includes(" toward [::1]:8080 at ")), v6.join("\n"));
  });

  await t.step("no CLOSE_WAIT left but sessions without FIN", () => {
    const lines = findingsPart(findings({
      closeWait: { remaining: 0, neverAccepted: 0, leakedByHandler: 0, noFinSessions: 5 },
    }));
    assert.equal(
      lines[0],
      "  CLOSE_WAIT: none left on the server after the drain (but 5 sessions got no FIN in time)",
    );
  });

  await t.step("a leak only in the handler prints no never-accepted line", () => {
    const lines = findingsPart(findings({
      closeWait: { remaining: 3, neverAccepted: 0, leakedByHandler: 3, noFinSessions: 3 },
    }));
    assert.equal(lines[1], `    3 accepted: ${FINDING_ADVICE.leakedByHandler}`);
    assert.ok(!lines.some((line) => line.includes("never accepted:")));
  });

  await t.step("CLOSE_WAIT only in the accept queue: not called a leak", () => {
    const lines = findingsPart(findings({
      closeWait: { remaining: 2, neverAccepted: 2, leakedByHandler: 0, noFinSessions: 9 },
    }));
    assert.deepEqual(lines.slice(0, 2), [
      "  CLOSE_WAIT: 2 server sockets left in CLOSE_WAIT after the drain, none accepted " +
      "(not a handler leak)",
      `    2 never accepted: ${FINDING_ADVICE.neverAccepted}`,
    ]);
    assert.ok(!lines.some((line) => line.includes("LEAK")));
  });

  await t.step("old CLOSE_WAIT that disappeared: a line of their own, after this run's", () => {
    const lines = findingsPart(findings({
      closeWait: { remaining: 4, neverAccepted: 0, leakedByHandler: 4, noFinSessions: 4 },
      oldCloseWait: { before: 49, gone: 40 },
    }));
    assert.deepEqual(lines.slice(0, 4), [
      "  CLOSE_WAIT LEAK: 4 server sockets left in CLOSE_WAIT after the drain " +
      "(4 sessions got no FIN from the server)",
      `    4 accepted: ${FINDING_ADVICE.leakedByHandler}`,
      "  old CLOSE_WAIT: 40 of the 49 there before the run disappeared during it " +
      "(reset by reused ports, or closed)",
      `    ${FINDING_ADVICE.oldCloseWait}`,
    ]);
    const none = findingsPart(findings({ oldCloseWait: { before: 3, gone: 0 } }));
    assert.ok(!none.some((line) => line.includes("old CLOSE_WAIT")));
  });

  await t.step("FINs never acknowledged: behind a closed window, or dropped", () => {
    const windowShut = findingsPart(findings({
      closeWait: { remaining: 0, neverAccepted: 0, leakedByHandler: 0, noFinSessions: 5 },
      noFin: { sessions: 5, finAcked: 0, finUnacked: 5, unsentBytes: 5 },
    }));
    assert.deepEqual(windowShut.slice(1, 3), [
      "  FIN NOT ACKNOWLEDGED: 5 of our sockets sat in FIN_WAIT1 after the close timeout, " +
      "5 with bytes still unsent",
      `    ${FINDING_ADVICE.zeroWindow}`,
    ]);
    const mixed = findingsPart(findings({
      noFin: { sessions: 6, finAcked: 2, finUnacked: 4, unsentBytes: 1 },
    }));
    assert.deepEqual(mixed.slice(1, 4), [
      "  FIN NOT ACKNOWLEDGED: 4 of our sockets sat in FIN_WAIT1 after the close timeout, " +
      "1 with bytes still unsent",
      `    ${FINDING_ADVICE.zeroWindow}`,
      `    ${FINDING_ADVICE.finUnacked}`,
    ]);
    const acked = findingsPart(findings({
      noFin: { sessions: 3, finAcked: 3, finUnacked: 0, unsentBytes: 0 },
    }));
    assert.ok(!acked.some((line) => line.includes("FIN_WAIT1")));
  });

  await t.step("TIME_WAIT on the server, with and without the census count", () => {
    const withCensus = findingsPart(findings({
      serverTimeWait: { serverClosedFirst: 30, share: 0.25, serverTimeWait: 28 },
    }));
    assert.deepEqual(withCensus.slice(1, 3), [
      "  TIME_WAIT ON THE SERVER: the server closed first in 30 sessions (25.0%), " +
      "up to 28 server TIME_WAIT sockets",
      `    ${FINDING_ADVICE.serverTimeWait}`,
    ]);
    const withoutCensus = findingsPart(findings({
      closeWait: null,
      serverTimeWait: { serverClosedFirst: 1, share: 1 / 3, serverTimeWait: null },
    }));
    assert.equal(
      withoutCensus[1],
      "  TIME_WAIT ON THE SERVER: the server closed first in 1 sessions (33.3%)",
    );
    // The census alone (no outcome closed first) is enough.
    const censusOnly = findingsPart(findings({
      serverTimeWait: { serverClosedFirst: 0, share: 0, serverTimeWait: 4 },
    }));
    assert.match(censusOnly[1], /^ {2}TIME_WAIT ON THE SERVER: .* 0 sessions \(0\.0%\), up to 4 /);
  });

  await t.step("TIME_WAIT on the tester: advice only past half the port range", () => {
    const half = findingsPart(findings({
      testerTimeWait: { peak: 14116, ephemeralPorts: 28232, shareOfPorts: 0.5 },
    }));
    assert.equal(
      half[2],
      "  TIME_WAIT on the tester: up to 14116 of 28232 ephemeral ports (50.0%)",
    );
    assert.ok(!half.includes(`    ${FINDING_ADVICE.testerTimeWait}`));
    const most = findingsPart(findings({
      testerTimeWait: { peak: 20000, ephemeralPorts: 28232, shareOfPorts: 20000 / 28232 },
    }));
    assert.deepEqual(most.slice(2, 4), [
      "  TIME_WAIT on the tester: up to 20000 of 28232 ephemeral ports (70.8%)",
      `    ${FINDING_ADVICE.testerTimeWait}`,
    ]);
  });

  await t.step("half-open connections, with the advice", () => {
    const lines = findingsPart(findings({ halfOpen: { count: 3 } }));
    assert.deepEqual(lines.slice(-2), [
      "  HALF-OPEN: 3 connections",
      `    ${FINDING_ADVICE.halfOpen}`,
    ]);
  });
});

Deno.test("renderSocketReport: a full TIME_WAIT table is said beside the counts it lowers", () => {
  const lines = renderSocketReport(
    report({ counters: { ...COUNTERS, tcpTimeWaitOverflow: 35 } }),
    findLingering(report(), outcomes({ clean: 20 })),
  );
  assert.match(
    lines.join("\n"),
    /TIME_WAIT TABLE FULL: 35 closes left no TIME_WAIT \(net\.ipv4\.tcp_max_tw_buckets reached/,
  );
});

Deno.test("noFinMeaning: the no-fin outcome in words, from our sockets' state", () => {
  const meaning = (finAcked: number, finUnacked: number, unsentBytes: number) =>
    noFinMeaning({ noFin: { sessions: finAcked + finUnacked, finAcked, finUnacked, unsentBytes } });
  const closeWait = "the server never answered our FIN: its socket sits in CLOSE_WAIT";
  assert.equal(noFinMeaning(undefined), closeWait, "no census");
  assert.equal(noFinMeaning({ noFin: null }), closeWait, "no tester table");
  assert.equal(meaning(5, 0, 0), closeWait, "every FIN acknowledged");
  assert.equal(
    meaning(0, 5, 5),
    "the server never acknowledged our FIN: its receive window is closed, our bytes and FIN " +
      "unsent (our socket in FIN_WAIT1)",
  );
  assert.equal(
    meaning(0, 2, 0),
    "the server never acknowledged our FIN: its host or the path dropped it " +
      "(our socket in FIN_WAIT1)",
  );
  assert.equal(
    meaning(0, 3, 1),
    "the server never acknowledged our FIN: 1 behind a closed receive window, the rest dropped " +
      "(our socket in FIN_WAIT1)",
  );
  assert.equal(
    meaning(2, 3, 3),
    "the server never answered our FIN: 2 acknowledged it and sit in CLOSE_WAIT, " +
      "3 never acknowledged it (our socket in FIN_WAIT1)",
  );
});
