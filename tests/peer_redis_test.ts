/**
 * End-to-end against redis-server on loopback, started by the test with no
 * persistence. `.ci/run` installs it and sets SYNFIN_REQUIRE_PEERS=1 so a
 * missing redis fails CI instead of skipping.
 */
import assert from "node:assert/strict";
import { synfin } from "./support/cli.ts";

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
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
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
      const run = await synfin([
        "-d",
        "1s",
        "--idle-bound",
        "1s",
        "--json",
        "-",
        `127.0.0.1:${port}`,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const result = JSON.parse(run.stdout);
      for (const c of result.cases) {
        if (c.severity === "MUST") assert.equal(c.verdict, "PASS", `${c.id}: ${c.actual}`);
      }
      assert.equal(result.passed, true);
      // Redis answers the probe line with an error reply, then closes on our FIN.
      const halfClose = result.cases.find((c: { id: string }) => c.id === "close/half-close");
      assert.match(halfClose.actual, /10 received a reply/);
    });
  },
});
