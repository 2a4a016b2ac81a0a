/**
 * The scenario runner against the fixed `load` path (issue 12): the
 * built-in `half-close` scenario (`run half-close`, async JavaScript per
 * session on the engine's socket layer) and plain `load` (the engine's own
 * session machine) on the same engine, same concurrency, same server,
 * alternating, each run in a fresh network namespace (`unshare -n`, `ip
 * link set lo up`: counters, ports and TIME_WAIT its own), counted by synfin
 * and by the kernel's `TcpPassiveOpens`. The client half-closes first, so
 * the run spreads over 8 destination addresses (127.0.0.1-8; `SYNFIN_BENCH_ADDRESSES`) to stay clear
 * of one destination's TIME_WAIT ceiling (~14k/s, docs/tcp-facts.md).
 * Target: the scenario runner at 0.90x the fixed path or more.
 *
 *     sudo deno run -A bench/scenario_bench.ts
 *     SYNFIN_BENCH_ENGINE=deno SYNFIN_BENCH_ROUNDS=5 sudo deno run -A bench/scenario_bench.ts
 *
 * Needs root, `cc`, `ip`, `nstat`; prints a one-line skip otherwise.
 *
 * @module
 */

import {
  afterMarker,
  buildC,
  inNamespace,
  median,
  NSTAT_FUNCTION,
  shellQuote,
  skipUnlessRoot,
  synfinLoad,
} from "./netns.ts";

const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 3);
const DURATION = Deno.env.get("SYNFIN_BENCH_DURATION") ?? "6s";
const ENGINE = Deno.env.get("SYNFIN_BENCH_ENGINE") ?? "raw";
const CONCURRENCY = Deno.env.get("SYNFIN_BENCH_C") ?? "100";
// Not 4: both paths then ran into 4 x ~14.1k/s of TIME_WAIT (54.4k and
// 53.7k/s, 0.987x) and the ratio said nothing about the scenario runner.
const ADDRESSES = Number(Deno.env.get("SYNFIN_BENCH_ADDRESSES") ?? 8);
const PORT = 9000;
const TARGET = 0.9;

const CASES = [
  { name: "load (fixed path)", args: [] as string[] },
  { name: "run half-close (scenario)", args: ["--scenario", "half-close"] },
];

async function measure(binary: string, name: string, args: string[]): Promise<number> {
  const client = synfinLoad([
    ...args,
    ...["--engine", ENGINE, "-c", CONCURRENCY, "-d", DURATION, "--no-census", "--json", "-"],
    `127.0.0.1-127.0.0.${ADDRESSES}:${PORT}`,
  ]);
  const out = await inNamespace(`${NSTAT_FUNCTION}
out=$(mktemp)
( ulimit -n 20000; exec ${shellQuote([binary, String(PORT), "eof", "0.0.0.0"])} ) > "$out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for t in $(seq 200); do [ -s "$out" ] && break; sleep 0.05; done
before=$(nstat_value TcpPassiveOpens)
json=$(${shellQuote(client)}) || true
after=$(nstat_value TcpPassiveOpens)
echo RESULT
echo "{\\"kernel\\": $((after - before)), \\"synfin\\": $json}"
`);
  const { kernel, synfin } = JSON.parse(afterMarker(out, "RESULT"));
  const sessions = synfin.phases.handshake.count;
  if (synfin.outcomes.clean !== synfin.sessions) {
    // Which path, and what its errors were, so a rare one can be told apart.
    const errors = JSON.stringify(synfin.errors);
    throw new Error(
      `${name}: not every session clean: ${JSON.stringify(synfin.outcomes)} ${errors}`,
    );
  }
  // The preflight's one connection is the kernel's too.
  if (kernel !== sessions + 1) {
    throw new Error(`synfin ${sessions} + 1 preflight, kernel ${kernel}`);
  }
  return sessions / (synfin.durationMs / 1000);
}

if (import.meta.main && !skipUnlessRoot("scenario_bench")) {
  const binary = await buildC("epoll_server");
  console.log(
    `scenario bench: --engine ${ENGINE} -c ${CONCURRENCY} -d ${DURATION}, ${ADDRESSES} destinations, client ` +
      `half-closes first, C epoll server (eof), ${ROUNDS} rounds alternating, each run in its own ` +
      `network namespace; ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}`,
  );
  const rates = CASES.map(() => [] as number[]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) rates[i].push(await measure(binary, CASES[i].name, CASES[i].args));
    }
  } finally {
    await Deno.remove(binary);
  }
  for (const [i, { name }] of CASES.entries()) {
    console.log(
      `  ${name.padEnd(28)} median ${Math.round(median(rates[i]))} sessions/s  runs: ` +
        rates[i].map(Math.round).join(", "),
    );
  }
  const ratio = median(rates[1]) / median(rates[0]);
  const met = ratio >= TARGET;
  console.log(
    `  ratio scenario / fixed: ${ratio.toFixed(3)}x (target ${TARGET}x): ${met ? "met" : "MISSED"}`,
  );
  if (!met) Deno.exit(1);
}
