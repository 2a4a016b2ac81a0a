/**
 * `synfin` command line: `deno run -P cli.ts HOST:PORT`.
 *
 * Results go to stdout, progress and one-line errors to stderr; the exit code
 * is documented in `--help` and the README.
 *
 * @module
 */

import { type CensusChoice, HELP, parseCli } from "./lib/cli_args.ts";
import { TargetUnreachableError, UsageError } from "./lib/errors.ts";
import { EXIT } from "./lib/exit_codes.ts";
import { LoadProgressEvent, type LoadResult, LoadRunner } from "./lib/load_runner.ts";
import { FAILING_OUTCOMES, OUTCOMES } from "./lib/outcome.ts";
import { preflight } from "./lib/preflight.ts";
import { type LoadSummary, summarizeLoad } from "./lib/summary.ts";
import { renderTextReport } from "./lib/text_report.ts";
import {
  type SocketReport,
  type SocketsUnavailable,
  SocketWatch,
  watchServerSockets,
} from "./lib/socket_watch.ts";
import { findLingering } from "./lib/linger_findings.ts";
import { readTcpSysctls } from "./lib/tcp_sysctls.ts";
import { probeIdleTimeout } from "./lib/idle_probe.ts";
import { renderIdleReport } from "./lib/idle_text_report.ts";
import type { Target } from "./lib/target.ts";
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
        connectTimeoutMs: command.kind === "load"
          ? command.load.connectTimeoutMs
          : command.idle.connectTimeoutMs,
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
    if (command.kind === "idle") {
      const result = await probeIdleTimeout(command.target, {
        ...command.idle,
        signal: stop.signal,
      });
      console.log(
        command.json ? JSON.stringify(result, null, 2) : renderIdleReport(command.target, result),
      );
      if (result.interrupted) return EXIT.interrupted;
      return result.opened === 0 ? EXIT.failed : EXIT.ok;
    }
    // The baseline comes after the preflight connect, so that its socket
    // (which a leaky server keeps in CLOSE_WAIT too) is not counted with the
    // sessions': the deltas then match the outcome counts one for one.
    const census = command.census.enabled
      ? await startCensus(command.target, command.census)
      : undefined;
    const runner = new LoadRunner(command.target, { ...command.load, signal: stop.signal });
    const showProgress = Deno.stderr.isTerminal();
    if (showProgress) runner.addEventListener("progress", renderProgress);
    if (census instanceof SocketWatch) census.start();
    const result = await runner.run();
    if (showProgress) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
    let summary = summarizeLoad(result);
    if (census) summary = await finishCensus(summary, census, command.census, stop.signal);
    console.log(command.json ? JSON.stringify(summary, null, 2) : renderTextReport(summary));
    return verdict(result, summary);
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

async function startCensus(
  target: Target,
  choice: CensusChoice,
): Promise<SocketWatch | SocketsUnavailable> {
  const census = await watchServerSockets(target, {
    serverSocketsCommand: choice.serverSocketsCommand,
  });
  if (!(census instanceof SocketWatch)) say(`no socket census: ${census.reason}`);
  return census;
}

async function finishCensus(
  summary: LoadSummary,
  census: SocketWatch | SocketsUnavailable,
  choice: CensusChoice,
  signal: AbortSignal,
): Promise<LoadSummary> {
  let sockets: SocketReport | SocketsUnavailable;
  if (!(census instanceof SocketWatch)) sockets = census;
  else {
    await census.stop();
    if (Deno.stderr.isTerminal() && !signal.aborted) {
      say(`draining: sampling the server's sockets for up to ${choice.drainMs / 1000}s`);
    }
    // After Ctrl+C the drain is skipped; the end census is still reported.
    sockets = await census.drain(signal.aborted ? 0 : choice.drainMs, { signal });
  }
  const sysctls = await readTcpSysctls().catch(() => undefined);
  const range = sysctls?.ephemeralPortRange;
  const lingering = findLingering(sockets, summary.outcomes, {
    ephemeralPorts: range ? range.high - range.low + 1 : undefined,
  });
  return { ...summary, sockets, lingering };
}

function verdict(result: LoadResult, summary: LoadSummary): number {
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
  const closeWait = summary.lingering?.closeWait?.remaining ?? 0;
  if (closeWait > 0) {
    say(`FAIL: ${closeWait} server sockets left in CLOSE_WAIT after the drain`);
    return EXIT.failed;
  }
  const halfOpen = summary.lingering?.halfOpen?.count ?? 0;
  if (halfOpen > 0) {
    say(`FAIL: ${halfOpen} half-open connections: the server's accept queue overflowed`);
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
