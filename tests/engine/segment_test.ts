import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { UsageError } from "../../lib/base/errors.ts";
import { parseSegment, segmentCoverage, segmentLoad } from "../../lib/engine/segment.ts";
import type { LoadOptions } from "../../lib/engine/load.ts";
import { parseLoadArgs, planLoad } from "../../lib/cli/load_args.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));

function shares(options: LoadOptions, count: number): LoadOptions[] {
  return Array.from({ length: count }, (_, i) => segmentLoad(options, { index: i + 1, count }));
}

Deno.test("parseSegment takes i/N and auto/N, and names what is wrong otherwise", () => {
  assert.deepEqual(parseSegment("3/4"), { index: 3, count: 4 });
  assert.deepEqual(parseSegment("1/1"), { index: 1, count: 1 });
  assert.deepEqual(parseSegment("auto/4", "0"), { index: 1, count: 4 });
  assert.deepEqual(parseSegment("1000/1000"), { index: 1000, count: 1000 });
  const bad: [string, string | undefined, RegExp][] = [
    ["0/4", undefined, /the index is 1 to 4, got 0/],
    ["5/4", undefined, /the index is 1 to 4, got 5/],
    ["1/1001", undefined, /the count is 1 to 1000/],
    ["1/0", undefined, /the count is 1 to 1000/],
    ["a/b", undefined, /give INDEX\/COUNT/],
    ["2", undefined, /give INDEX\/COUNT/],
    ["auto/4", undefined, /JOB_COMPLETION_INDEX \(0-based\), which is not set/],
    ["auto/4", "4", /the index is 1 to 4, got 5 \(JOB_COMPLETION_INDEX=4\)/],
    ["auto/4", "x", /which is "x"/],
  ];
  for (const [text, index, message] of bad) {
    assert.throws(() => parseSegment(text, index), (e: Error) => {
      assert.ok(e instanceof UsageError, text);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("segmentLoad shares add up to the plan: concurrency, sessions, rate, stages", () => {
  const closed = shares({ concurrency: 10, sessions: 1001 }, 4);
  assert.deepEqual(closed.map((s) => s.concurrency), [3, 3, 2, 2]);
  assert.deepEqual(closed.map((s) => s.sessions), [251, 250, 250, 250]);
  // The runner's default concurrency (100) is split too.
  assert.deepEqual(shares({}, 4).map((s) => s.concurrency), [25, 25, 25, 25]);
  const open = shares({ rate: 1000, concurrency: 50, durationMs: 2000 }, 3);
  assert.deepEqual(open.map((s) => s.rate), [1000 / 3, 1000 / 3, 1000 / 3]);
  assert.deepEqual(open.map((s) => s.concurrency), [17, 17, 16]);
  assert.deepEqual(open.map((s) => s.durationMs), [2000, 2000, 2000]);
  const ramp = [{ durationMs: 1000, target: 10 }, { durationMs: 500, target: 0 }];
  const staged = shares({ stages: ramp }, 4);
  assert.deepEqual(staged.map((s) => s.stages!.map((st) => st.target)), [
    [3, 0],
    [3, 0],
    [2, 0],
    [2, 0],
  ]);
  assert.ok(staged.every((s) => s.concurrency === undefined), "the stages set it");
  const openStaged = shares({ rate: 8, stages: [{ durationMs: 1000, target: 100 }] }, 4);
  assert.deepEqual(openStaged.map((s) => [s.rate, s.stages![0].target]), [
    [2, 25],
    [2, 25],
    [2, 25],
    [2, 25],
  ]);
  assert.throws(
    () => segmentLoad({ concurrency: 2 }, { index: 3, count: 4 }),
    /--segment 3\/4 leaves this generator no session in flight \(concurrency\) \(2 over 4\)/,
  );
  assert.throws(
    () => segmentLoad({ sessions: 3 }, { index: 4, count: 4 }),
    /no session \(sessions\) \(3 over 4\)/,
  );
});

Deno.test("segmentCoverage says whether the set is whole, and which are missing or twice", () => {
  const of4 = (...indexes: number[]) => indexes.map((index) => ({ index, count: 4 }));
  assert.equal(segmentCoverage(of4(4, 2, 1, 3)).complete, true);
  const gaps = segmentCoverage(of4(1, 1, 4));
  assert.deepEqual([gaps.missing, gaps.duplicated, gaps.complete], [[2, 3], [1], false]);
  const mixed = segmentCoverage([{ index: 1, count: 2 }, { index: 2, count: 4 }]);
  assert.deepEqual([mixed.count, mixed.counts, mixed.complete], [null, [2, 4], false]);
});

Deno.test("planLoad applies --segment over the config file's load", () => {
  const command = parseLoadArgs(["--segment", "2/4", "127.0.0.1:8080"]);
  assert.equal(command.kind, "load");
  if (command.kind !== "load") return;
  const plan = planLoad(command, { concurrency: 10, sessions: 400, rate: 100 });
  assert.deepEqual(plan.segment, { index: 2, count: 4 });
  assert.deepEqual([plan.load.concurrency, plan.load.sessions, plan.load.rate], [3, 100, 25]);
});

Deno.test("load --segment: a bad segment is a usage error naming it", async () => {
  const run = await synfin(["load", "--segment", "5/4", "127.0.0.1:9"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Invalid --segment "5\/4": the index is 1 to 4, got 5/);
  const empty = await synfin(["load", "-c", "2", "--segment", "3/4", "127.0.0.1:9"]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /leaves this generator no session in flight/);
});

Deno.test("load --segment auto/4 under -P takes JOB_COMPLETION_INDEX and records it", async () => {
  await using server = await startReferenceServer("well-behaved");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "-P",
      "cli.ts",
      "load",
      "--segment",
      "auto/4",
      "-n",
      "8",
      "-c",
      "4",
      "--no-census",
      "--json",
      "-",
      server.target.label,
    ],
    cwd: ROOT,
    env: { JOB_COMPLETION_INDEX: "3", SYNFIN_ENGINE: Deno.env.get("SYNFIN_ENGINE") ?? "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const summary = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.deepEqual(summary.segment, { index: 4, count: 4 });
  assert.deepEqual([summary.sessions, summary.load.concurrency], [2, 1]);
});
