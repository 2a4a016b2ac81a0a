/**
 * Timings at scale (long; not in `deno task bench`): the raw engine at
 * C=100 and at C=10,000 against bench/epoll_server.c (eof mode), each run
 * in a fresh network namespace of its own, rounds alternating the order.
 * Targets: no stalled handshake at C=10,000 (a handshake taking at least half
 * the run), and the handshake p50 at C=10,000 within 3x of the p50 at C=100
 * (medians of the rounds).
 *
 *     sudo deno run -A bench/concurrency_bench.ts
 *     SYNFIN_BENCH_MS=6000 SYNFIN_BENCH_ROUNDS=3 SYNFIN_BENCH_ENGINE=raw sudo deno run -A ...
 *
 * Needs root (`unshare -n`), `cc`, `ip`. Prints a one-line skip otherwise.
 *
 * @module
 */

import { LatencyHistogram } from "../lib/engine/histogram.ts";
import {
  afterMarker,
  buildC,
  inNamespace,
  median,
  shellQuote,
  skipUnlessRoot,
  startServerLines,
  synfinLoad,
} from "./netns.ts";

const RUN_MS = Number(Deno.env.get("SYNFIN_BENCH_MS") ?? 6000);
const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 3);
const ENGINE = Deno.env.get("SYNFIN_BENCH_ENGINE") ?? "raw";
const PORT = 9000;
const LEVELS = [100, 10_000];
const P50_TARGET = 3;

interface Measured {
  sessions: number;
  durationMs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  stalled: number;
  notClean: number;
  maxInFlight: number[];
}

async function measure(server: string, concurrency: number): Promise<Measured> {
  const command = synfinLoad([
    "--engine",
    ENGINE,
    "-c",
    String(concurrency),
    "-d",
    `${RUN_MS}ms`,
    "--no-census",
    "--json",
    "-",
    `127.0.0.1:${PORT}`,
  ]);
  const out = await inNamespace(
    `${startServerLines([server, String(PORT), "eof"])}
echo RESULT
${shellQuote(command)}
`,
  );
  const json = JSON.parse(afterMarker(out, "RESULT"));
  const handshake = json.phases.handshake;
  const histogram = LatencyHistogram.decode(handshake.histogram);
  return {
    sessions: json.sessions,
    durationMs: json.durationMs,
    p50Us: handshake.p50Us,
    p99Us: handshake.p99Us,
    maxUs: handshake.maxUs,
    stalled: histogram.countAtOrAbove((json.durationMs / 2) * 1000),
    notClean: json.sessions - json.outcomes.clean,
    maxInFlight: json.load.maxInFlightPerEventLoop,
  };
}

const us = (v: number) => v >= 1000 ? `${(v / 1000).toFixed(2)}ms` : `${v.toFixed(0)}us`;

if (import.meta.main && !skipUnlessRoot("concurrency_bench")) {
  const server = await buildC("epoll_server");
  console.log(
    `concurrency bench: --engine ${ENGINE}, C=${LEVELS.join(" and C=")}, ${RUN_MS} ms per run, ` +
      `${ROUNDS} rounds, each run in its own network namespace, C epoll server (eof); ` +
      `${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}`,
  );
  const runs = new Map<number, Measured[]>(LEVELS.map((c) => [c, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? LEVELS : [...LEVELS].reverse();
      for (const c of order) runs.get(c)!.push(await measure(server, c));
    }
  } finally {
    await Deno.remove(server);
  }
  console.log("C       sessions/s  handshake p50     p99     max  stalled  not clean  in flight");
  for (const [c, list] of runs) {
    for (const m of list) {
      console.log(
        `${String(c).padEnd(7)} ${(m.sessions / m.durationMs * 1000).toFixed(0).padStart(10)}  ` +
          `${us(m.p50Us).padStart(13)} ${us(m.p99Us).padStart(7)} ${us(m.maxUs).padStart(7)}  ` +
          `${String(m.stalled).padStart(7)}  ${String(m.notClean).padStart(9)}  ` +
          m.maxInFlight.join("/"),
      );
    }
  }
  const p50 = (c: number) => median(runs.get(c)!.map((m) => m.p50Us));
  const ratio = p50(10_000) / p50(100);
  const stalled = Math.max(...runs.get(10_000)!.map((m) => m.stalled));
  const checks: [string, boolean][] = [
    [`stalled handshakes at C=10,000 (>= half the run), worst run: ${stalled}`, stalled === 0],
    [
      `handshake p50 C=10,000 / C=100, medians: ${ratio.toFixed(2)} ` +
      `(${us(p50(10_000))} / ${us(p50(100))}; target <= ${P50_TARGET})`,
      ratio <= P50_TARGET,
    ],
  ];
  console.log("");
  for (const [what, ok] of checks) console.log(`${ok ? "PASS" : "FAIL"}  ${what}`);
  Deno.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
}
