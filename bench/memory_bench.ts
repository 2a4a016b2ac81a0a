/**
 * Memory per held connection (long; not in `deno task bench`): one synfin
 * process holding 1,000 and then 19,000 connections (what `load -c N -n N
 * --hold 15s --no-census` does, run through the library by
 * bench/hold_driver.ts since the CLI caps `-c` at 10,000 today) against
 * bench/epoll_server.c (eof mode), each run in a
 * fresh network namespace of its own. While the run goes, the process's
 * VmRSS (/proc/PID/status) is sampled every 250 ms together with the
 * namespace's TCP sockets in use (/proc/net/sockstat, per namespace); the
 * figure is the largest RSS seen while all N connections were established
 * (2N sockets: ours and the server's; an engine that never holds all N is
 * judged on its peak, and says so). Marginal memory =
 * (RSS@19,000 - RSS@1,000) / 18,000. Target for the raw engine: at most 1 KB
 * per connection; the deno engine is measured for comparison.
 *
 *     sudo deno run -A bench/memory_bench.ts
 *     SYNFIN_BENCH_ENGINES=raw SYNFIN_BENCH_ROUNDS=3 SYNFIN_BENCH_HOLD_MS=15000 sudo deno run -A bench/memory_bench.ts
 *
 * 19,000 connections need `ulimit -n` 20,000 for the server and for synfin
 * (the hard limit on the project machines). Needs root (`unshare -n`), `cc`,
 * `ip`. Prints a one-line skip otherwise.
 *
 * @module
 */

import {
  afterMarker,
  buildC,
  inNamespace,
  median,
  ROOT,
  shellQuote,
  skipUnlessRoot,
  startServerLines,
} from "./netns.ts";

const ENGINES = (Deno.env.get("SYNFIN_BENCH_ENGINES") ?? "raw,deno").split(",");
const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 1);
const HOLD_MS = Number(Deno.env.get("SYNFIN_BENCH_HOLD_MS") ?? 15_000);
const PORT = 9000;
const SMALL = 1_000;
const LARGE = 19_000;
const TARGET_KB = 1;

interface Held {
  /** Largest VmRSS (KB) while all connections were established; NaN if never. */
  rssKb: number;
  /** VmRSS (KB) at the first sample. */
  firstRssKb: number;
  heldSamples: number;
  clean: number;
  /** Most connections established at once (sockets in use / 2), and the largest RSS (KB). */
  peakHeld: number;
  peakRssKb: number;
}

async function hold(server: string, engine: string, n: number): Promise<Held> {
  const command = [
    Deno.execPath(),
    "run",
    "-q",
    "-A",
    `${ROOT}bench/hold_driver.ts`,
    engine,
    String(n),
    String(HOLD_MS),
    "127.0.0.1",
    String(PORT),
  ];
  const out = await inNamespace(
    `${startServerLines([server, String(PORT), "eof"])}
client_out=$(mktemp)
( ulimit -n 20000; exec ${shellQuote(command)} ) > "$client_out" 2>/dev/null &
client=$!
while kill -0 $client 2>/dev/null; do
  inuse=$(awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)
  rss=$(awk '$1 == "VmRSS:" {print $2}' /proc/$client/status 2>/dev/null || true)
  [ -n "$rss" ] && echo "SAMPLE $inuse $rss"
  sleep 0.25
done
wait $client || true
echo RESULT
cat "$client_out"
rm -f "$client_out"
`,
  );
  const samples = [...out.matchAll(/^SAMPLE (\d+) (\d+)$/gm)].map((m) => ({
    inuse: Number(m[1]),
    rssKb: Number(m[2]),
  }));
  const held = samples.filter((s) => s.inuse >= 2 * n);
  const json = JSON.parse(afterMarker(out, "RESULT"));
  return {
    rssKb: held.length ? Math.max(...held.map((s) => s.rssKb)) : NaN,
    firstRssKb: samples[0]?.rssKb ?? NaN,
    heldSamples: held.length,
    clean: json.outcomes.clean,
    peakHeld: Math.floor(Math.max(0, ...samples.map((s) => s.inuse - 1)) / 2),
    peakRssKb: Math.max(0, ...samples.map((s) => s.rssKb)),
  };
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

if (import.meta.main && !skipUnlessRoot("memory_bench")) {
  const server = await buildC("epoll_server");
  console.log(
    `memory bench: one synfin process holding ${SMALL} and ${LARGE} connections ` +
      `(hold ${HOLD_MS} ms), ${ROUNDS} round(s), each run in its own network namespace, ` +
      `C epoll server (eof); ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}`,
  );
  let failed = false;
  try {
    console.log(
      "engine  held     RSS while all held  held samples  clean sessions  peak held (RSS)",
    );
    const marginal = new Map<string, number>();
    for (const engine of ENGINES) {
      const deltas: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const small = await hold(server, engine, SMALL);
        const large = await hold(server, engine, LARGE);
        for (const [n, h] of [[SMALL, small], [LARGE, large]] as const) {
          console.log(
            `${engine.padEnd(7)} ${String(n).padEnd(8)} ${mb(h.rssKb).padStart(18)}  ` +
              `${String(h.heldSamples).padStart(12)}  ${String(h.clean).padStart(14)}  ` +
              `${h.peakHeld} (${mb(h.peakRssKb)})`,
          );
        }
        // An engine that never held all N at once is judged on what it did hold.
        deltas.push(
          Number.isNaN(large.rssKb)
            ? (large.peakRssKb - small.rssKb) / (large.peakHeld - SMALL)
            : (large.rssKb - small.rssKb) / (LARGE - SMALL),
        );
        if (Number.isNaN(large.rssKb)) {
          console.log(
            `        (${engine} never held all ${LARGE} at once: at most ${large.peakHeld}; ` +
              `its figure below is (peak RSS - RSS@${SMALL}) / (peak held - ${SMALL}))`,
          );
        }
      }
      marginal.set(engine, median(deltas));
    }
    console.log("");
    for (const [engine, kb] of marginal) {
      const text = `marginal memory, --engine ${engine}: ${kb.toFixed(2)} KB per held connection ` +
        `((RSS@${LARGE} - RSS@${SMALL}) / ${LARGE - SMALL})`;
      if (engine !== "raw") {
        console.log(`info  ${text}`);
        continue;
      }
      const ok = kb <= TARGET_KB;
      if (!ok) failed = true;
      console.log(`${ok ? "PASS" : "FAIL"}  ${text}, target <= ${TARGET_KB} KB`);
    }
    const raw = marginal.get("raw");
    const deno = marginal.get("deno");
    if (raw !== undefined && deno !== undefined) {
      console.log(`info  deno / raw marginal memory: ${(deno / raw).toFixed(0)}x`);
    }
  } finally {
    await Deno.remove(server);
  }
  Deno.exitCode = failed ? 1 : 0;
}
