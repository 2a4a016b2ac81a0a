/**
 * The examples in examples/ run as a user runs them: the real CLI against
 * redis-server and the echo reference server, with their own thresholds.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { synfin } from "./support/cli.ts";
import { REDIS, REDIS_REQUIRED, withRedis } from "./support/redis.ts";
import { startReferenceServer } from "../lib/testing/reference_servers.ts";
import type { LoadSummary } from "../lib/census/load_summary.ts";

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
type Thresholds = { thresholds: { expression: string; passed: boolean }[] };

Deno.test({
  name: "examples/redis_ping.ts passes its thresholds against redis-server",
  ignore: !REDIS && !REDIS_REQUIRED,
  async fn() {
    assert.ok(REDIS, "redis-server is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await withRedis(async (port) => {
      // Shorter than its 10 s: the test keeps the example's thresholds, not its length.
      const run = await synfin(["run", example("redis_ping.ts"), `127.0.0.1:${port}`]
        .concat(["-d", "1s", "-c", "10", "--json", "-"]));
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as LoadSummary & Thresholds;
      assert.ok(summary.sessions > 100, `only ${summary.sessions} sessions`);
      assert.equal(summary.outcomes.clean, summary.sessions);
      assert.deepEqual(summary.thresholds.map((t) => [t.expression, t.passed]), [
        ["handshake.p99<50ms", true],
        ["checks>99%", true],
        ["outcome.reset==0", true],
      ]);
    });
  },
});

Deno.test("examples/line_protocol.ts passes against the echo server, fails against a leaky one", async () => {
  await using echo = await startReferenceServer("well-behaved");
  const run = await synfin(["run", example("line_protocol.ts"), echo.target.label]
    .concat(["-d", "1s", "--json", "-"]));
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary & Thresholds;
  assert.ok(summary.thresholds.every((t) => t.passed), JSON.stringify(summary.thresholds));
  assert.deepEqual(
    summary.checks?.map((c) => [c.tags?.command, c.fails]),
    [["HELLO", 0], ["GET", 0], ["BYE", 0]],
  );
  // A server that answers but never closes: every session no-fin, its threshold fails.
  await using leaky = await startReferenceServer("leaky");
  const failed = await synfin(["run", example("line_protocol.ts"), leaky.target.label]
    .concat(["-n", "10", "--close-timeout", "300ms", "--no-census"]));
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stdout, /FAIL\s+outcome\.no-fin = 10 of 10/);
});
