/**
 * Command-line parsing for `synfin`: turns argv into typed load options or a
 * {@link UsageError} naming the bad value.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import type { LoadOptions } from "../engine/runner.ts";
import { parseTarget, type Target } from "../base/target.ts";
import { MAX_IDLE_CONNECTIONS } from "../engine/idle_probe.ts";
import { parseThreshold } from "../suite/threshold.ts";

/** Most sessions in flight; each holds a file descriptor (`ulimit -n` is often 20,000). */
export const MAX_CONCURRENCY = 10_000;

/** How the socket census is taken around a run. */
export interface CensusChoice {
  /** Take a census at all (`--no-census` turns it off). */
  enabled: boolean;
  /** `--server-sockets CMD`: read the server host's table with this command. */
  serverSocketsCommand?: string;
  /** `--drain DUR`: how long to keep sampling after the run, ms. */
  drainMs: number;
}

/** Default drain window: long enough for a server that closes after a short delay. */
export const DEFAULT_DRAIN_MS = 3000;

/** Options of the `idle` command. */
export interface IdleChoice {
  /** Idle connections to hold. */
  connections: number;
  /** How long to wait for the server to drop them, ms. */
  boundMs: number;
  /** Handshake timeout, ms. */
  connectTimeoutMs?: number;
}

/** `check` flags as given; merged with the config file by `planCheck`. */
export interface CheckFlags {
  /** `--case` patterns. */
  cases: string[];
  /** `--skip` patterns. */
  skip: string[];
  /** `--strict`. */
  strict?: boolean;
  /** `--threshold` expressions, validated. */
  thresholds: string[];
  /** `--junit FILE`. */
  junitPath?: string;
  /** `--json FILE` (`-`: stdout). */
  jsonPath?: string;
  /** `--config FILE`. */
  configPath?: string;
  /** `--connect-timeout`, ms. */
  connectTimeoutMs?: number;
  /** `--close-timeout`, ms. */
  closeTimeoutMs?: number;
  /** `--drain`, ms. */
  drainMs?: number;
  /** `--no-census`. */
  noCensus?: boolean;
  /** `--server-sockets CMD`. */
  serverSocketsCommand?: string;
  /** `-d`: length of load/steady, ms. */
  durationMs?: number;
  /** `-c`: concurrency of load/steady. */
  concurrency?: number;
  /** `--burst N`: connects in handshake/burst. */
  burstSize?: number;
  /** `--idle-bound`, ms. */
  idleBoundMs?: number;
  /** `--send`: the half-close probe's payload. */
  payload?: Uint8Array;
}

/** A parsed command line. */
export type CliCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "list" }
  | { kind: "check"; target?: Target; flags: CheckFlags }
  | {
    kind: "load";
    target: Target;
    load: LoadOptions;
    census: CensusChoice;
    /** `--json FILE`: write the JSON summary there (`-`: stdout instead of the text). */
    jsonPath?: string;
  }
  | { kind: "idle"; target: Target; idle: IdleChoice; jsonPath?: string };

