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
import type { EarlyCommand } from "./parse.ts";

/** A parsed command line. */
export type CliCommand = EarlyCommand | ListCommand | CheckCommand | LoadCommand | IdleCommand;

const PARSERS = {
  check: parseCheckArgs,
  load: parseLoadArgs,
  idle: parseIdleArgs,
} as const;

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
  const word = argv[0];
  if (word === "check" || word === "load" || word === "idle") {
    return PARSERS[word](argv.slice(1));
  }
  return parseCheckArgs(argv);
}
