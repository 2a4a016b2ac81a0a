/**
 * `deno task bench` (quick): how tightly synfin fires a burst. Fires bursts
 * of 256, 1024 and 2048 simultaneous connects (`runBurst`, the engine of
 * `backlog` and `handshake/burst`) at nginx on loopback and at the C epoll
 * server (bench/epoll_server.c, eof mode, so the server is not the noise),
 * and prints the spread of the connect calls, first to last, over the
 * workers. Targets (medians of the bursts): 2048 connects within 15 ms, 1024
 * within 8 ms. Beside each size it prints the floor of this machine: the
 * same burst from C (bench/burst_connect.c, one thread per core, sockets
 * opened before a barrier), so a target the kernel's own connect() cost
 * puts out of reach shows as such. Without nginx or `cc` that server is
 * skipped with one line.
 * As root it runs in a fresh network namespace of its own (`unshare -n`).
 *
 *     deno run -A bench/burst_bench.ts
 *     SYNFIN_BENCH_ENGINE=deno SYNFIN_BENCH_ROUNDS=7 SYNFIN_BENCH_SERVERS=c deno run -A ...
 *
 * @module
 */

import { runBurst } from "../lib/backlog/burst.ts";
import type { EngineName } from "../lib/engine/load.ts";
import { startNginx } from "../tests/support/nginx.ts";
import type { Target } from "../lib/base/target.ts";
import { fileURLToPath as fromFileUrl } from "node:url";
import { buildC, isRoot, median, shellQuote } from "./netns.ts";

const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 7);
const ENGINE = (Deno.env.get("SYNFIN_BENCH_ENGINE") ?? "raw") as EngineName;
const SERVERS = (Deno.env.get("SYNFIN_BENCH_SERVERS") ?? "nginx,c").split(",");
const TARGETS_MS: Record<number, number> = { 1024: 8, 2048: 15 };

type WithServer = (fn: (target: Target) => Promise<void>) => Promise<string | undefined>;

const target = (port: number): Target => ({
  hostname: "127.0.0.1",
  port,
  label: `127.0.0.1:${port}`,
});

/** nginx, or the reason it cannot run. */
const withNginx: WithServer = async (fn) => {
  let nginx;
  try {
    nginx = await startNginx({ backlog: 4096 });
  } catch (error) {
    if (error instanceof Error && /not installed/.test(error.message)) return "nginx not installed";
    throw error;
  }
  try {
    await fn(target(nginx.port));
  } finally {
    await nginx.close();
  }
  return undefined;
};

/** The C epoll server in eof mode (listen backlog 4096), or the reason it cannot run. */
const withCServer: WithServer = async (fn) => {
  let binary;
  try {
    binary = await buildC("epoll_server");
  } catch (error) {
    return `no C server (${error instanceof Error ? error.message.split("\n")[0] : error})`;
  }
  const port = 20000 + Math.floor(Math.random() * 12000);
  const server = new Deno.Command(binary, { args: [String(port), "eof"], stdout: "piped" })
    .spawn();
  try {
    const reader = server.stdout.getReader();
    await reader.read();
    reader.releaseLock();
    await server.stdout.cancel();
    await fn(target(port));
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(binary);
  }
  return undefined;
};

const SERVER_KINDS: Record<string, { name: string; run: WithServer }> = {
  nginx: { name: "nginx (1 worker, backlog 4096)", run: withNginx },
  c: { name: "C epoll server (eof, backlog 4096)", run: withCServer },
};

// As root the bench re-runs itself in a fresh network namespace, so the
// TIME_WAIT sockets other work left on this host's loopback do not slow its
// connect() calls.
const inner = Deno.env.get("SYNFIN_BENCH_NETNS") === "1";
if (!inner && isRoot()) {
  const self = shellQuote([Deno.execPath(), "run", "-q", "-A", fromFileUrl(import.meta.url)]);
  const status = await new Deno.Command("unshare", {
    args: ["-n", "sh", "-c", `ip link set lo up && exec ${self}`],
    env: { SYNFIN_BENCH_NETNS: "1" },
  }).spawn().status;
  Deno.exit(status.code);
}
console.log(
  inner
    ? "burst bench: in a fresh network namespace"
    : "burst bench: in this host's network namespace (not root: no unshare -n)",
);
/** The C floor's spreads of `size`-connect bursts at `port`, ms (empty without `cc`). */
async function cFloor(binary: string | undefined, port: number, size: number): Promise<number[]> {
  if (!binary) return [];
  const args = [String(port), String(size), String(navigator.hardwareConcurrency), String(ROUNDS)];
  const out = await new Deno.Command(binary, { args, stdout: "piped" }).output();
  if (!out.success) throw new Error(`burst_connect ${args.join(" ")} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout)).spreadsMs;
}

const floorBinary = await buildC("burst_connect").catch(() => undefined);
let failed = false;
for (const kind of SERVERS) {
  const { name, run } = SERVER_KINDS[kind];
  const skipped = await run(async (target) => {
    console.log(
      `\nburst spread against ${name}, --engine ${ENGINE} (${ROUNDS} bursts per size, ` +
        `hold 300 ms); ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}`,
    );
    console.log(
      "size  workers     min  median     max   C floor  (connect calls, first to last)",
    );
    const medians = new Map<number, number>();
    for (const size of [256, 1024, 2048]) {
      const spreads: number[] = [];
      let workers = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const burst = await runBurst(target, size, {
          engine: ENGINE,
          holdMs: 300,
          closeTimeoutMs: 1000,
          census: "off",
        });
        spreads.push(burst.spreadMs);
        workers = burst.eventLoops;
        // Let the server's accepted sockets close before the next burst.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      medians.set(size, median(spreads));
      const floor = await cFloor(floorBinary, target.port, size);
      console.log(
        `${String(size).padStart(4)}  ${String(workers).padStart(7)}  ` +
          [Math.min(...spreads), median(spreads), Math.max(...spreads)]
            .map((v) => `${v.toFixed(1)}ms`.padStart(7)).join(" ") +
          `  ${floor.length ? `${median(floor).toFixed(1)}ms`.padStart(8) : "       -"}` +
          `   runs: ${spreads.map((v) => v.toFixed(1)).join(" ")}` +
          (floor.length ? `; C: ${floor.map((v) => v.toFixed(1)).join(" ")}` : ""),
      );
    }
    for (const [size, limit] of Object.entries(TARGETS_MS)) {
      const m = medians.get(Number(size))!;
      const ok = m <= limit;
      if (!ok) failed = true;
      console.log(
        `${ok ? "PASS" : "FAIL"}  median spread of a ${size} burst (${kind}, ${ENGINE}): ` +
          `${m.toFixed(1)} ms (target <= ${limit} ms)`,
      );
    }
  });
  if (skipped) console.log(`burst bench against ${kind}: skipped (${skipped})`);
}
if (floorBinary) await Deno.remove(floorBinary);
else console.log("C floor: skipped (no cc)");
Deno.exitCode = failed ? 1 : 0;
