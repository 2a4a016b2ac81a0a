/**
 * `deno task bench` (second part): how tightly synfin fires a burst. Fires
 * bursts of 256, 1024 and 2048 simultaneous connects at nginx on loopback
 * (or, without nginx, the well-behaved reference server in a child process)
 * and prints the spread of the connect calls, first to last, across the
 * workers; the target is a 1024-connect spread under about 50 ms (median).
 *
 * @module
 */

import { runBurst } from "../lib/backlog/burst.ts";
import { startNginx } from "../tests/support/nginx.ts";
import type { Target } from "../lib/base/target.ts";

const ROUNDS = 7;
const SPREAD_TARGET_MS = 50;

async function withServer(fn: (target: Target, name: string) => Promise<void>): Promise<void> {
  try {
    await using nginx = await startNginx({ backlog: 4096 });
    await fn(
      { hostname: "127.0.0.1", port: nginx.port, label: `127.0.0.1:${nginx.port}` },
      "nginx",
    );
    return;
  } catch (error) {
    if (!(error instanceof Error && /not installed/.test(error.message))) throw error;
  }
  const port = 20000 + Math.floor(Math.random() * 12000);
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "-A",
      new URL("../lib/testing/reference_servers.ts", import.meta.url).pathname,
      "well-behaved",
      String(port),
    ],
    stdout: "null",
  }).spawn();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await fn({ hostname: "127.0.0.1", port, label: `127.0.0.1:${port}` }, "reference well-behaved");
  } finally {
    server.kill("SIGTERM");
    await server.status;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

await withServer(async (target, name) => {
  console.log(`burst spread against ${name} (${ROUNDS} bursts per size, hold 300 ms)`);
  console.log("size  workers     min  median     max   (connect calls, first to last)");
  let median1024 = Infinity;
  for (const size of [256, 1024, 2048]) {
    const spreads: number[] = [];
    let workers = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const burst = await runBurst(target, size, {
        holdMs: 300,
        closeTimeoutMs: 1000,
        census: "off",
      });
      spreads.push(burst.spreadMs);
      workers = burst.eventLoops;
      // Let the server's accepted sockets close before the next burst.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const m = median(spreads);
    if (size === 1024) median1024 = m;
    console.log(
      `${String(size).padStart(4)}  ${String(workers).padStart(7)}  ` +
        [Math.min(...spreads), m, Math.max(...spreads)]
          .map((v) => `${v.toFixed(1)}ms`.padStart(7)).join(" "),
    );
  }
  const pass = median1024 < SPREAD_TARGET_MS;
  console.log(
    `\n${pass ? "PASS" : "FAIL"}  median spread of a 1024 burst: ${median1024.toFixed(1)} ms ` +
      `(target < ${SPREAD_TARGET_MS} ms)`,
  );
});
