/**
 * A real redis-server on loopback for end-to-end tests, with no
 * persistence. `.ci/run` installs it and sets SYNFIN_REQUIRE_PEERS=1 so a
 * missing redis fails CI instead of skipping.
 */
import { waitForListener } from "./loopback.ts";

/** Whether a missing peer must fail the test rather than skip it. */
export const REDIS_REQUIRED = Deno.env.get("SYNFIN_REQUIRE_PEERS") === "1";

/** The redis-server binary, when installed. */
export const REDIS: string | undefined = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
  .find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });

/** Runs `fn` with a fresh redis-server listening on a loopback port, then stops it. */
export async function withRedis(fn: (port: number) => Promise<void>): Promise<void> {
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
