/**
 * Command-line parsing for `synfin backlog`: the words after `backlog` become
 * a typed {@link BacklogCommand} (sweep one or two targets, or compare two
 * saved sweeps), or a {@link UsageError} naming the bad value.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  BACKLOG_SWEEP_DEFAULTS,
  type BacklogSweepOptions,
  MAX_BURST_SIZE,
  parseBurstSizes,
} from "../backlog/sweep.ts";
import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import { parseTarget, type Target } from "../base/target.ts";

/** The sweep settings given on the command line; the rest take the sweep's defaults. */
export type BacklogSweepChoice = Pick<
  BacklogSweepOptions,
  "sizes" | "holdMs" | "connectTimeoutMs" | "drainMs" | "refine" | "serverSocketsCommand"
>;

/** A parsed `backlog` command line. */
export type BacklogCommand =
  | { kind: "help" }
  | {
    /** Sweep each target; with two, compare them too. */
    kind: "sweep";
    /** One target, or two to sweep one after the other and compare. */
    targets: Target[];
    /** The sweep settings. */
    sweep: BacklogSweepChoice;
    /** `--json FILE` per target, in target order (`-` is stdout); empty for the text report. */
    jsonPaths: string[];
  }
  | {
    /** Compare two saved sweeps. */
    kind: "compare";
    /** The two `--json` files. */
    files: [string, string];
    /** `--json FILE`: write the comparison as JSON there (`-` is stdout); `null` for text. */
    jsonPath: string | null;
  };

const d = BACKLOG_SWEEP_DEFAULTS;

/**
 * The `backlog` section of the CLI help.
 *
 * @example
 * ```ts
 * import { BACKLOG_HELP } from "./backlog_args.ts";
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
      --no-refine          skip the bisection after the doubling sweep (at most
                           ${d.maxRefineBursts} more bursts)
      --server-sockets CMD  read the server host's socket table with CMD (as for load),
                           e.g. "ssh web ss -tan": half-open, queue and backlog then
                           come from it
      --json FILE          save the sweep as JSON with its encoded histograms (- for
                           stdout); with two targets give it once per target
      --compare A.json B.json  compare two saved sweeps side by side (capacity, knee,
                           limit, retransmits/failures/p99 per burst size); --json
                           FILE then writes the comparison
`;

const OPTIONS = {
  burst: { type: "string" },
  hold: { type: "string" },
  "connect-timeout": { type: "string" },
  drain: { type: "string" },
  "no-refine": { type: "boolean" },
  "server-sockets": { type: "string" },
  json: { type: "string", multiple: true },
  compare: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const SWEEP_ONLY = ["burst", "hold", "connect-timeout", "drain", "no-refine", "server-sockets"];

/**
 * Parses the words after `backlog`.
 *
 * @throws {UsageError} on any bad option or value.
 * @example
 * ```ts
 * import { parseBacklogArgs } from "./backlog_args.ts";
 * const command = parseBacklogArgs(["--burst", "64..1024", "127.0.0.1:8080"]);
 * console.assert(command.kind === "sweep" && command.sweep.sizes?.length === 5);
 * const compare = parseBacklogArgs(["--compare", "a.json", "b.json"]);
 * console.assert(compare.kind === "compare" && compare.files[1] === "b.json");
 * ```
 */
export function parseBacklogArgs(argv: string[]): BacklogCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(
      `backlog: ${message.replace(/\. To specify a positional.*$/, "")}`,
      { cause: error },
    );
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  const jsonPaths = values.json ?? [];
  for (const path of jsonPaths) {
    if (path.trim() === "") throw new UsageError('Invalid --json "": give a file, or - for stdout');
  }

  if (values.compare) {
    const given = SWEEP_ONLY.filter((name) => values[name as keyof typeof values] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `--${given[0]} does not apply to --compare, which reads saved sweeps: drop it`,
      );
    }
    if (positionals.length !== 2) {
      throw new UsageError(
        `--compare needs two saved sweeps (A.json B.json), got ${positionals.length}` +
          (positionals.length > 0 ? `: ${positionals.join(" ")}` : ""),
      );
    }
    if (jsonPaths.length > 1) {
      throw new UsageError("--compare writes one comparison: give --json once");
    }
    return {
      kind: "compare",
      files: [positionals[0], positionals[1]],
      jsonPath: jsonPaths[0] ?? null,
    };
  }

  if (positionals.length === 0) throw new UsageError("backlog: missing target: give HOST:PORT");
  if (positionals.length > 2) {
    throw new UsageError(
      `backlog takes one or two targets, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const targets = positionals.map((text) => {
    if (/\.json$/i.test(text)) {
      throw new UsageError(
        `Invalid target "${text}": a saved sweep? Use backlog --compare A.json B.json`,
      );
    }
    return parseTarget(text);
  });
  if (jsonPaths.length > targets.length || (targets.length === 2 && jsonPaths.length === 1)) {
    throw new UsageError(
      `Got ${jsonPaths.length} --json for ${targets.length} target${
        targets.length > 1 ? "s" : ""
      }: give --json once per target, in target order`,
    );
  }
  if (jsonPaths.filter((path) => path === "-").length > 1) {
    throw new UsageError("Only one --json can be - (stdout): give the other a file");
  }

  const sweep: BacklogSweepChoice = {};
  if (values.burst !== undefined) sweep.sizes = parseBurstSizes(values.burst);
  if (values.hold !== undefined) sweep.holdMs = parseDuration(values.hold, "--hold");
  if (values["connect-timeout"] !== undefined) {
    sweep.connectTimeoutMs = parseDuration(values["connect-timeout"], "--connect-timeout");
    if (sweep.connectTimeoutMs <= 0) {
      throw new UsageError(
        `Invalid --connect-timeout "${values["connect-timeout"]}": must be more than 0`,
      );
    }
  }
  if (values.drain !== undefined) sweep.drainMs = parseDuration(values.drain, "--drain");
  if (values["no-refine"]) sweep.refine = false;
  if (values["server-sockets"] !== undefined) {
    if (values["server-sockets"].trim() === "") {
      throw new UsageError('Invalid --server-sockets "": give a command, e.g. "ss -tan"');
    }
    sweep.serverSocketsCommand = values["server-sockets"];
  }
  return { kind: "sweep", targets, sweep, jsonPaths };
}
