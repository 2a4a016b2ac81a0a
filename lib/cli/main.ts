/**
 * The `synfin` command line: picks the command from the first word and
 * returns its exit code (one of `EXIT`).
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";
import { VERSION } from "../base/version.ts";
import { type CliCommand, parseCli } from "./args.ts";
import { backlog } from "./backlog.ts";
import { type BacklogCommand, parseBacklogArgs } from "./backlog_args.ts";
import { checkBeforeRun } from "./before_run.ts";
import { check, listCases } from "./check.ts";
import { demo } from "./demo.ts";
import { BACKLOG_HELP, commandHelp, HELP } from "./help.ts";
import { idle } from "./idle.ts";
import { load } from "./load.ts";
import { merge } from "./merge.ts";
import { say, sayUsageError } from "./output.ts";

/**
 * Runs the CLI with `args` (the words after `cli.ts`) and returns the exit
 * code. Results go to stdout, progress and one-line errors to stderr.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * console.assert(await main(["--version"]) === 0);
 * console.assert(await main(["load", "--rate", "fast", "127.0.0.1:8080"]) === 2);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  try {
    return await run(args);
  } catch (error) {
    // A value checked late (an invalid SYNFIN_ENGINE, say) is still the user's input.
    return sayUsageError(error, { hint: false });
  }
}

async function run(args: string[]): Promise<number> {
  if (args[0] === "backlog") {
    let command: BacklogCommand;
    try {
      command = parseBacklogArgs(args.slice(1));
    } catch (error) {
      return sayUsageError(error);
    }
    if (command.kind !== "help") {
      const refused = await before(command, args);
      if (refused !== undefined) return refused;
    }
    return await backlog(args.slice(1));
  }
  // merge reads files and connects nowhere: no permission check before it.
  if (args[0] === "merge") return await merge(args.slice(1));
  if (args[0] === "demo") {
    if (args.length > 1) {
      say(`demo takes no options, got: ${args.slice(1).join(" ")} (see --help)`);
      return EXIT.usage;
    }
    return await before({ kind: "demo" }, args) ?? await demo();
  }
  let command: CliCommand;
  try {
    command = parseCli(args);
  } catch (error) {
    return sayUsageError(error);
  }
  switch (command.kind) {
    case "help":
      console.log(command.topic ? commandHelp(command.topic) : `${HELP}\n${BACKLOG_HELP}`);
      return EXIT.ok;
    case "version":
      console.log(`synfin ${VERSION}`);
      return EXIT.ok;
    case "list":
      console.log(listCases());
      return EXIT.ok;
  }
  const refused = await before(command, args);
  if (refused !== undefined) return refused;
  switch (command.kind) {
    case "check":
      return await check(command);
    case "load":
      return await load(command);
    case "idle":
      return await idle(command);
  }
}

/** The permission and report-path checks: the exit code when they refuse. */
async function before(
  command: Parameters<typeof checkBeforeRun>[0],
  args: string[],
): Promise<number | undefined> {
  try {
    await checkBeforeRun(command, args);
    return undefined;
  } catch (error) {
    return sayUsageError(error, { hint: false });
  }
}
