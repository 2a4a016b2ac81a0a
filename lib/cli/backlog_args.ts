/**
 * Command-line parsing for `synfin backlog`: the words after `backlog` become
 * a typed {@link BacklogCommand} (sweep one or two targets, or compare two
 * saved sweeps), or a {@link UsageError} naming the bad value. Its help
 * text is `BACKLOG_HELP` in `help.ts`.
 *
 * @module
 */

import {
  BACKLOG_SWEEP_DEFAULTS,
  type BacklogSweepOptions,
  parseBurstSizes,
} from "../backlog/sweep_options.ts";
import type { CensusSettings } from "../census/settings.ts";
import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import { ENGINE_OPTIONS, engineGiven, parseArgv } from "./parse.ts";
import { parseTarget, type Target } from "../base/target.ts";

/** The sweep settings given on the command line; the rest take the sweep's defaults. */
export type BacklogSweepChoice = Pick<
  BacklogSweepOptions,
  "sizes" | "holdMs" | "connectTimeoutMs" | "census" | "refine" | "engine" | "queueWaitMs"
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
    /** `--html FILE`: one HTML report of every sweep. */
    htmlPath?: string;
  }
  | {
    /** Compare two saved sweeps. */
    kind: "compare";
    /** The two `--json` files. */
    files: [string, string];
    /** `--json FILE`: write the comparison as JSON there (`-` is stdout); `null` for text. */
    jsonPath: string | null;
    /** `--html FILE`: one HTML report of both saved sweeps. */
    htmlPath?: string;
  };

const OPTIONS = {
  ...ENGINE_OPTIONS,
  burst: { type: "string" },
  hold: { type: "string" },
  "connect-timeout": { type: "string" },
  drain: { type: "string" },
  "queue-wait": { type: "string" },
  "no-refine": { type: "boolean" },
  "server-sockets": { type: "string" },
  json: { type: "string", multiple: true },
  html: { type: "string" },
  compare: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const SWEEP_ONLY = [
  "burst",
  "hold",
  "connect-timeout",
  "drain",
  "queue-wait",
  "no-refine",
  "server-sockets",
];

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
  const { values, positionals } = parseArgv(argv, OPTIONS, "backlog: ");
  if (values.help) return { kind: "help" };
  const jsonPaths = values.json ?? [];
  if (values.html !== undefined && values.html.trim() === "") {
    throw new UsageError('Invalid --html "": give a file');
  }
  const html = values.html === undefined ? {} : { htmlPath: values.html };
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
      ...html,
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
  const drainMs = values.drain === undefined ? undefined : parseDuration(values.drain, "--drain");
  if (values["queue-wait"] !== undefined) {
    sweep.queueWaitMs = parseDuration(values["queue-wait"], "--queue-wait");
  }
  if (values["no-refine"]) sweep.refine = false;
  const engine = engineGiven(values.engine);
  if (engine !== undefined) sweep.engine = engine;
  const command = values["server-sockets"];
  if (command !== undefined && command.trim() === "") {
    throw new UsageError('Invalid --server-sockets "": give a command, e.g. "ss -tan"');
  }
  if (drainMs !== undefined || command !== undefined) {
    // The sweep's own drain default, not a load's: a burst's queue takes longer to drain.
    const census: CensusSettings = { drainMs: drainMs ?? BACKLOG_SWEEP_DEFAULTS.drainMs };
    if (command !== undefined) census.serverSocketsCommand = command;
    sweep.census = census;
  }
  return { kind: "sweep", targets, sweep, jsonPaths, ...html };
}
