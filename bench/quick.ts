/**
 * `deno task bench`: the benchmarks that take minutes, not tens of minutes,
 * one after the other (each prints its own ratios, measured in its own
 * run), and exits 1 if any missed a target. peers_bench and latency_bench
 * need root for their network namespaces and print a one-line skip without
 * it. The long ones are scripts of their own (see the usage comment of
 * each): concurrency_bench.ts, memory_bench.ts, synretrans_bench.ts,
 * engine_bench.ts.
 *
 *     deno task bench
 *
 * @module
 */

const QUICK = ["peers_bench.ts", "latency_bench.ts", "burst_bench.ts"];

const missed: string[] = [];
for (const bench of QUICK) {
  console.log(`\n## bench/${bench}`);
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-A", new URL(bench, import.meta.url).pathname],
  }).spawn().status;
  if (!status.success) missed.push(bench);
}
console.log(missed.length ? `\nmissed a target: ${missed.join(", ")}` : "\nevery target met");
Deno.exitCode = missed.length ? 1 : 0;
