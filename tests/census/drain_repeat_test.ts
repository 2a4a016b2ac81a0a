/**
 * A repeat test of the drain's end against a slow accept loop (issue 11,
 * defect 10): the lifecycle run leaves a backlog-4 queue full, the server
 * accepts one connection every 200 ms, and a 0.3 s drain ends with some of
 * them still queued, in CLOSE_WAIT since we closed. Those are not a handler
 * leak; neither is a connection that enters the queue while the census reads
 * the table, or one accepted just before the last census. Ten runs, five at
 * a time, each against its own server.
 */

import assert from "node:assert/strict";
import * as lingerNoCloseWait from "../../scenarios/conformance/linger_no_close_wait.ts";
import { SuiteRunner } from "../../lib/suite/runner.ts";
import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const RUNS = 10;
const AT_ONCE = 5;

async function once() {
  await using server = await startReferenceServer("slow-accept", {
    backlog: 4,
    acceptDelayMs: 200,
  });
  const settings = {
    ...DEFAULT_SUITE_SETTINGS,
    connectTimeoutMs: 500,
    closeTimeoutMs: 300,
    census: { drainMs: 300 },
  };
  const result = await new SuiteRunner(server.target, [lingerNoCloseWait], { settings }).run();
  const [finding] = result.cases;
  return { finding, closeWait: result.lifecycle?.lingering?.closeWait };
}

Deno.test(`linger/no-close-wait against slow-accept (backlog 4, 200 ms): ${RUNS} runs, no false leak`, async () => {
  const runs: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < RUNS; i += AT_ONCE) {
    runs.push(...await Promise.all(Array.from({ length: AT_ONCE }, once)));
  }
  for (const [i, { finding, closeWait }] of runs.entries()) {
    assert.ok(closeWait, `run ${i}: a census`);
    assert.equal(closeWait.leakedByHandler, 0, `run ${i}: ${finding.actual}`);
    assert.equal(finding.verdict, "PASS", `run ${i}: ${finding.actual}`);
  }
  // The case under test happened: drains that ended with connections still
  // queued (each FAILED as "left in CLOSE_WAIT" before the fix).
  const queued = runs.filter((run) => (run.closeWait?.remaining ?? 0) > 0);
  assert.ok(queued.length > 0, "no run ended its drain with a queued CLOSE_WAIT");
  for (const { finding, closeWait } of queued) {
    assert.equal(closeWait?.neverAccepted, closeWait?.remaining);
    assert.match(
      finding.actual ?? "",
      /^0 accepted sockets left in CLOSE_WAIT after a 0\.\ds drain; \d still in the accept queue/,
    );
  }
});
