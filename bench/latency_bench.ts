/**
 * Sequential handshake latency (`deno task bench`): a blocking C connect
 * loop (bench/connect_loop.c) against synfin `load -c 1 -n N` on the raw and
 * the deno engine, each in a fresh network namespace of its own against
 * bench/epoll_server.c (eof mode), rounds alternating the order; medians of
 * the handshake p50s. The C loop runs three ways: N connect() + close() one
 * after the other (the server never idles), its epoll mode (the floor of a
 * nonblocking engine), and its session mode (each connect() then our FIN and
 * the server's FIN, as `load -c 1` does, so the server sleeps between SYNs
 * and is woken inside connect() as it is for synfin).
 * Target: the raw engine's p50 within 1.5x of the blocking C connect doing
 * the same session; the ratio to the connect() + close() loop is printed too.
 *
 *     sudo deno run -A bench/latency_bench.ts
 *     SYNFIN_BENCH_N=5000 SYNFIN_BENCH_ROUNDS=5 sudo deno run -A bench/latency_bench.ts
 *
 * Needs root (`unshare -n`), `cc`, `ip`. Prints a one-line skip otherwise.
 *
 * @module
 */

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

const N = Number(Deno.env.get("SYNFIN_BENCH_N") ?? 5000);
const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 5);
const PORT = 9000;
const TARGET = 1.5;

interface Measured {
  p50Us: number;
  p99Us: number;
}

async function measure(server: string, client: string[], synfin: boolean): Promise<Measured> {
  const out = await inNamespace(
    `${startServerLines([server, String(PORT), "eof"])}
echo RESULT
${shellQuote(client)}
`,
  );
  const json = JSON.parse(afterMarker(out, "RESULT"));
  if (!synfin) {
    if (json.failed > 0) throw new Error(`C loop: ${json.failed} connects failed`);
    return { p50Us: json.p50Us, p99Us: json.p99Us };
  }
  const handshake = json.phases.handshake;
  if (handshake.count !== N) throw new Error(`synfin: ${handshake.count} handshakes of ${N}`);
  return { p50Us: handshake.p50Us, p99Us: handshake.p99Us };
}

if (import.meta.main && !skipUnlessRoot("latency_bench")) {
  const server = await buildC("epoll_server");
  const loop = await buildC("connect_loop");
  const synfin = (engine: string) =>
    synfinLoad(
      ["--engine", engine, "-c", "1", "-n", String(N), "--no-census", "--json", "-"].concat(
        `127.0.0.1:${PORT}`,
      ),
    );
  const clients: { name: string; command: string[]; synfin: boolean }[] = [
    { name: "blocking C connect loop", command: [loop, String(PORT), String(N)], synfin: false },
    {
      name: "blocking C connect, session",
      command: [loop, String(PORT), String(N), "session"],
      synfin: false,
    },
    {
      name: "nonblocking C connect + epoll",
      command: [loop, String(PORT), String(N), "epoll"],
      synfin: false,
    },
    { name: "synfin -c 1 --engine raw", command: synfin("raw"), synfin: true },
    { name: "synfin -c 1 --engine deno", command: synfin("deno"), synfin: true },
  ];
  console.log(
    `latency bench: ${N} sequential handshakes per run, ${ROUNDS} rounds, each client in its ` +
      `own network namespace, C epoll server (eof); ${navigator.hardwareConcurrency} cores, ` +
      `deno ${Deno.version.deno}`,
  );
  const results = new Map<string, Measured[]>(clients.map((c) => [c.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? clients : [...clients].reverse();
      for (const client of order) {
        results.get(client.name)!.push(await measure(server, client.command, client.synfin));
      }
    }
  } finally {
    await Deno.remove(server);
    await Deno.remove(loop);
  }
  console.log("client                        p50 (median)  p99 (median)  p50 of each run");
  const p50 = new Map<string, number>();
  for (const [name, runs] of results) {
    const m = median(runs.map((r) => r.p50Us));
    p50.set(name, m);
    console.log(
      `${name.padEnd(29)} ${`${m.toFixed(1)}us`.padStart(12)} ` +
        `${`${median(runs.map((r) => r.p99Us)).toFixed(1)}us`.padStart(13)}  ` +
        runs.map((r) => r.p50Us.toFixed(1)).join(" "),
    );
  }
  const of = (name: string) => p50.get(name)!;
  const raw = of("synfin -c 1 --engine raw");
  const session = of("blocking C connect, session");
  const ratio = raw / session;
  console.log(
    `\n${ratio <= TARGET ? "PASS" : "FAIL"}  handshake p50, raw / blocking C connect, same ` +
      `session: ${ratio.toFixed(2)} (target <= ${TARGET})`,
  );
  const info = (what: string, value: number, why = "") =>
    console.log(`info  handshake p50, ${what}: ${value.toFixed(2)}${why}`);
  info("deno / blocking C connect, same session", of("synfin -c 1 --engine deno") / session);
  info(
    "raw / C connect() + close() loop",
    raw / of("blocking C connect loop"),
    " (a server that never sleeps between SYNs)",
  );
  info("raw / nonblocking C + epoll", raw / of("nonblocking C connect + epoll"));
  Deno.exitCode = ratio <= TARGET ? 0 : 1;
}
