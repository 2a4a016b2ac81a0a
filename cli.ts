/**
 * `synfin` command line: `deno run -P cli.ts HOST:PORT`.
 *
 * Results go to stdout, progress and one-line errors to stderr; the exit code
 * is documented in `--help` and the README.
 *
 * @module
 */

import { HELP, parseCli } from "./lib/cli_args.ts";
import { TargetUnreachableError, UsageError } from "./lib/errors.ts";
import { EXIT } from "./lib/exit_codes.ts";
import { LoadProgressEvent, type LoadResult, LoadRunner } from "./lib/load_runner.ts";
import { FAILING_OUTCOMES, OUTCOMES } from "./lib/outcome.ts";
import { preflight } from "./lib/preflight.ts";
import { summarizeLoad } from "./lib/summary.ts";
import { renderTextReport } from "./lib/text_report.ts";
import { VERSION } from "./lib/version.ts";

const encoder = new TextEncoder();

function say(text: string): void {
  Deno.stderr.writeSync(encoder.encode(`synfin: ${text}\n`));
}

/**
 * Runs the CLI with `args` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * Deno.exit(await main(["-n", "100", "127.0.0.1:8080"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let command;
  try {
    command = parseCli(args);
  } catch (error) {
    if (error instanceof UsageError) {
      say(`${error.message} (see --help)`);
      return EXIT.usage;
    }
    throw error;
  }
  if (command.kind === "help") {
    console.log(HELP);
    return EXIT.ok;
  }
  if (command.kind === "version") {
    console.log(`synfin ${VERSION}`);
    return EXIT.ok;
  }

  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    // A second Ctrl+C means "now": skip the drain and the report.
    if (++interrupts > 1) Deno.exit(EXIT.interrupted);
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    try {
      await preflight(command.target, {
        connectTimeoutMs: command.load.connectTimeoutMs,
        signal: stop.signal,
      });
    } catch (error) {
      if (stop.signal.aborted) return EXIT.interrupted;
      if (error instanceof TargetUnreachableError) {
        say(error.message);
        return EXIT.unreachable;
      }
      throw error;
    }
    const runner = new LoadRunner(command.target, { ...command.load, signal: stop.signal });
    const showProgress = Deno.stderr.isTerminal();
    if (showProgress) runner.addEventListener("progress", renderProgress);
    const result = await runner.run();
    if (showProgress) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
    const summary = summarizeLoad(result);
    console.log(command.json ? JSON.stringify(summary, null, 2) : renderTextReport(summary));
    return verdict(result);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

function renderProgress(event: Event): void {
  const { completed, failed, inFlight, elapsedMs } = (event as LoadProgressEvent).progress;
  const line = `\r\x1b[K${(elapsedMs / 1000).toFixed(1)}s  ${completed.toLocaleString("en-US")} ` +
    `sessions  ${failed.toLocaleString("en-US")} failed  ${inFlight} in flight`;
  Deno.stderr.writeSync(encoder.encode(line));
}

function verdict(result: LoadResult): number {
  const { tally } = result;
  if (result.stoppedBy === "signal") {
    say("interrupted: the report above covers the sessions that finished");
    return EXIT.interrupted;
  }
  if (result.stoppedBy === "tester-limit") {
    const advice = result.testerLimitErrno === "EMFILE" || result.testerLimitErrno === "ENFILE"
      ? "out of file descriptors (EMFILE): lower --concurrency or raise `ulimit -n`"
      : `out of local ports or memory (${result.testerLimitErrno}): lower --concurrency or ` +
        "--rate, or widen net.ipv4.ip_local_port_range";
    say(`stopped early, synfin ran ${advice}`);
    return EXIT.testerLimit;
  }
  const failures = OUTCOMES.filter((o) => FAILING_OUTCOMES.has(o) && tally.outcomes[o] > 0);
  if (failures.length > 0) {
    const failed = failures.reduce((sum, o) => sum + tally.outcomes[o], 0);
    say(
      `FAIL: ${failed} of ${tally.sessions} sessions failed (` +
        failures.map((o) => `${o} ${tally.outcomes[o]}`).join(", ") + ")",
    );
    return EXIT.failed;
  }
  if (tally.sessions === 0) {
    say("FAIL: no session finished");
    return EXIT.failed;
  }
  return EXIT.ok;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    say(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(70);
  }
}
