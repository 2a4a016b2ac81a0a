/**
 * The same server gives the same verdicts, run after run: the whole suite
 * against each misbehaving reference server ten times in a row, in one
 * network namespace per server, so each run also meets the sockets the
 * earlier runs left (a leaky server's old CLOSE_WAIT, TIME_WAIT of reused
 * ports). A verdict that flips between runs is a race in synfin, not a
 * property of the server.
 */
import assert from "node:assert/strict";
import { REFERENCE_SERVER_KINDS } from "../../lib/testing/reference_servers.ts";
import { assertNoSocketsLeft, CAN_ISOLATE, synfinRepeatedInNamespace } from "../support/faults.ts";

const RUNS = 10;
const PORT = 21_000;
// Short bounds keep ten suites per server near a minute; every case still runs.
const SHORT_SUITE = [
  ["-d", "200ms", "-c", "10", "--burst", "32", "--idle-bound", "500ms"],
  ["--connect-timeout", "500ms", "--close-timeout", "300ms", "--drain", "500ms"],
  ["--json", "-", `127.0.0.1:${PORT}`],
].flat();

Deno.test({
  name: `the suite gives the same verdicts ${RUNS} times in a row against each misbehaving server`,
  ignore: !CAN_ISOLATE,
  async fn() {
    const misbehaving = REFERENCE_SERVER_KINDS.filter((kind) => kind !== "well-behaved");
    // One namespace per server, all at once: each has its own ports and counters.
    await Promise.all(misbehaving.map(async (kind) => {
      const runs = await synfinRepeatedInNamespace(
        { args: SHORT_SUITE, server: { kind, port: PORT } },
        RUNS,
      );
      const verdicts = runs.map((run, index) => {
        assert.ok(
          run.code === 0 || run.code === 1,
          `${kind}, run ${index + 1}: exit ${run.code}: ${run.stderr}`,
        );
        assertNoSocketsLeft(run);
        const result = JSON.parse(run.stdout) as {
          cases: { id: string; verdict: string; actual?: string; reason?: string }[];
        };
        return {
          code: run.code,
          cases: Object.fromEntries(result.cases.map((c) => [c.id, c.verdict])),
          said: result.cases.map((c) => `${c.id} ${c.verdict}: ${c.actual ?? c.reason ?? ""}`),
        };
      });
      for (const [index, run] of verdicts.entries()) {
        assert.deepEqual(
          { code: run.code, cases: run.cases },
          { code: verdicts[0].code, cases: verdicts[0].cases },
          `${kind}: run ${index + 1} differs from run 1:\n${run.said.join("\n")}\n--- run 1:\n` +
            verdicts[0].said.join("\n"),
        );
      }
    }));
  },
});
