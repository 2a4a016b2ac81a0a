/**
 * The `--help` text of every command, with the exit codes printed from
 * the one table in `exit_codes.ts`.
 *
 * @module
 */

import { DEFAULT_DRAIN_MS } from "../census/settings.ts";
import { MAX_IDLE_CONNECTIONS } from "../engine/idle_probe.ts";
import { BACKLOG_SWEEP_DEFAULTS, MAX_BURST_SIZE } from "../backlog/sweep_options.ts";
import { exitCodeTable } from "../base/exit_codes.ts";
import { MAX_CONCURRENCY } from "../base/limits.ts";
import { MAX_LOAD_CONCURRENCY } from "./load_args.ts";
import type { HelpTopic } from "./parse.ts";
import { BUILTIN_SESSION_SCENARIOS } from "../../scenarios/sessions/registry.ts";

const SCENARIO_NAMES = Object.keys(BUILTIN_SESSION_SCENARIOS).join(", ");

// The width of the help text: the code column, then the wrapped meaning.
const WIDTH = 86;
const CODE_COLUMN = 6;

/**
 * The exit-code section of `--help`: one entry per code of `EXIT`, its
 * meaning wrapped under itself.
 *
 * @example
 * ```ts
 * import { exitCodesHelp } from "./help.ts";
 * console.assert(exitCodesHelp().includes("  70  internal error"));
 * ```
 */
