/**
 * `synfin demo` (`deno task demo`): starts reference servers in this
 * process (one that behaves, one that leaks CLOSE_WAIT, one that closes
 * first), runs the conformance suite against each as `deno run -P cli.ts
 * HOST:PORT` would, and prints the reports: what synfin finds, with no
 * server of your own.
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";
import { censusSettings } from "../census/settings.ts";
import { DEFAULT_SUITE_SETTINGS } from "../suite/plan.ts";
import type { SuiteSettings } from "../suite/case.ts";
import { SuiteRunner } from "../suite/runner.ts";
import {
  REFERENCE_SERVER_BEHAVIOUR,
  type ReferenceServerKind,
  startReferenceServer,
} from "../testing/reference_servers.ts";
import { renderSuiteReport, verdictLine } from "../report/suite_text.ts";
import { BUILTIN_CASES } from "../../scenarios/conformance/builtin.ts";
import { onCtrlC } from "./interrupt.ts";

/** The servers the demo runs, each with the cases the suite must fail for the demo to be right. */
const SERVERS: readonly { kind: ReferenceServerKind; failures: string[] }[] = [
  { kind: "well-behaved", failures: [] },
  {
    kind: "leaky",
    failures: ["close/answers-fin", "close/half-close", "linger/no-close-wait", "load/steady"],
  },
  { kind: "closes-first", failures: [] },
];

// Shorter waits than the defaults: the leaky server never answers, and each
// wait for its FIN would otherwise last the full 2 s.
const SETTINGS: SuiteSettings = {
  ...DEFAULT_SUITE_SETTINGS,
  closeTimeoutMs: 500,
  census: censusSettings({ drainMs: 1000 }),
  loadDurationMs: 2000,
  idleBoundMs: 2000,
};

/**
 * Runs the demo and returns the exit code: 0 when the suite found what it
 * should against each server, 1 when not, 130 when interrupted.
 *
 * @example
 * ```ts ignore
 * import { demo } from "./demo.ts";
 * Deno.exit(await demo()); // about 20 s
 * ```
 */
export async function demo(): Promise<number> {
  using stop = onCtrlC();
  const summary: string[] = [];
  let asExpected = true;
  for (const { kind, failures } of SERVERS) {
    if (stop.signal.aborted) break;
    await using server = await startReferenceServer(kind);
    console.log(`\n=== ${kind} reference server on ${server.target.label}`);
    console.log(`    (${REFERENCE_SERVER_BEHAVIOUR[kind]})`);
    console.log(`    deno run -P cli.ts ${server.target.label}\n`);
    const result = await new SuiteRunner(server.target, BUILTIN_CASES, {
      settings: SETTINGS,
      signal: stop.signal,
    }).run();
    console.log(renderSuiteReport(result));
    const failed = result.cases.filter((c) => c.verdict === "FAIL").map((c) => c.id);
    asExpected &&= failed.join() === failures.join();
    const warned = result.cases.filter((c) => c.verdict === "WARN").map((c) => c.id);
    summary.push(
      `${kind.padEnd(12)}  ${verdictLine(result)}${warned.length ? `; warned: ${warned}` : ""}`,
    );
  }
  console.log(`\n=== demo summary\n  ${summary.join("\n  ")}`);
  console.log("  Point synfin at your own server: deno run -P cli.ts HOST:PORT");
  return stop.signal.aborted ? EXIT.interrupted : asExpected ? EXIT.ok : EXIT.failed;
}
