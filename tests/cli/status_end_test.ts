/**
 * The one progress line a run prints at its end when stderr is not a
 * terminal: its words from the final result, and that only a non-terminal
 * gets it (a terminal saw the live line instead).
 */

import assert from "node:assert/strict";
import { StatusLine } from "../../lib/cli/status.ts";
import {
  renderBacklogEnd,
  renderIdleEnd,
  renderLoadEnd,
  renderSuiteEnd,
} from "../../lib/cli/status_end.ts";
import type { LoadEnd } from "../../lib/cli/status_end.ts";

const LOAD: LoadEnd = {
  durationMs: 1512,
  sessions: 598,
  sessionsPerSecond: 396,
  outcomes: { clean: 590, reset: 8 } as never,
  load: { durationLimitMs: 1500, sessionsLimit: null },
  phases: { handshake: { count: 598, p99Us: 1240 } },
  timeSeries: { points: [{ started: 400 }, { started: 200 }] },
};

Deno.test("status end: a load's line has elapsed/planned, started, finished, rate, outcomes, p99", () => {
  assert.equal(
    renderLoadEnd(LOAD),
    "ran 1.5s / 1.5s  600 started  598 finished  396/s  reset 8  clean 590  handshake p99 1.2ms",
  );
  // A session bound is the plan; no handshake recorded, no p99.
  assert.equal(
    renderLoadEnd({
      ...LOAD,
      durationMs: 400,
      sessions: 20,
      sessionsPerSecond: 50,
      outcomes: { refused: 20 } as never,
      load: { durationLimitMs: null, sessionsLimit: 20 },
      phases: { handshake: { count: 0, p99Us: 0 } },
      timeSeries: { points: [{ started: 20 }] },
    }),
    "ran 400ms  20 started  20 / 20 finished  50/s  refused 20",
  );
});

Deno.test("status end: check's line counts the cases by verdict", () => {
  const result = {
    durationMs: 2140,
    cases: [{ verdict: "PASS" }, { verdict: "SKIP" }, { verdict: "FAIL" }, { verdict: "PASS" }],
  } as const;
  assert.equal(renderSuiteEnd(result), "ran 4 cases in 2.1s  PASS 2  FAIL 1  SKIP 1");
  assert.equal(renderSuiteEnd({ durationMs: 50, cases: [] }), "ran 0 cases in 0.1s");
});

Deno.test("status end: backlog's line has the bursts, their sizes and the handshakes", () => {
  const burst = (size: number, firstSyn: number, synRetransmitted = 0, resets = 0) => ({
    size,
    firstSyn,
    synRetransmitted,
    resets,
    connectTimeouts: 0,
    noFin: 0,
    otherFailures: 0,
  });
  assert.equal(
    renderBacklogEnd({
      target: "127.0.0.1:8080",
      durationMs: 3210,
      bursts: [burst(16, 16), burst(64, 60, 3, 1), burst(32, 32)],
    }),
    "ran 3 bursts of 16 to 64 connects against 127.0.0.1:8080 in 3.2s  " +
      "first SYN 108  SYN retransmitted 3  reset 1",
  );
  assert.equal(
    renderBacklogEnd({ target: "[::1]:80", durationMs: 90, bursts: [burst(8, 8)] }),
    "ran 1 burst of 8 connects against [::1]:80 in 0.1s  first SYN 8",
  );
  assert.equal(
    renderBacklogEnd({ target: "[::1]:80", durationMs: 90, bursts: [] }),
    "ran 0 bursts against [::1]:80 in 0.1s",
  );
});

Deno.test("status end: idle's line has elapsed/bound, opened, and how they ended", () => {
  assert.equal(
    renderIdleEnd({
      connections: 4,
      opened: 3,
      connectErrors: { ECONNREFUSED: 1 },
      boundMs: 2000,
      elapsedMs: 2010,
      finAfterMs: [500],
      resetAfterMs: [],
      stillOpen: 2,
      otherErrors: {},
    }),
    "ran 2.0s / 2.0s  3 of 4 connections opened  FIN 1  still open 2  connect errors 1",
  );
});

Deno.test("status end: only a non-terminal gets the line, prefixed like every message", () => {
  const written: string[] = [];
  new StatusLine(false, (text) => written.push(text)).end("ran 3 cases in 2.1s  PASS 3");
  assert.deepEqual(written, ["synfin: ran 3 cases in 2.1s  PASS 3\n"]);
  new StatusLine(true, () => assert.fail("a terminal saw the live line")).end("ran");
});
