/**
 * Kernel evidence check (long; not in `deno task bench`): against a slow
 * acceptor with a tiny backlog (the reference server `slow-accept`, backlog
 * 4, one accept per 50 ms), in a fresh network namespace of its own, a
 * raw-engine load whose handshakes overflow the backlog. The SYN
 * retransmissions synfin read from TCP_INFO (`kernel.synRetransmits` of the
 * JSON summary, summed over its sessions) are compared with the namespace's
 * `nstat -az TcpExtTCPSynRetrans` delta. Both sides live in the namespace, so
 * the kernel counter also counts the server's SYN-ACK retransmissions (a
 * handshake's final ACK dropped because the accept queue was full): the
 * bench prints `TcpExtListenOverflows` and `TcpExtListenDrops` beside it to
 * show how much of a gap that explains.
 *
 *     sudo deno run -A bench/synretrans_bench.ts
 *     SYNFIN_BENCH_ROUNDS=3 SYNFIN_BENCH_C=50 SYNFIN_BENCH_N=150 sudo deno run -A ...
 *
 * Needs root (`unshare -n`) and `ip`. Prints a one-line skip otherwise.
 *
 * @module
 */

import {
  afterMarker,
  inNamespace,
  NSTAT_FUNCTION,
  ROOT,
  shellQuote,
  skipUnlessRoot,
  startServerLines,
  synfinLoad,
} from "./netns.ts";

const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 3);
const CONCURRENCY = Number(Deno.env.get("SYNFIN_BENCH_C") ?? 50);
const SESSIONS = Number(Deno.env.get("SYNFIN_BENCH_N") ?? 150);
const BACKLOG = 4;
const TOLERANCE = 0.02;
const PORT = 9000;
const COUNTERS = [
  "TcpExtTCPSynRetrans",
  "TcpExtListenOverflows",
  "TcpExtListenDrops",
  "TcpRetransSegs",
];

interface Round {
  synfin: number;
  sessionsWithRetransmits: number;
  evidenceSessions: number;
  sessions: number;
  outcomes: Record<string, number>;
  kernel: Record<string, number>;
}

async function round(): Promise<Round> {
  const server = [
    Deno.execPath(),
    "run",
    "-q",
    "-A",
    `${ROOT}lib/testing/reference_servers.ts`,
    "slow-accept",
    String(PORT),
    String(BACKLOG),
  ];
  const client = synfinLoad([
    "--engine",
    "raw",
    "-c",
    String(CONCURRENCY),
    "-n",
    String(SESSIONS),
    // Long enough that no handshake times out: a timed-out one carries no TCP_INFO.
    "--connect-timeout",
    "30s",
    "--no-census",
    "--json",
    "-",
    `127.0.0.1:${PORT}`,
  ]);
  const before = COUNTERS.map((c) => `echo "BEFORE ${c} $(nstat_value ${c})"`).join("\n");
  const after = COUNTERS.map((c) => `echo "AFTER ${c} $(nstat_value ${c})"`).join("\n");
  const out = await inNamespace(
    `${NSTAT_FUNCTION}${startServerLines(server)}
${before}
client_out=$(mktemp)
${shellQuote(client)} > "$client_out" 2>/dev/null || true
${after}
echo RESULT
cat "$client_out"
rm -f "$client_out"
`,
  );
  const value = (when: string, counter: string) =>
    Number(new RegExp(`^${when} ${counter} (\\d+)$`, "m").exec(out)?.[1] ?? NaN);
  const json = JSON.parse(afterMarker(out, "RESULT"));
  return {
    synfin: json.kernel?.synRetransmits ?? 0,
    sessionsWithRetransmits: json.kernel?.sessionsWithSynRetransmits ?? 0,
    evidenceSessions: json.kernel?.sessions ?? 0,
    sessions: json.sessions,
    outcomes: json.outcomes,
    kernel: Object.fromEntries(COUNTERS.map((c) => [c, value("AFTER", c) - value("BEFORE", c)])),
  };
}

if (import.meta.main && !skipUnlessRoot("synretrans_bench")) {
  console.log(
    `SYN retransmission bench: load --engine raw -c ${CONCURRENCY} -n ${SESSIONS} against ` +
      `slow-accept (backlog ${BACKLOG}, 1 accept / 50 ms), ${ROUNDS} rounds, each in its own ` +
      "network namespace",
  );
  console.log(
    "round  synfin TCP_INFO  sessions w/ retrans  TCPSynRetrans  ListenOverflows  " +
      "ListenDrops  RetransSegs  sessions (with TCP_INFO)",
  );
  let synfinSum = 0;
  let kernelSum = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round();
    synfinSum += r.synfin;
    kernelSum += r.kernel.TcpExtTCPSynRetrans;
    const notClean = Object.entries(r.outcomes).filter(([k, v]) => k !== "clean" && v > 0)
      .map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(
      `${String(i + 1).padEnd(5)}  ${String(r.synfin).padStart(15)}  ` +
        `${String(r.sessionsWithRetransmits).padStart(19)}  ` +
        `${String(r.kernel.TcpExtTCPSynRetrans).padStart(13)}  ` +
        `${String(r.kernel.TcpExtListenOverflows).padStart(15)}  ` +
        `${String(r.kernel.TcpExtListenDrops).padStart(11)}  ` +
        `${String(r.kernel.TcpRetransSegs).padStart(11)}  ` +
        `${r.sessions} (${r.evidenceSessions})${notClean ? `; ${notClean}` : ""}`,
    );
  }
  const share = kernelSum > 0 ? synfinSum / kernelSum : NaN;
  // The namespace's counter also holds the server's SYN-ACK retransmissions,
  // which no client sees: synfin may fall short of it by a little, never exceed it.
  const ok = synfinSum <= kernelSum && synfinSum >= kernelSum * (1 - TOLERANCE);
  console.log(
    `\n${ok ? "PASS" : "FAIL"}  SYN retransmissions, synfin's TCP_INFO sum / the kernel's ` +
      `TCPSynRetrans delta: ${synfinSum} / ${kernelSum} = ${share.toFixed(3)} ` +
      `(target: equal, or short by at most ${TOLERANCE * 100}%)`,
  );
  Deno.exitCode = ok ? 0 : 1;
}
