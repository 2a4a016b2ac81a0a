/**
 * The long benchmark: synfin's two engines against tcpkali, wrk and a plain
 * one-loop Deno client, each run in a fresh network namespace of its own
 * (`unshare -n`, then `ip link set lo up`) so that counters, ports and
 * TIME_WAIT are that client's alone, against the single-threaded C server
 * bench/epoll_server.c. Connections are counted by the kernel
 * (`nstat -az TcpPassiveOpens` before and after) and, for synfin, also by its
 * own tally: the bench fails if the two disagree.
 *
 *     sudo deno run -A bench/peers_bench.ts            # 3 rounds of 6 s runs
 *     SYNFIN_BENCH_MS=3000 SYNFIN_BENCH_ROUNDS=1 ...   # shorter
 *     SYNFIN_BENCH_MODES=http SYNFIN_BENCH_CLIENTS=raw,wrk ...   # one mode, two clients
 *
 * Needs root (for `unshare -n`), `cc`, `ip` and `nstat`; tcpkali
 * ($SYNFIN_TCPKALI, ../shared/peers/tcpkali or on PATH) and wrk are used
 * when present. Other work on the machine shows as noise: the bench prints
 * the load average before and after, and every run beside the medians.
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";
import { buildC, median, shellQuote, skipUnlessRoot } from "./netns.ts";

const RUN_MS = Number(Deno.env.get("SYNFIN_BENCH_MS") ?? 6000);
const ROUNDS = Number(Deno.env.get("SYNFIN_BENCH_ROUNDS") ?? 3);
const CONCURRENCY = Number(Deno.env.get("SYNFIN_BENCH_C") ?? 100);
// A comma list narrows the run: modes by name, clients by part of their name.
const ONLY_MODES = Deno.env.get("SYNFIN_BENCH_MODES")?.split(",");
const ONLY_CLIENTS = Deno.env.get("SYNFIN_BENCH_CLIENTS")?.split(",");
const PORT = 9000;
const ROOT = fromFileUrl(new URL("../", import.meta.url));
const CLI = `${ROOT}cli.ts`;
const CONFIG = `${ROOT}deno.json`;
const HTTP_REQUEST = "GET / HTTP/1.0\r\n\r\n";
const PREFLIGHT_CONNECTS = 1;
/** Client closes first, one destination ip:port: the kernel's ceiling (docs/tcp-facts.md). */
const TIME_WAIT_LIMIT = 14_100;

type Mode = "accept-close" | "eof" | "http";
const MODES: { mode: Mode; title: string }[] = [
  { mode: "accept-close", title: "server closes right after accept" },
  { mode: "eof", title: "client half-closes first (one destination)" },
  { mode: "http", title: "HTTP/1.0, server closes after its reply" },
];

interface Client {
  name: string;
  /** The command for a mode, or undefined when this client cannot do it. */
  command(mode: Mode): string[] | undefined;
  /** The client's own session count from its stdout, when it reports one. */
  ownCount?(stdout: string): number;
}

async function which(name: string): Promise<string | undefined> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "piped" })
    .output();
  const path = new TextDecoder().decode(out.stdout).trim();
  return out.success && path ? path : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function synfinClient(engine: "raw" | "deno"): Client {
  return {
    name: `synfin --engine ${engine}`,
    command: (mode) => [
      Deno.execPath(),
      "run",
      "-q",
      "-A",
      "--config",
      CONFIG,
      CLI,
      "load",
      "--engine",
      engine,
      "-c",
      String(CONCURRENCY),
      "-d",
      `${RUN_MS}ms`,
      "--no-census",
      "--json",
      "-",
      // Dwell so the server's FIN comes first, as tcpkali waits for it.
      ...(mode === "accept-close" ? ["--hold", "2s"] : []),
      ...(mode === "http" ? ["--send", HTTP_REQUEST] : []),
      `127.0.0.1:${PORT}`,
    ],
    // The CLI's preflight connect (lib/cli/reach.ts: one per run, so an
    // unreachable target is one line) is a connection the kernel counts too.
    ownCount: (stdout) => JSON.parse(stdout).phases.handshake.count + PREFLIGHT_CONNECTS,
  };
}

async function clients(): Promise<{ list: Client[]; notes: string[] }> {
  const notes: string[] = [];
  const list: Client[] = [synfinClient("raw"), synfinClient("deno")];
  list.push({
    name: "plain one-loop Deno client",
    command: (mode) => [
      Deno.execPath(),
      "run",
      "-q",
      "-A",
      `${ROOT}bench/plain_client.ts`,
      mode,
      "127.0.0.1",
      String(PORT),
      String(CONCURRENCY),
      String(RUN_MS),
    ],
    ownCount: (stdout) => JSON.parse(stdout).sessions,
  });
  const shared = Deno.env.get("SYNFIN_TCPKALI") ??
    fromFileUrl(new URL("../../shared/peers/tcpkali", import.meta.url));
  const tcpkali = (await exists(shared)) ? shared : await which("tcpkali");
  if (tcpkali) {
    list.push({
      name: "tcpkali",
      command: (mode) =>
        mode === "eof" ? undefined : [
          tcpkali,
          "-c",
          String(CONCURRENCY),
          "--connect-rate",
          "10000000",
          "-T",
          `${RUN_MS / 1000}s`,
          ...(mode === "http" ? ["-e1", HTTP_REQUEST.replaceAll("\r\n", "\\r\\n")] : []),
          `127.0.0.1:${PORT}`,
        ],
    });
  } else notes.push("tcpkali not found (../shared/peers/tcpkali or PATH): skipped");
  const wrk = await which("wrk");
  if (wrk) {
    list.push({
      name: "wrk -H 'Connection: close'",
      command: (mode) =>
        mode !== "http" ? undefined : [
          wrk,
          "-t2",
          `-c${CONCURRENCY}`,
          `-d${RUN_MS / 1000}s`,
          "-H",
          "Connection: close",
          `http://127.0.0.1:${PORT}/`,
        ],
    });
  } else notes.push("wrk not found (apt-get install wrk): skipped");
  return { list, notes };
}

