/**
 * End-to-end against redis-server on loopback, started by the test with no
 * persistence. `.ci/run` installs it and sets SYNFIN_REQUIRE_PEERS=1 so a
 * missing redis fails CI instead of skipping.
 */
import assert from "node:assert/strict";
import { suiteEveryMustPasses } from "../support/cli.ts";
import { waitForListener } from "../support/loopback.ts";

const REQUIRED = Deno.env.get("SYNFIN_REQUIRE_PEERS") === "1";
const REDIS = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

async function withRedis(fn: (port: number) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "synfin-redis-" });
  const port = 20000 + Math.floor(Math.random() * 12000);
  const redis = new Deno.Command(REDIS!, {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--maxclients",
      "10000",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    if (!await waitForListener(port)) throw new Error(`redis-server did not start on ${port}`);
    await fn(port);
  } finally {
    redis.kill("SIGTERM");
    await redis.status;
    await Deno.remove(dir, { recursive: true });
  }
}

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
