/** Tests for lib/census/load_verdict.ts: the load's verdict and its reasons, as `load` prints them. */
import assert from "node:assert/strict";
import { judgeLoad } from "../../lib/census/load_verdict.ts";
import type { LoadWithCensus } from "../../lib/census/load.ts";
import { findLingering } from "../../lib/census/findings.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import type { LoadResult } from "../../lib/engine/runner.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import { loadResult, repeat, tallyOf } from "../support/load_fixtures.ts";
import { report, tracks } from "../support/socket_fixtures.ts";

const CLEAN: SessionRecord = {
  outcome: "clean",
  phase: "close",
  handshakeUs: 30,
  closeUs: 80,
  bytesReceived: 0,
  errors: [],
};

const NO_FIN: SessionRecord = {
  outcome: "no-fin",
  phase: "close",
  handshakeUs: 30,
  bytesReceived: 0,
  errors: [],
};

const RESET: SessionRecord = {
  outcome: "reset",
  phase: "close",
  errno: "ECONNRESET",
  handshakeUs: 40,
  bytesReceived: 0,
  errors: [{ phase: "close", operation: "read", errno: "ECONNRESET" }],
};

/** A run of `records`, with a census of `sockets` when given. */
function run(
  records: SessionRecord[],
  overrides: Partial<LoadResult> = {},
  sockets?: ReturnType<typeof report>,
): LoadWithCensus {
  const result = loadResult(tallyOf(records), overrides);
  const summary = summarizeLoad(result);
  if (sockets === undefined) return { result, summary };
  return {
    result,
    summary: { ...summary, sockets, lingering: findLingering(sockets, summary.outcomes) },
  };
}

Deno.test("judgeLoad: clean sessions and a quiet census pass, with no reason", () => {
  assert.deepEqual(judgeLoad(run(repeat(20, CLEAN))), { verdict: "pass", reasons: [] });
  assert.deepEqual(judgeLoad(run(repeat(20, CLEAN), {}, report())), {
    verdict: "pass",
    reasons: [],
  });
});

Deno.test("judgeLoad: failing outcomes fail, counted per outcome in OUTCOMES order", () => {
  const verdict = judgeLoad(run([...repeat(3, RESET), ...repeat(2, NO_FIN), ...repeat(5, CLEAN)]));
  assert.deepEqual(verdict, {
    verdict: "fail",
    reasons: ["FAIL: 5 of 10 sessions failed (reset 3, no-fin 2)"],
  });
});

Deno.test("judgeLoad: no session finished is a failure", () => {
  assert.deepEqual(judgeLoad(run([])), {
    verdict: "fail",
    reasons: ["FAIL: no session finished"],
  });
});

Deno.test("judgeLoad: CLOSE_WAIT left after the drain fails, after the outcomes' reason", () => {
  const leaky = report({ server: tracks({ CLOSE_WAIT: { peak: 20, end: 20, drained: 20 } }) });
  assert.deepEqual(judgeLoad(run(repeat(20, CLEAN), {}, leaky)), {
    verdict: "fail",
    reasons: ["FAIL: 20 server sockets left in CLOSE_WAIT after the drain"],
  });
  // The leaky server's run: the no-fin sessions are the first reason, the CLOSE_WAIT the second.
  assert.deepEqual(judgeLoad(run(repeat(20, NO_FIN), {}, leaky)).reasons, [
    "FAIL: 20 of 20 sessions failed (no-fin 20)",
    "FAIL: 20 server sockets left in CLOSE_WAIT after the drain",
  ]);
});

Deno.test("judgeLoad: half-open connections fail: the accept queue overflowed", () => {
  assert.deepEqual(judgeLoad(run(repeat(8, CLEAN), {}, report({ halfOpen: 3 }))), {
    verdict: "fail",
    reasons: ["FAIL: 3 half-open connections: the server's accept queue overflowed"],
  });
});

Deno.test("judgeLoad: a run stopped by the signal is interrupted, whatever it saw", () => {
  assert.deepEqual(judgeLoad(run(repeat(4, RESET), { stoppedBy: "signal" })), {
    verdict: "interrupted",
    reasons: ["interrupted: the report above covers the sessions that finished"],
  });
});

Deno.test("judgeLoad: the tester's own limit is not the server's failure, and says what to do", async (t) => {
  await t.step("out of file descriptors", () => {
    for (const errno of ["EMFILE", "ENFILE"]) {
      const records = repeat(4, RESET);
      assert.deepEqual(
        judgeLoad(run(records, { stoppedBy: "tester-limit", testerLimitErrno: errno })),
        {
          verdict: "tester-limit",
          reasons: [
            "stopped early, synfin ran out of file descriptors (EMFILE): lower --concurrency " +
            "or raise `ulimit -n`",
          ],
        },
      );
    }
  });
  await t.step("out of local ports", () => {
    const limited = run(repeat(4, CLEAN), {
      stoppedBy: "tester-limit",
      testerLimitErrno: "EADDRNOTAVAIL",
    });
    assert.deepEqual(judgeLoad(limited).reasons, [
      "stopped early, synfin ran out of local ports or memory (EADDRNOTAVAIL): lower " +
      "--concurrency or --rate, or widen net.ipv4.ip_local_port_range",
    ]);
  });
});