/** The `--help` text. */
export const HELP = `synfin: TCP connection-lifecycle load and conformance tester

Usage: deno run -P cli.ts [check] [options] HOST:PORT   conformance suite (the CI gate)
       deno run -P cli.ts --list                        list the suite's cases
       deno run -P cli.ts load [options] HOST:PORT      load with a socket census
       deno run -P cli.ts idle [options] HOST:PORT      idle-timeout probe
       deno run -P cli.ts backlog [options] HOST:PORT   accept-queue burst sweep (below)

HOST:PORT is IPv4, [IPv6] or a host name. Results go to stdout, progress and
one-line errors to stderr.

check (the default): runs every conformance case against HOST:PORT (handshake,
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
      --config FILE        read options from FILE (default: ./synfin.json if present)
  -c, --concurrency N      sessions in flight in load/steady (default 50)
  -d, --duration DUR       length of load/steady (default 3s)
      --burst N            connects in handshake/burst (default 128)
      --idle-bound DUR     how long idle/timeout waits (default 5s)
      --send TEXT          what close/half-close sends before its FIN
  With GITHUB_ACTIONS=true, failures are also printed as ::error:: annotations.

load: opens real TCP sessions, times the handshake, the first response byte and
the four-way close, reports how each session ended (clean, server-closed-first,
reset, no-fin, ...), with a census of the server port's sockets (CLOSE_WAIT,
TIME_WAIT, half-open) before, during and after the run.
  -c, --concurrency N      sessions in flight (closed loop); with --rate, the most
                           in flight (default 100, at most ${MAX_CONCURRENCY})
  -n, --sessions N         stop after N sessions (no time bound unless -d is given)
  -d, --duration DUR       stop starting sessions after DUR (default 5s): 500ms, 10s, 1m
  -r, --rate R             open loop: start R sessions per second; latency is timed
                           from each session's intended start (no coordinated omission)
      --send TEXT          write TEXT after connect and time the first response byte
                           (escapes: \\r \\n \\t \\\\ \\xHH)
      --hold DUR           dwell before our FIN (lets a server that closes first show it)
      --json FILE          write the JSON summary (- for stdout instead of the text)

idle: holds idle connections and reports when and how (FIN or RST) the server
drops them, or that it kept them past the bound.
      --connections N      idle connections to hold (default 10, at most ${MAX_IDLE_CONNECTIONS})
      --bound DUR          stop waiting after DUR (default 30s)
      --json FILE          write the JSON result (- for stdout instead of the text)

Common:
      --connect-timeout DUR  give up a handshake after DUR (default 3s)
      --close-timeout DUR  wait DUR for the server's FIN after ours (default 2s)
      --server-sockets CMD read the server host's socket table with CMD, which prints
                           its /proc/net/tcp{,6} or \`ss -tan\` (run with sh -c), e.g.
                           "ssh db cat /proc/net/tcp /proc/net/tcp6"; default: this
                           host's table when the target is local, else no census
      --drain DUR          keep sampling DUR after a run for the server to close
                           (default ${DEFAULT_DRAIN_MS / 1000}s; ends early once it has)
      --no-census          skip the socket census
  -h, --help               this help
  -V, --version            the version

Exit codes:
  0   the server passed: every MUST case and threshold held (load: no failed session,
      no CLOSE_WAIT left, no half-open connection)
  1   the server failed: a MUST case or a threshold (check), or a session ended in
      reset, no-fin, refused, connect-timeout or error, or server sockets were left in
      CLOSE_WAIT, or connections were half-open (load)
  2   usage error (the message names the bad value)
  3   target unreachable before the run (refused, unresolvable, timed out)
  4   synfin ran out of file descriptors (EMFILE) or ephemeral ports (EADDRNOTAVAIL)
  130 interrupted (Ctrl+C); the partial report is still printed
`;

const COMMANDS = ["check", "load", "idle"] as const;

