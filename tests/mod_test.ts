/**
 * The library as a program sees it: everything from `mod.ts` alone, no
 * cast. A load against a reference server, with its census, judged by the
 * library, gets the verdict the `load` command gives against a server of the
 * same kind (its exit code and its one line on stderr).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  EXIT,
  judgeLoad,
  LoadRunner,
  type LoadVerdictKind,
  type ReferenceServerKind,
  runLoadWithCensus,
  startReferenceServer,
} from "../mod.ts";
import { synfin } from "./support/cli.ts";

/** The exit code the CLI documents for each verdict (README "Exit codes"). */
const EXIT_OF: Record<LoadVerdictKind, number> = {
  pass: EXIT.ok,
  fail: EXIT.failed,
  "tester-limit": EXIT.testerLimit,
  interrupted: EXIT.interrupted,
};

const CASES: { kind: ReferenceServerKind; verdict: LoadVerdictKind }[] = [
  { kind: "well-behaved", verdict: "pass" },
  { kind: "closes-first", verdict: "pass" },
  { kind: "leaky", verdict: "fail" },
  { kind: "reset", verdict: "fail" },
];

// Short waits: the leaky server never sends its FIN.
const SESSIONS = 20;
const CLOSE_TIMEOUT_MS = 200;
const DRAIN_MS = 300;

for (const { kind, verdict: expected } of CASES) {
  Deno.test(`mod.ts: a ${kind} server gets the CLI's verdict (${expected})`, async () => {
    await using server = await startReferenceServer(kind);
    const runner = new LoadRunner(server.target, {
      sessions: SESSIONS,
      concurrency: 5,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
    let completed = 0;
    runner.addEventListener("progress", (event) => completed = event.progress.completed);
    const run = await runLoadWithCensus(runner, { census: { drainMs: DRAIN_MS } });
    const { verdict, reasons } = judgeLoad(run);
    assert.equal(verdict, expected, reasons.join("; "));
    assert.equal(run.summary.sessions, SESSIONS);
    assert.ok(completed <= SESSIONS);

    await using other = await startReferenceServer(kind);
    const cli = await synfin([
      "load",
      "-n",
      String(SESSIONS),
      "-c",
      "5",
      "--close-timeout",
      `${CLOSE_TIMEOUT_MS}ms`,
      "--drain",
      `${DRAIN_MS}ms`,
      other.target.label,
    ]);
    assert.equal(cli.code, EXIT_OF[verdict], cli.stderr);
    // The CLI prints the verdict's first reason, the same words for the same sessions.
    // After its one progress line (stderr is no terminal), the verdict's reason last.
    const [progress, ...rest] = cli.stderr.split("\n").filter((line) => line !== "");
    assert.match(progress, new RegExp(`^synfin: ran .* ${SESSIONS} / ${SESSIONS} finished `));
    assert.deepEqual(rest, reasons.length > 0 ? [`synfin: ${reasons[0]}`] : []);
  });
}
