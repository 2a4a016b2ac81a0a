/**
 * `synfin` command line: `deno run -P cli.ts [check|load|idle|backlog|demo] ...`.
 *
 * Results go to stdout, progress and one-line errors to stderr; the exit
 * codes are the table in `lib/base/exit_codes.ts`, printed by `--help`.
 * The commands live in `lib/cli/`; this file only runs them.
 *
 * @module
 */

import { EXIT } from "./lib/base/exit_codes.ts";
import { main } from "./lib/cli/main.ts";
import { say } from "./lib/cli/output.ts";

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // A bug: say it in one line rather than print a stack trace at a CI log.
    say(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(EXIT.internal);
  }
}
