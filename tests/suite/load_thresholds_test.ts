import assert from "node:assert/strict";
import { evaluateLoadThresholds } from "../../lib/suite/load_thresholds.ts";
import { parseThreshold } from "../../lib/suite/threshold.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import { loadResult, repeat, tallyOf } from "../support/load_fixtures.ts";

const CLEAN = {
  outcome: "clean" as const,
  phase: "close" as const,
  handshakeUs: 30,
  closeUs: 80,
  bytesReceived: 0,
  errors: [],
};

Deno.test("evaluateLoadThresholds reads the load summary's metrics", () => {
  const summary = summarizeLoad(loadResult(tallyOf(repeat(10, CLEAN))));
  const results = evaluateLoadThresholds(
    ["handshake.p99<1ms", "outcome.clean==100%", "handshake.p99<1us"].map(parseThreshold),
    summary,
  );
  assert.deepEqual(results.map((r) => r.passed), [true, true, false]);
  assert.match(results[2].message, /^handshake\.p99 = .*, limit < 1us: over by /);
});

Deno.test("evaluateLoadThresholds: socket metrics are missing without a census", () => {
  const summary = summarizeLoad(loadResult(tallyOf(repeat(2, CLEAN))));
  const [result] = evaluateLoadThresholds([parseThreshold("server.closeWait==0")], summary);
  assert.equal(result.passed, false);
  assert.match(result.message, /^no metric "server\.closeWait"/);
});

Deno.test("evaluateLoadThresholds: a failure on a run cut by a tester limit says so", () => {
  const summary = summarizeLoad(loadResult(tallyOf(repeat(2, CLEAN))));
  const [held, failed] = evaluateLoadThresholds(
    ["sessions==2", "sessions>5"].map(parseThreshold),
    summary,
    { cutByTesterLimit: true },
  );
  assert.equal(held.message, "sessions = 2, limit == 2: ok");
  assert.equal(
    failed.message,
    "sessions = 2, limit > 5: under by 3 (measured on a run cut by a tester limit)",
  );
});
