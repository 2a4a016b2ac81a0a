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

/** Most sessions in flight; each holds a file descriptor (`ulimit -n` is often 20,000). */
export const MAX_CONCURRENCY = 10_000;

/** A parsed command line. */
export type CliCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "load"; target: Target; load: LoadOptions; json: boolean };

/** The `--help` text. */
export const HELP = `synfin: TCP connection-lifecycle load and conformance tester

Usage: deno run -P cli.ts [options] HOST:PORT

Opens real TCP sessions against HOST:PORT (IPv4, [IPv6] or a host name), times
the handshake, the first response byte and the four-way close, and reports how
each session ended (clean, server-closed-first, reset, no-fin, ...).

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

Output:
      --json               print the JSON summary on stdout instead of the text report
  -h, --help               this help
  -V, --version            the version

Exit codes:
  0   ran, and no session failed
  1   the server failed: a session ended in reset, no-fin, refused, connect-timeout or error
  2   usage error (the message names the bad value)
  3   target unreachable before the run (refused, unresolvable, timed out)
  4   synfin ran out of file descriptors (EMFILE) or ephemeral ports (EADDRNOTAVAIL)
  130 interrupted (Ctrl+C); the partial report is still printed
`;

/**
 * Parses argv.
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
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        concurrency: { type: "string", short: "c" },
        sessions: { type: "string", short: "n" },
        duration: { type: "string", short: "d" },
        rate: { type: "string", short: "r" },
        send: { type: "string" },
        hold: { type: "string" },
        "connect-timeout": { type: "string" },
        "close-timeout": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(message.replace(/\. To specify a positional.*$/, ""), { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (positionals.length === 0) throw new UsageError("Missing target: give HOST:PORT");
  if (positionals.length > 1) {
    throw new UsageError(
      `Expected one target, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const target = parseTarget(positionals[0]);
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
    if (!Number.isFinite(rate) || rate <= 0 || rate > 1_000_000) {
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
  return { kind: "load", target, load, json: values.json ?? false };
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
