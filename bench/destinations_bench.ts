/**
 * Several destinations and source addresses past the per-destination
 * TIME_WAIT limit (`deno task bench`). The client half-closes first
 * (bench/epoll_server.c in eof mode), so the client keeps each TIME_WAIT:
 * one destination ip:port then caps the churn at about its ephemeral ports
 * (28,232) per TIME_WAIT reuse interval (about 1 s with tcp_tw_reuse on
 * loopback), ~14k/s. Spread over 4 destination ports, 4 destination
 * addresses or 4 source addresses, each pair has its own ports.
 *
 * Each run is `synfin load --engine raw -c 100 -d 6s` in a fresh network
 * namespace (counters, ports and TIME_WAIT its own), counted by synfin and
 * by the kernel's `TcpPassiveOpens` (which also counts the preflight's one
 * connection); rounds alternate the order; medians. Target: a spread run at
 * least 3x the one-destination run.
 *
 *     sudo deno run -A bench/destinations_bench.ts
 *     SYNFIN_BENCH_ROUNDS=5 SYNFIN_BENCH_SERVERS=2 sudo deno run -A bench/destinations_bench.ts
 *
 * `SYNFIN_BENCH_SERVERS` server processes share each listening port with
 * SO_REUSEPORT (default 1), for when one server thread is the bottleneck.
 * Needs root (`unshare -n`), `cc`, `ip`, `nstat`. Prints a one-line skip otherwise.
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
const SERVERS = Number(Deno.env.get("SYNFIN_BENCH_SERVERS") ?? 1);
const DURATION = Deno.env.get("SYNFIN_BENCH_DURATION") ?? "6s";
const PORT = 9000;
const TARGET = 3;

interface Case {
  name: string;
  /** Listening ports and the address each server binds. */
  listen: { port: number; address: string }[];
  args: string[];
}

const PORTS = [PORT, PORT + 1, PORT + 2, PORT + 3];
const CASES: Case[] = [
  {
    name: "1 destination",
    listen: [{ port: PORT, address: "0.0.0.0" }],
    args: [`127.0.0.1:${PORT}`],
  },
  {
    name: "4 destination ports",
    listen: PORTS.map((port) => ({ port, address: "127.0.0.1" })),
    args: [`127.0.0.1:${PORTS.join(",")}`],
  },
  {
    name: "4 destination addresses",
    listen: [{ port: PORT, address: "0.0.0.0" }],
    args: [`127.0.0.1-127.0.0.4:${PORT}`],
  },
  {
    name: "4 source addresses",
    listen: [{ port: PORT, address: "0.0.0.0" }],
    args: ["--source", "127.0.0.1-127.0.0.4", `127.0.0.1:${PORT}`],
  },
];

interface Measured {
  perSecond: number;
  sessions: number;
  kernel: number;
}

/** Bash lines starting every server of a case (each prints "ready"), killed on exit. */
function serverLines(binary: string, listen: Case["listen"]): string {
  const starts = listen.flatMap(({ port, address }) =>
    Array.from({ length: SERVERS }, () => shellQuote([binary, String(port), "eof", address]))
  );
  return `
pids=""
trap 'kill $pids 2>/dev/null' EXIT
${
    starts.map((command, i) => `
out${i}=$(mktemp)
( ulimit -n 20000; exec ${command} ) > "$out${i}" 2>&1 &
pids="$pids $!"
for t in $(seq 200); do [ -s "$out${i}" ] && break; sleep 0.05; done
grep -q ready "$out${i}" || { echo "server ${i} did not start: $(cat "$out${i}")" >&2; exit 1; }
`).join("")
  }`;
}

async function measure(binary: string, item: Case): Promise<Measured> {
  const client = synfinLoad(
    ["--engine", "raw", "-c", "100", "-d", DURATION, "--no-census", "--json", "-"].concat(
      item.args,
    ),
  );
  const out = await inNamespace(`${NSTAT_FUNCTION}${serverLines(binary, item.listen)}
before=$(nstat_value TcpPassiveOpens)
json=$(${shellQuote(client)}) || true # a failed session exits 1: counted below
after=$(nstat_value TcpPassiveOpens)
echo RESULT
echo "{\\"kernel\\": $((after - before)), \\"synfin\\": $json}"
`);
  const { kernel, synfin } = JSON.parse(afterMarker(out, "RESULT"));
  const sessions = synfin.phases.handshake.count;
  const failed = synfin.sessions - synfin.outcomes.clean;
  if (failed > 0) {
    console.log(`${item.name}: ${failed} sessions not clean: ${JSON.stringify(synfin.errors)}`);
  }
  // The preflight's one connection is the kernel's too.
  if (kernel !== sessions + 1) {
    throw new Error(`${item.name}: synfin ${sessions} handshakes + 1 preflight, kernel ${kernel}`);
  }
  return { perSecond: sessions / (synfin.durationMs / 1000), sessions, kernel };
}

if (import.meta.main && !skipUnlessRoot("destinations_bench")) {
  const binary = await buildC("epoll_server");
  console.log(
    `destinations bench: synfin load --engine raw -c 100 -d ${DURATION}, client half-closes ` +
      `first, ${ROUNDS} rounds, each run in its own network namespace, C epoll server (eof) x` +
      `${SERVERS} per port; ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}`,
  );
  const results = new Map<string, Measured[]>(CASES.map((c) => [c.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? CASES : [...CASES].reverse();
      for (const item of order) results.get(item.name)!.push(await measure(binary, item));
    }
  } finally {
    await Deno.remove(binary);
  }
  console.log("case                      sessions/s (median)  each run (synfin = kernel - 1)");
  const rates = new Map<string, number>();
  for (const [name, runs] of results) {
    const m = median(runs.map((r) => r.perSecond));
    rates.set(name, m);
    console.log(
      `${name.padEnd(25)} ${Math.round(m).toLocaleString("en-US").padStart(19)}  ` +
        runs.map((r) => Math.round(r.perSecond)).join(" "),
    );
  }
  const one = rates.get(CASES[0].name)!;
  let best = 0;
  for (const item of CASES.slice(1)) {
    const ratio = rates.get(item.name)! / one;
    best = Math.max(best, ratio);
    console.log(`info  ${item.name} / 1 destination: ${ratio.toFixed(2)}`);
  }
  const pass = best >= TARGET;
  console.log(
    `\n${pass ? "PASS" : "FAIL"}  best spread / 1 destination: ${best.toFixed(2)} ` +
      `(target >= ${TARGET})`,
  );
  Deno.exitCode = pass ? 0 : 1;
}