const COMMON_OPTIONS = {
  "connect-timeout": { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

const CENSUS_OPTIONS = {
  "close-timeout": { type: "string" },
  "server-sockets": { type: "string" },
  drain: { type: "string" },
  "no-census": { type: "boolean" },
} as const;

const LOAD_OPTIONS = {
  ...COMMON_OPTIONS,
  ...CENSUS_OPTIONS,
  concurrency: { type: "string", short: "c" },
  sessions: { type: "string", short: "n" },
  duration: { type: "string", short: "d" },
  rate: { type: "string", short: "r" },
  send: { type: "string" },
  hold: { type: "string" },
} as const;

const CHECK_OPTIONS = {
  ...COMMON_OPTIONS,
  ...CENSUS_OPTIONS,
  list: { type: "boolean" },
  case: { type: "string", multiple: true },
  skip: { type: "string", multiple: true },
  strict: { type: "boolean" },
  threshold: { type: "string", multiple: true },
  junit: { type: "string" },
  config: { type: "string" },
  concurrency: { type: "string", short: "c" },
  duration: { type: "string", short: "d" },
  burst: { type: "string" },
  "idle-bound": { type: "string" },
  send: { type: "string" },
} as const;

const IDLE_OPTIONS = {
  ...COMMON_OPTIONS,
  connections: { type: "string" },
  bound: { type: "string" },
} as const;

/** Most connects in the suite's burst (one worker per 100, and a port and fd each). */
export const MAX_SUITE_BURST = 4096;

/**
 * Parses argv. A first word naming a command (`check`, `load`, `idle`)
 * selects it; otherwise the command is `check`.
 *
 * @throws {UsageError} on any bad option or value.
 * @example
 * ```ts
 * import { parseCli } from "./args.ts";
 * const command = parseCli(["load", "-c", "10", "-n", "100", "127.0.0.1:8080"]);
 * console.assert(command.kind === "load" && command.load.concurrency === 10);
 * ```
 */
export function parseCli(argv: string[]): CliCommand {
  const named = (COMMANDS as readonly string[]).includes(argv[0]);
  const command = named ? argv[0] as typeof COMMANDS[number] : "check";
  const args = named ? argv.slice(1) : argv;
  if (command === "idle") {
    const { values, target, early } = parseFor(args, IDLE_OPTIONS);
    if (early) return early;
    const idle: IdleChoice = {
      connections: values.connections === undefined
        ? 10
        : integer(values.connections, "--connections", 1, MAX_IDLE_CONNECTIONS),
      boundMs: values.bound === undefined ? 30_000 : positiveDuration(values.bound, "--bound"),
    };
    if (values["connect-timeout"] !== undefined) {
      idle.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
    }
    return { kind: "idle", target: target!, idle, ...jsonPath(values.json) };
  }
  if (command === "check") return parseCheck(args);
  const { values, target, early } = parseFor(args, LOAD_OPTIONS);
  if (early) return early;
  const load: LoadOptions = {};
  if (values.concurrency !== undefined) {
    load.concurrency = integer(values.concurrency, "--concurrency", 1, MAX_CONCURRENCY);
  }
  if (values.sessions !== undefined) {
    load.sessions = integer(values.sessions, "--sessions", 1, 100_000_000);
  }
  if (values.duration !== undefined) {
    load.durationMs = positiveDuration(values.duration, "--duration");
  }
  if (values.rate !== undefined) {
    const rate = Number(values.rate);
    if (!/^\d+(\.\d+)?$/.test(values.rate) || rate <= 0 || rate > 1_000_000) {
      throw new UsageError(`Invalid --rate "${values.rate}": give sessions per second, e.g. 500`);
    }
    load.rate = rate;
  }
  if (values.send !== undefined) load.send = unescapePayload(values.send);
  if (values.hold !== undefined) load.holdMs = parseDuration(values.hold, "--hold");
  if (values["connect-timeout"] !== undefined) {
    load.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
  }
  if (values["close-timeout"] !== undefined) {
    load.closeTimeoutMs = positiveDuration(values["close-timeout"], "--close-timeout");
  }
  const census: CensusChoice = {
    enabled: !values["no-census"],
    drainMs: values.drain === undefined ? DEFAULT_DRAIN_MS : parseDuration(values.drain, "--drain"),
  };
  const serverSockets = serverSocketsOf(values["server-sockets"], values["no-census"]);
  if (serverSockets !== undefined) census.serverSocketsCommand = serverSockets;
  return { kind: "load", target: target!, load, census, ...jsonPath(values.json) };
}

function parseCheck(args: string[]): CliCommand {
  const { values, target, early } = parseFor(args, CHECK_OPTIONS, { targetOptional: true });
  if (values.list) return { kind: "list" };
  if (early) return early;
  const flags: CheckFlags = {
    cases: values.case ?? [],
    skip: values.skip ?? [],
    thresholds: (values.threshold ?? []).map((expression) => {
      parseThreshold(expression);
      return expression;
    }),
  };
  if (values.strict) flags.strict = true;
  if (values.junit !== undefined) flags.junitPath = nonEmpty(values.junit, "--junit");
  if (values.json !== undefined) flags.jsonPath = nonEmpty(values.json, "--json");
  if (values.config !== undefined) flags.configPath = nonEmpty(values.config, "--config");
  if (values["connect-timeout"] !== undefined) {
    flags.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
  }
  if (values["close-timeout"] !== undefined) {
    flags.closeTimeoutMs = positiveDuration(values["close-timeout"], "--close-timeout");
  }
  if (values.drain !== undefined) flags.drainMs = parseDuration(values.drain, "--drain");
  if (values["no-census"]) flags.noCensus = true;
  const serverSockets = serverSocketsOf(values["server-sockets"], values["no-census"]);
  if (serverSockets !== undefined) flags.serverSocketsCommand = serverSockets;
  if (values.duration !== undefined) {
    flags.durationMs = positiveDuration(values.duration, "--duration");
  }
  if (values.concurrency !== undefined) {
    flags.concurrency = integer(values.concurrency, "--concurrency", 1, MAX_CONCURRENCY);
  }
  if (values.burst !== undefined) {
    flags.burstSize = integer(values.burst, "--burst", 1, MAX_SUITE_BURST);
  }
  if (values["idle-bound"] !== undefined) {
    flags.idleBoundMs = positiveDuration(values["idle-bound"], "--idle-bound");
  }
  if (values.send !== undefined) flags.payload = unescapePayload(values.send);
  return target === undefined ? { kind: "check", flags } : { kind: "check", target, flags };
}

function serverSocketsOf(
  command: string | undefined,
  noCensus: boolean | undefined,
): string | undefined {
  if (command === undefined) return undefined;
  if (command.trim() === "") {
    throw new UsageError('Invalid --server-sockets "": give a command, e.g. "cat /proc/net/tcp"');
  }
  if (noCensus) {
    throw new UsageError("--server-sockets and --no-census contradict each other: drop one");
  }
  return command;
}

function jsonPath(path: string | undefined): { jsonPath?: string } {
  return path === undefined ? {} : { jsonPath: nonEmpty(path, "--json") };
}

function nonEmpty(text: string, option: string): string {
  if (text.trim() === "") throw new UsageError(`Invalid ${option} "": give a file name`);
  return text;
}

type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/**
 * Parses options and the one target. `early` is set for --help / --version;
 * `target` is undefined only then, or when `targetOptional` (the target may
 * come from a config file).
 */
function parseFor<T extends OptionSpec>(
  args: string[],
  options: T,
  { targetOptional = false } = {},
) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(message.replace(/\. To specify a positional.*$/, ""), { cause: error });
  }
  const { values, positionals } = parsed;
  const flags = values as Record<string, unknown>;
  const early: CliCommand | undefined = flags.help
    ? { kind: "help" }
    : flags.version
    ? { kind: "version" }
    : undefined;
  if (early || flags.list) return { values, target: undefined, early };
  if (positionals.length > 1) {
    throw new UsageError(
      `Expected one target, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  if (positionals.length === 0) {
    if (targetOptional) return { values, target: undefined, early };
    throw new UsageError("Missing target: give HOST:PORT");
  }
  return { values, target: parseTarget(positionals[0]), early };
}

function integer(text: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`Invalid ${option} "${text}": give a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

function positiveDuration(text: string, option: string): number {
  const ms = parseDuration(text, option);
  if (ms <= 0) throw new UsageError(`Invalid ${option} "${text}": must be more than 0`);
  return ms;
}

/**
 * Turns `--send` text into bytes, honouring `\r`, `\n`, `\t`, `\\` and `\xHH`
 * so a protocol request (`GET / HTTP/1.0\r\n\r\n`) fits in one shell word.
 *
 * @example
 * ```ts
 * import { unescapePayload } from "./args.ts";
 * console.assert(unescapePayload("a\\r\\n").length === 3);
 * ```
 */
export function unescapePayload(text: string): Uint8Array {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== "\\" || i === text.length - 1) {
      // A whole code point: characters above U+FFFF span two UTF-16 units.
      const point = String.fromCodePoint(text.codePointAt(i)!);
      bytes.push(...encoder.encode(point));
      i += point.length - 1;
      continue;
    }
    const next = text[++i];
    if (next === "r") bytes.push(13);
    else if (next === "n") bytes.push(10);
    else if (next === "t") bytes.push(9);
    else if (next === "\\") bytes.push(92);
    else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new UsageError(`Invalid --send escape "\\${next}": use \\r \\n \\t \\\\ or \\xHH`);
  }
  return new Uint8Array(bytes);
}
