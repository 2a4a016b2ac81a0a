/**
 * End-to-end against redis-server on loopback, started by the test with no
 * persistence. `.ci/run` installs it and sets SYNFIN_REQUIRE_PEERS=1 so a
 * missing redis fails CI instead of skipping.
 */
import assert from "node:assert/strict";
import { suiteEveryMustPasses } from "../support/cli.ts";
import { REDIS, REDIS_REQUIRED as REQUIRED, withRedis } from "../support/redis.ts";

Deno.test({
  name: "redis: the conformance suite passes every MUST case",
  ignore: !REDIS && !REQUIRED,
  async fn() {
    assert.ok(REDIS, "redis-server is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await withRedis(async (port) => {
      const result = await suiteEveryMustPasses(port);
      assert.equal(result.passed, true);
      // Redis answers the probe line with an error reply, then closes on our FIN.
      const halfClose = result.cases.find((c: { id: string }) => c.id === "close/half-close");
      assert.match(halfClose.actual, /10 received a reply/);
    });
  },
});