/** One client run in a namespace of its own: the kernel's count and the client's stdout. */
async function runInNamespace(
  server: string,
  mode: Mode,
  command: string[],
): Promise<{ kernel: number; stdout: string }> {
  const quoted = shellQuote(command);
  const script = `
set -e
ip link set lo up
out=$(mktemp)
'${server}' ${PORT} ${mode} > "$out" &
server=$!
for i in $(seq 100); do grep -q ready "$out" && break; sleep 0.05; done
before=$(nstat -az TcpPassiveOpens | awk '/TcpPassiveOpens/ {print $2}')
${quoted} > "$out.client" 2>/dev/null || true
after=$(nstat -az TcpPassiveOpens | awk '/TcpPassiveOpens/ {print $2}')
kill $server
echo "KERNEL $((after - before))"
cat "$out.client"
rm -f "$out" "$out.client"
`;
  const out = await new Deno.Command("unshare", { args: ["-n", "bash", "-c", script] }).output();
  const text = new TextDecoder().decode(out.stdout);
  const match = /^KERNEL (\d+)$/m.exec(text);
  if (!out.success || !match) {
    throw new Error(`run failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return { kernel: Number(match[1]), stdout: text.slice(match.index + match[0].length).trim() };
}

const loadAverage = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");

if (import.meta.main && !skipUnlessRoot("peers_bench")) {
  const server = await buildC("epoll_server");
  const { list, notes } = await clients();
  console.log(
    `peers bench: C=${CONCURRENCY}, ${RUN_MS} ms per run, ${ROUNDS} rounds, medians; ` +
      `${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}; each client in ` +
      "its own network namespace, counted by TcpPassiveOpens",
  );
  for (const note of notes) console.log(`  ${note}`);
  console.log(`  load average before: ${await loadAverage()}`);
  let failed = false;
  const medians = new Map<string, number>();
  for (const { mode, title } of MODES.filter((m) => ONLY_MODES?.includes(m.mode) ?? true)) {
    const runnable = list.filter((client) =>
      client.command(mode) && (ONLY_CLIENTS?.some((part) => client.name.includes(part)) ?? true)
    );
    const rates = new Map<string, number[]>(runnable.map((c) => [c.name, []]));
    console.log(`\n${title} (${mode}): commands`);
    for (const client of runnable) {
      console.log(
        `  ${
          client.command(mode)!.join(" ").replace(Deno.execPath(), "deno").replaceAll(ROOT, "")
            .replaceAll("\r\n", "\\r\\n")
        }`,
      );
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? runnable : [...runnable].reverse();
      for (const client of order) {
        const { kernel, stdout } = await runInNamespace(server, mode, client.command(mode)!);
        if (client.ownCount) {
          const own = client.ownCount(stdout);
          if (own !== kernel) {
            console.log(`  MISMATCH ${client.name} (${mode}): own count ${own}, kernel ${kernel}`);
            if (client.name.startsWith("synfin")) failed = true;
          }
        }
        rates.get(client.name)!.push(kernel / (RUN_MS / 1000));
      }
    }
    console.log(`\n${title} (${mode})`);
    for (const [name, values] of rates) {
      const value = median(values);
      medians.set(`${mode}/${name}`, value);
      console.log(
        `  ${name.padEnd(30)} ${(value / 1000).toFixed(1).padStart(6)}k/s   runs: ` +
          values.map((v) => `${(v / 1000).toFixed(1)}k`).join(" "),
      );
    }
  }
  const ratio = (mode: Mode, a: string, b: string) => {
    const x = medians.get(`${mode}/${a}`);
    const y = medians.get(`${mode}/${b}`);
    return x !== undefined && y !== undefined ? x / y : undefined;
  };
  const raw = "synfin --engine raw";
  const deno = "synfin --engine deno";
  const plain = "plain one-loop Deno client";
  const limit = (name: string) => {
    const x = medians.get(`eof/${name}`);
    return x === undefined ? undefined : x / TIME_WAIT_LIMIT;
  };
  const checks: [string, number | undefined, number][] = [
    ["accept-close: raw / tcpkali", ratio("accept-close", raw, "tcpkali"), 1.2],
    ["accept-close: raw / plain one-loop client", ratio("accept-close", raw, plain), 2],
    ["http: raw / wrk", ratio("http", raw, "wrk -H 'Connection: close'"), 1],
    ["eof: raw / the ~14.1k/s TIME_WAIT limit of one destination", limit(raw), 0.95],
    ["eof: deno / the ~14.1k/s TIME_WAIT limit of one destination", limit(deno), 0.95],
    ...MODES.map(({ mode }): [string, number | undefined, number] => [
      `${mode}: deno engine / plain one-loop client`,
      ratio(mode, deno, plain),
      1,
    ]),
  ];
  console.log(`\n  load average after: ${await loadAverage()}`);
  for (const [what, value, target] of checks) {
    if (value === undefined) {
      console.log(`SKIP  ${what}: a client is missing`);
      continue;
    }
    const ok = value >= target;
    if (!ok) failed = true;
    console.log(`${ok ? "PASS" : "FAIL"}  ${what}: ${value.toFixed(3)} (target >= ${target})`);
  }
  await Deno.remove(server);
  Deno.exitCode = failed ? 1 : 0;
}
