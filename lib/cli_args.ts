/**
 * Command-line parsing for `synfin`: turns argv into typed load options or a
 * {@link UsageError} naming the bad value.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "./duration.ts";
import { UsageError } from "./errors.ts";
import type { LoadOptions } from "./load_runner.ts";
import { parseTarget, type Target } from "./target.ts";
import { MAX_IDLE_CONNECTIONS } from "./idle_probe.ts";

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

/** A parsed command line. */
export type CliCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "load"; target: Target; load: LoadOptions; census: CensusChoice; json: boolean }
  | { kind: "idle"; target: Target; idle: IdleChoice; json: boolean };

/** The `--help` text. */
export const HELP = `synfin: TCP connection-lifecycle load and conformance tester

Usage: deno run -P cli.ts [load] [options] HOST:PORT
       deno run -P cli.ts idle [--connections N] [--bound DUR] HOST:PORT

load (the default): opens real TCP sessions against HOST:PORT (IPv4, [IPv6] or a
host name), times the handshake, the first response byte and the four-way close,
reports how each session ended (clean, server-closed-first, reset, no-fin, ...),
and takes a census of the server port's sockets (CLOSE_WAIT, TIME_WAIT, ...)
before, during and after the run.

idle: holds idle connections and reports when and how (FIN or RST) the server
drops them, or that it kept them past the bound.

Load (bounded by count and/or time; default 5s at concurrency 100):
  -c, --concurrency N      sessions in flight (closed loop); with --rate, the most
                           in flight (default 100, at most ${MAX_CONCURRENCY})
  -n, --sessions N         stop after N sessions (no time bound unless -d is given)
  -d, --duration DUR       stop starting sessions after DUR (default 5s): 500ms, 10s, 1m
  -r, --rate R             open loop: start R sessions per second; latency is timed
                           from each session's intended start (no coordinated omission)

Session:
      --send TEXT          write TEXT after connect and time the first response byte
                           (escapes: \\r \\n \\t \\\\ \\xHH)
      --hold DUR           dwell before our FIN (lets a server that closes first show it)
      --connect-timeout DUR  give up a handshake after DUR (default 3s)
      --close-timeout DUR  wait DUR for the server's FIN after ours (default 2s)

Socket census (load):
      --server-sockets CMD  read the server host's socket table with CMD, which prints
                           its /proc/net/tcp{,6} or \`ss -tan\` (run with sh -c), e.g.
                           "ssh db cat /proc/net/tcp /proc/net/tcp6"; default: this
                           host's table when the target is local, else no census
      --drain DUR          keep sampling DUR after the run for the server to close
                           (default ${DEFAULT_DRAIN_MS / 1000}s; ends early once it has)
      --no-census          skip the census

Idle:
      --connections N      idle connections to hold (default 10, at most ${MAX_IDLE_CONNECTIONS})
      --bound DUR          stop waiting after DUR (default 30s)

Output:
      --json               print the JSON summary on stdout instead of the text report
  -h, --help               this help
  -V, --version            the version

Exit codes:
  0   ran, and the server passed
  1   the server failed: a session ended in reset, no-fin, refused, connect-timeout or
      error, or server sockets were left in CLOSE_WAIT after the drain
  2   usage error (the message names the bad value)
  3   target unreachable before the run (refused, unresolvable, timed out)
  4   synfin ran out of file descriptors (EMFILE) or ephemeral ports (EADDRNOTAVAIL)
  130 interrupted (Ctrl+C); the partial report is still printed
`;

const COMMANDS = ["load", "idle"] as const;

const COMMON_OPTIONS = {
  "connect-timeout": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

const LOAD_OPTIONS = {
  ...COMMON_OPTIONS,
  concurrency: { type: "string", short: "c" },
  sessions: { type: "string", short: "n" },
  duration: { type: "string", short: "d" },
  rate: { type: "string", short: "r" },
  send: { type: "string" },
  hold: { type: "string" },
  "close-timeout": { type: "string" },
  "server-sockets": { type: "string" },
  drain: { type: "string" },
  "no-census": { type: "boolean" },
} as const;

const IDLE_OPTIONS = {
  ...COMMON_OPTIONS,
  connections: { type: "string" },
  bound: { type: "string" },
} as const;

/**
 * Parses argv. A first word naming a command (`load`, `idle`) selects
 * it; otherwise the command is `load`.
 *
 * @throws {UsageError} on any bad option or value.
 * @example
 * ```ts
 * import { parseCli } from "./cli_args.ts";
 * const command = parseCli(["-c", "10", "-n", "100", "127.0.0.1:8080"]);
 * console.assert(command.kind === "load" && command.load.concurrency === 10);
 * ```
 */
export function parseCli(argv: string[]): CliCommand {
  const named = (COMMANDS as readonly string[]).includes(argv[0]);
  const command = named ? argv[0] as typeof COMMANDS[number] : "load";
  const args = named ? argv.slice(1) : argv;
  if (command === "idle") {
    const { values, target } = parseFor(args, IDLE_OPTIONS);
    if (!target) return values.help ? { kind: "help" } : { kind: "version" };
    const idle: IdleChoice = {
      connections: values.connections === undefined
        ? 10
        : integer(values.connections, "--connections", 1, MAX_IDLE_CONNECTIONS),
      boundMs: values.bound === undefined ? 30_000 : positiveDuration(values.bound, "--bound"),
    };
    if (values["connect-timeout"] !== undefined) {
      idle.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
    }
    return { kind: "idle", target, idle, json: values.json ?? false };
  }
  const { values, target } = parseFor(args, LOAD_OPTIONS);
  if (!target) return values.help ? { kind: "help" } : { kind: "version" };
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
  if (values["server-sockets"] !== undefined) {
    if (values["server-sockets"].trim() === "") {
      throw new UsageError('Invalid --server-sockets "": give a command, e.g. "cat /proc/net/tcp"');
    }
    if (values["no-census"]) {
      throw new UsageError("--server-sockets and --no-census contradict each other: drop one");
    }
    census.serverSocketsCommand = values["server-sockets"];
  }
  return { kind: "load", target, load, census, json: values.json ?? false };
}

/** Parses options and the one target; `target` is undefined for --help / --version. */
function parseFor<T extends Record<string, { type: "string" | "boolean"; short?: string }>>(
  args: string[],
  options: T,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(message.replace(/\. To specify a positional.*$/, ""), { cause: error });
  }
  const { values, positionals } = parsed;
  const flags = values as Record<string, string | boolean | undefined>;
  if (flags.help || flags.version) return { values, target: undefined };
  if (positionals.length === 0) throw new UsageError("Missing target: give HOST:PORT");
  if (positionals.length > 1) {
    throw new UsageError(
      `Expected one target, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  return { values, target: parseTarget(positionals[0]) };
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
 * import { unescapePayload } from "./cli_args.ts";
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