export function exitCodesHelp(): string {
  return exitCodeTable().map(({ code, meaning }) => {
    const lines: string[] = [];
    let line = "";
    for (const word of meaning.split(" ")) {
      if (line !== "" && CODE_COLUMN + line.length + 1 + word.length > WIDTH) {
        lines.push(line);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    lines.push(line);
    const indent = " ".repeat(CODE_COLUMN);
    return `  ${String(code).padEnd(CODE_COLUMN - 2)}${lines.join(`\n${indent}`)}`;
  }).join("\n");
}

const USAGE =
  `Usage: deno run -P cli.ts [check] [options] HOST:PORT   conformance suite (the CI gate)
       deno run -P cli.ts --list                        list the suite's cases
       deno run -P cli.ts load [options] HOST:PORT      load with a socket census
       deno run -P cli.ts idle [options] HOST:PORT      idle-timeout probe
       deno run -P cli.ts backlog [options] HOST:PORT   accept-queue burst sweep (below)
       deno run -P cli.ts demo                          try it on built-in servers
       deno run -P cli.ts COMMAND --help                the options of COMMAND alone

HOST:PORT is IPv4, [IPv6] or a host name. For load, several destinations are
HOST:PORT1,PORT2 and IPv4 ranges 127.0.0.1-127.0.0.4:PORT (sessions take them in
turn; the preflight and the socket census look at the first). Results go to stdout,
progress and one-line errors to stderr. Durations are 500ms, 10s, 1m, 2h or a bare
number of seconds, at most 24h.`;

const CHECK = `check (the default): runs every conformance case against HOST:PORT (handshake,
close, abort, lingering sockets, idle timeout, a short load), prints a verdict
table, the load's histograms and the socket report, and exits 1 when a MUST case
or a threshold fails. About 5-10 s against a healthy local server.
      --list               print the cases (ID, severity, requirement) and exit
      --case ID            run only this case or group (close/); repeatable
      --skip ID            leave out this case or group; repeatable
      --strict             SHOULD cases fail the run too
      --threshold EXPR     fail unless EXPR holds, e.g. 'handshake.p99<5ms',
                           'outcome.reset<0.1%', 'server.closeWait==0'; repeatable
      --junit FILE         write a JUnit XML report
      --json FILE          write the JSON summary (- for stdout instead of the text)
      --html FILE          write an HTML report: verdict table, latency, census charts
      --config FILE        read options from FILE (default: ./synfin.json if present)
  -c, --concurrency N      sessions in flight in load/steady (default 50, at most
                           ${MAX_CONCURRENCY})
  -d, --duration DUR       length of load/steady (default 3s)
      --burst N            connects in handshake/burst (default 128)
      --idle-bound DUR     how long idle/timeout waits (default 5s)
      --send TEXT          what close/half-close sends before its FIN
  With GITHUB_ACTIONS=true, failures are also printed as ::error:: annotations.`;

const LOAD = `load: opens real TCP sessions, times the handshake, the first response byte and
the four-way close, reports how each session ended (clean, server-closed-first,
reset, no-fin, ...), with a census of the server port's sockets (CLOSE_WAIT,
TIME_WAIT, half-open) before, during and after the run.
  -c, --concurrency N      sessions in flight (closed loop); with --rate, the most
                           in flight (default 100, at most ${MAX_LOAD_CONCURRENCY}; past
                           the fd limit of one process, spread over generator processes)
  -n, --sessions N         stop after N sessions (no time bound unless -d is given)
  -d, --duration DUR       stop starting sessions after DUR (default 5s): 500ms, 10s, 1m
  -r, --rate R             open loop: start R sessions per second; latency is timed
                           from each session's intended start (no coordinated omission)
      --send TEXT          write TEXT after connect and time the first response byte
                           (escapes: \\r \\n \\t \\\\ \\xHH)
      --send-file FILE     the payload is FILE's bytes (at most 16 MiB), as --send TEXT;
                           outside synfin's folder it needs --allow-read=
      --hold DUR           dwell before our FIN (lets a server that closes first show it)
      --message-rate R     R exchanges (our payload, its answer) per second on each
                           connection, for --hold (default 10s), timed as mark.exchange
                           (runs the exchanges scenario; needs --send or --send-file);
                           run passes it to its scenario as params.messageRate
      --threshold EXPR     fail (exit 1) unless EXPR holds on the load, as for check,
                           e.g. 'handshake.p99<5ms', 'outcome.no-fin==0'; repeatable
      --config FILE        read options from FILE (default: ./synfin.json if present);
                           flags win, thresholds add up
      --source ADDRS       bind each connection's source address, in turn, e.g.
                           127.0.0.2-127.0.0.9 or 127.0.0.2,127.0.0.3 (raw engine; the
                           port is left to the kernel, so TIME_WAIT reuse still works)
      --json FILE          write the JSON summary (- for stdout instead of the text)
      --junit FILE         write the verdict and thresholds as JUnit XML
      --html FILE          write an HTML report: verdict, latency histograms and
                           percentile curves, outcomes over time, socket census, tester
      --hgrm DIR           write a percentile distribution per phase and mark
                           (handshake.hgrm, ..., wrk2's format, microseconds) into DIR
      --hlog FILE          write an HdrHistogram interval log: 1 s intervals, Tag=PHASE
      --trace FILE         write one JSON line per session (start, port, phases, outcome,
                           errno, TCP_INFO); past --trace-limit N (default 10000) a
                           uniform sample, the first line says of how many
      --csv FILE           write the time series (the JSON's timeSeries) as CSV, with
                           handshake p50/p99 per second
      --tls                every session speaks TLS (deno engine; the default falls back
                           to it): the TLS handshake is the tls phase, and how the server
                           closed is counted, close_notify or bare FIN (tls.bareFin==0)
      --tls-ca FILE        trust the PEM CA certificates in FILE too (a self-signed server)
      --tls-servername N   SNI and certificate name (default: the target's host)
      --scenario NAME|FILE each session runs a scenario instead (as run does)
      --tag NAME=VALUE     tag the run (kept in the JSON summary); repeatable
      --segment I/N        be generator I of N running one load together: this one runs
                           its share of -c, -n, --rate and --stage targets (10 over 4:
                           3,3,2,2); auto/N takes I from JOB_COMPLETION_INDEX (0-based,
                           Kubernetes Indexed Jobs); merge the N --json files with merge`;

const RUN = `run: runs a scenario, a module whose default function is one session, thousands of
times with every load option above; flags override the module's \`options\`, which
override the config file. Built-in scenarios: ${SCENARIO_NAMES}.
  deno run -P cli.ts run my_scenario.ts HOST:PORT [load options]
  deno run -P cli.ts run redis-ping 127.0.0.1:6379 -c 50 -d 10s
      --no-check           do not type-check the scenario file first
A scenario file that does not type-check or load is a usage error (exit 2).
Thresholds also take checks>99%, check.NAME>99% and mark.NAME.p99<20ms, with
tag filters such as mark.login{region:eu}.p99<20ms.`;

const IDLE = `idle: holds idle connections and reports when and how (FIN or RST) the server
drops them, or that it kept them past the bound.
      --connections N      idle connections to hold (default 10, at most ${MAX_IDLE_CONNECTIONS})
      --bound DUR          stop waiting after DUR (default 30s)
      --json FILE          write the JSON result (- for stdout instead of the text)`;

const CONNECT_TIMEOUT = `      --connect-timeout DUR  give up a handshake after DUR (default 3s)`;

const CENSUS = `      --close-timeout DUR  wait DUR for the server's FIN after ours (default 2s)
      --server-sockets CMD read the server host's socket table with CMD, which prints
                           its /proc/net/tcp{,6} or \`ss -tan\` (run through sh -c, so it
                           needs -P=server-sockets), e.g. "ssh db cat /proc/net/tcp";
                           default: this host's table when the target is local
      --drain DUR          keep sampling DUR after a run for the server to close
                           (default ${DEFAULT_DRAIN_MS / 1000}s; ends early once it has)
      --no-census          skip the socket census
      --engine raw|deno    socket layer of check, load and backlog: raw (libc through
                           FFI, one epoll loop per core; the default on Linux when FFI
                           is permitted) or deno (Deno.connect, portable)`;

const EARLY = `  -h, --help               this help
  -V, --version            the version`;

const PERMISSIONS = `Permissions (the sets in deno.json; a missing one is named, with the command
that works, before anything connects):
  -P                   default: network, reading and writing in synfin's folder,
                       env SYNFIN_ENGINE and GITHUB_ACTIONS, running cat, ss and deno,
                       FFI to libc (the raw engine; FFI lifts Deno's sandbox)
  -P=server-sockets    the default set and running timeout and sh (--server-sockets)
  -P=sandboxed         no FFI and no subprocess: the deno engine, no local census`;

/**
 * The `--help` of one command (`check`, `load` or `idle`): its usage line,
 * its options and the shared options that apply to it, and the exit codes.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * console.assert(commandHelp("load").includes("--sessions N"));
 * console.assert(!commandHelp("load").includes("--strict"));
 * ```
 */
export function commandHelp(topic: HelpTopic): string {
  const body = { check: CHECK, load: LOAD, run: `${LOAD}\n\n${RUN}`, idle: IDLE }[topic];
  const common = topic === "idle" ? [CONNECT_TIMEOUT, EARLY] : [CONNECT_TIMEOUT, CENSUS, EARLY];
  const usage = topic === "check"
    ? "Usage: deno run -P cli.ts [check] [options] HOST:PORT"
    : topic === "run"
    ? "Usage: deno run -P cli.ts run SCENARIO [options] HOST:PORT"
    : `Usage: deno run -P cli.ts ${topic} [options] HOST:PORT`;
  return `${usage}\n\n${body}\n\nCommon:\n${common.join("\n")}\n\n${PERMISSIONS}\n\n` +
    `Exit codes:\n${exitCodesHelp()}\n`;
}

/** The `--help` text of `check`, `load` and `idle`, with the options they share and the exit codes. */
export const HELP = `synfin: TCP connection-lifecycle load and conformance tester

${USAGE}

${CHECK}

${LOAD}

${RUN}

${IDLE}

merge FILE.json...: one report from N load/run summaries, percentiles of the union
(deno run -P cli.ts merge --help)

Common:
${CONNECT_TIMEOUT}
${CENSUS}
${EARLY}

${PERMISSIONS}

Exit codes:
${exitCodesHelp()}
`;

const d = BACKLOG_SWEEP_DEFAULTS;

/**
 * The `backlog` section of the CLI help.
 *
 * @example
 * ```ts
 * import { BACKLOG_HELP } from "./help.ts";
 * console.assert(BACKLOG_HELP.includes("--burst SPEC"));
 * ```
 */
export const BACKLOG_HELP = `backlog: benchmarks a listener's accept queue
  deno run -P cli.ts backlog [options] HOST:PORT [HOST2:PORT2]
  deno run -P cli.ts backlog --compare A.json B.json

Fires bursts of N simultaneous connects (default doubling 16, 32, ..., 4096; each
burst's SYNs leave within a few ms, spread over workers), holds each connection open
so the server's accept loop is what is measured, closes cleanly and lets the server
drain before the next burst. Per burst it reports the connects done on the first SYN,
those delayed by SYN retransmission (1 s or more), resets, timeouts, half-open
connections, the handshake p50/p99 and, for a server on this host, the accept queue's
peak and the ListenOverflows/ListenDrops/TCPSynRetrans/SyncookiesSent deltas. It then
bisects between the largest clean burst and the smallest failing one, estimates the
accept queue's capacity and the knee (p99 at the retransmission timeout), and names
the limit: the application's listen backlog (Linux queues backlog + 1), somaxconn,
the SYN backlog, or the accept loop's speed. With two targets it sweeps both, one
after the other, and prints them side by side.

Backlog:
      --burst SPEC         burst sizes: 64..2048 (doubling), 100,200,400 or 512
                           (1 to ${MAX_BURST_SIZE}; default 16..4096)
      --hold DUR           keep each connection open DUR after its handshake
                           (default ${d.holdMs}ms: a half-open connection shows twice)
      --connect-timeout DUR  give up a handshake after DUR (default ${
  d.connectTimeoutMs / 1000
}s: two SYN
                           retransmissions)
      --drain DUR          after each burst, wait up to DUR for the server to settle
                           (default ${d.drainMs / 1000}s; ends early once it has)
      --queue-wait DUR     then wait up to DUR for the accept queue to be back to its
                           length before the sweep (default ${
  d.queueWaitMs / 1000
}s; 0: no wait); if
                           it is not, the sweep stops: estimate unreliable, exit 1
      --no-refine          skip the bisection after the doubling sweep (at most
                           ${d.maxRefineBursts} more bursts)
      --server-sockets CMD  read the server host's socket table with CMD (as for load),
                           e.g. "ssh web ss -tan": half-open, queue and backlog then
                           come from it
      --json FILE          save the sweep as JSON with its encoded histograms (- for
                           stdout); with two targets give it once per target
      --html FILE          write one HTML report of the sweep(s), with the sweep chart
      --compare A.json B.json  compare two saved sweeps side by side (capacity, knee,
                           limit, retransmits/failures/p99 per burst size); --json
                           FILE then writes the comparison
`;
