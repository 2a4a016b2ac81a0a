/**
 * `deno task demo`: starts reference servers in this process (one that
 * behaves, one that leaks CLOSE_WAIT, one that closes first), runs the
 * conformance suite against each as `deno run -P cli.ts HOST:PORT` would,
 * and prints the reports: what synfin finds, with no server of your own.
 *
 * @module
 */

import { DEFAULT_SUITE_SETTINGS } from "../suite/plan.ts";
import { EXIT } from "../base/exit_codes.ts";
import {
  REFERENCE_SERVER_BEHAVIOUR,
  type ReferenceServerKind,
  startReferenceServer,
} from "../testing/reference_servers.ts";
import { SuiteRunner } from "../suite/runner.ts";
import { renderSuiteReport, verdictLine } from "../report/suite_text.ts";
import { BUILTIN_CASES } from "../../scenarios/builtin.ts";

const stop = new AbortController();
Deno.addSignalListener("SIGINT", () => stop.abort());

/** What the suite must find against each server for the demo to be right. */
const EXPECTED_FAILURES: Record<string, string[]> = {
  "well-behaved": [],
  "leaky": ["close/answers-fin", "close/half-close", "linger/no-close-wait", "load/steady"],
  "closes-first": [],
};

// Shorter waits than the defaults: the leaky server never answers, and each
// wait for its FIN would otherwise last the full 2 s.
const settings = {
  ...DEFAULT_SUITE_SETTINGS,
  closeTimeoutMs: 500,
  drainMs: 1000,
  loadDurationMs: 2000,
  idleBoundMs: 2000,
};

const summary: string[] = [];
let asExpected = true;
for (const kind of Object.keys(EXPECTED_FAILURES) as ReferenceServerKind[]) {
  if (stop.signal.aborted) break;
  await using server = await startReferenceServer(kind);
  console.log(`\n=== ${kind} reference server on ${server.target.label}`);
  console.log(`    (${REFERENCE_SERVER_BEHAVIOUR[kind]})`);
  console.log(`    deno run -P cli.ts ${server.target.label}\n`);
  const result = await new SuiteRunner(server.target, BUILTIN_CASES, {
    settings,
    signal: stop.signal,
  }).run();
  console.log(renderSuiteReport(result));
  const failed = result.cases.filter((c) => c.verdict === "FAIL").map((c) => c.id);
  asExpected &&= failed.join() === EXPECTED_FAILURES[kind].join();
  const warned = result.cases.filter((c) => c.verdict === "WARN").map((c) => c.id);
  summary.push(
    `${kind.padEnd(12)}  ${verdictLine(result)}${warned.length ? `; warned: ${warned}` : ""}`,
  );
}
console.log(`\n=== demo summary\n  ${summary.join("\n  ")}`);
console.log("  Point synfin at your own server: deno run -P cli.ts HOST:PORT");
Deno.exit(stop.signal.aborted ? EXIT.interrupted : asExpected ? EXIT.ok : EXIT.failed);
