/**
 * The client of bench/memory_bench.ts: one process running
 * `new LoadRunner(target, { concurrency: N, sessions: N, holdMs })` through
 * the library, because the CLI caps `-c` at 10,000 (lib/cli/load_args.ts)
 * while the bench needs 19,000. Prints one JSON line with the outcomes.
 *
 *     deno run -A bench/hold_driver.ts ENGINE N HOLD_MS HOST PORT
 *
 * @module
 */

import type { EngineName } from "../lib/engine/load.ts";
import { LoadRunner } from "../lib/engine/runner.ts";

const [engine, n, holdMs, hostname, port] = Deno.args;
const result = await new LoadRunner(
  { hostname, port: Number(port), label: `${hostname}:${port}` },
  {
    engine: engine as EngineName,
    concurrency: Number(n),
    sessions: Number(n),
    holdMs: Number(holdMs),
    connectTimeoutMs: 30_000,
  },
).run();
console.log(JSON.stringify({
  engine: result.engine,
  sessions: result.tally.sessions,
  outcomes: result.tally.outcomes,
  durationMs: result.durationMs,
  eventLoops: result.maxInFlightPerEventLoop.length,
}));
