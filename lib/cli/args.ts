/**
 * Command-line parsing for `synfin check|load|idle`: the first word picks
 * the command's parser (`check` when it names none), which turns the rest
 * into a typed command or a {@link UsageError} naming the bad value.
 * `backlog` has its own parser (`backlog_args.ts`).
 *
 * @module
 */

import { type CheckCommand, type ListCommand, parseCheckArgs } from "./check_args.ts";
import { type IdleCommand, parseIdleArgs } from "./idle_args.ts";
import { type LoadCommand, parseLoadArgs } from "./load_args.ts";
import { COMMANDS, type EarlyCommand } from "./parse.ts";
import { closest } from "../base/closest.ts";
import { UsageError } from "../base/errors.ts";

/** A parsed command line. */
export type CliCommand = EarlyCommand | ListCommand | CheckCommand | LoadCommand | IdleCommand;

const PARSERS = {
  load: parseLoadArgs,
  idle: parseIdleArgs,
} as const;

/**
 * `run SCENARIO HOST:PORT [load options]`: `load` with `--scenario SCENARIO`.
 */
function parseRunArgs(args: string[]): LoadCommand | EarlyCommand {
  const scenario = args[0];
  // `run 127.0.0.1:80`: the target where the scenario belongs.
  const targetFirst = scenario !== undefined && /^(\[[\w:.]+\]|[\w.-]+):\d+$/.test(scenario);
  if (scenario === undefined || scenario.startsWith("-") || targetFirst) {
    if (scenario !== undefined && ["-h", "--help", "-V", "--version"].includes(scenario)) {
      return parseLoadArgs(args, "run");
    }
    throw new UsageError(
      "Missing scenario: give run SCENARIO HOST:PORT (a file or a built-in name)",
    );
  }
  if (args.includes("--scenario") || args.some((a) => a.startsWith("--scenario="))) {
    throw new UsageError("run takes its scenario as its first word, not --scenario");
  }
  return parseLoadArgs(["--scenario", scenario, ...args.slice(1)], "run");
}

/**
 * Parses argv. A first word naming a command (`check`, `load`, `idle`)
 * selects it; otherwise the command is `check`. A first word that names no
 * command and is no target, followed by more words, is an unknown command.
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
  const word = argv[0];
  if (word === "check") return parseCheckArgs(argv.slice(1), { named: true });
  if (word === "load" || word === "idle") return PARSERS[word](argv.slice(1));
  if (word === "run") return parseRunArgs(argv.slice(1));
  if (word !== undefined && argv.length > 1 && /^[A-Za-z][\w-]*$/.test(word)) {
    // A bare word cannot be HOST:PORT: a typo of a command, as in `lod 127.0.0.1:80`.
    const near = closest(word, COMMANDS);
    throw new UsageError(
      `Unknown command '${word}'${near ? ` (did you mean '${near}'?)` : ""}: ` +
        `the commands are ${COMMANDS.join(", ")}`,
    );
  }
  return parseCheckArgs(argv);
}
