/**
 * Tests for lib/engine/generators.ts, generator_run.ts and generator_main.ts:
 * a load spread over generator processes (real processes, real sockets on
 * loopback) merges their tallies exactly, passes a stop on, and reports a
 * generator that dies instead of undercounting.
 */

import assert from "node:assert/strict";
import { GeneratorError } from "../../lib/base/errors.ts";
import {
  GENERATOR_FD_MARGIN,
  GENERATOR_MIN_SOCKETS,
  generatorsFor,
  generatorsNeeded,
  generatorStart,
  generatorV8Flags,
  LITE_MODE_MAX_PACE,
  planGenerators,
} from "../../lib/engine/generators.ts";
import { GeneratorProcess } from "../../lib/engine/generator_process.ts";
import { runGenerators } from "../../lib/engine/generator_run.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const QUICK = { closeTimeoutMs: 300, connectTimeoutMs: 2000 };

Deno.test("generatorsNeeded: one process up to its fd limit minus the margin, then enough", () => {
  assert.equal(generatorsNeeded(20_000 - GENERATOR_FD_MARGIN, 20_000), 1);
  assert.equal(generatorsNeeded(20_000 - GENERATOR_FD_MARGIN + 1, 20_000), 2);
  assert.equal(generatorsNeeded(100_000, 20_000), 6);
  assert.equal(generatorsNeeded(200_000, 20_000), 11);
  assert.equal(generatorsNeeded(1_000_000, null), 1, "an unknown limit never spreads");
  assert.equal(generatorsNeeded(10_000, 1600, 100), 7);
  assert.equal(generatorsNeeded(400, 256), 1, "a limit too low to spread meets the limit");
  assert.equal(generatorsNeeded(10_000, GENERATOR_FD_MARGIN + GENERATOR_MIN_SOCKETS - 1), 1);
});

Deno.test("planGenerators splits concurrency, sessions and rate exactly", () => {
  const shape = { concurrency: 100_001, sessions: 1_000_003, durationMs: 9000, rate: 3000 };
  const shares = planGenerators(shape, 6, 2);
  assert.equal(shares.length, 6);
  assert.equal(shares.reduce((s, p) => s + p.concurrency, 0), 100_001);
  assert.equal(shares.reduce((s, p) => s + p.sessions!, 0), 1_000_003);
  assert.equal(shares.reduce((s, p) => s + p.rate!, 0), 3000);
  assert.ok(shares.every((p) => p.durationMs === 9000 && p.workers === 1));
  assert.ok(Math.max(...shares.map((p) => p.concurrency)) - 16_666 <= 1);
  const few = planGenerators({ concurrency: 10, sessions: 2, durationMs: null, rate: null }, 4, 8);
  assert.deepEqual(few.map((p) => [p.concurrency, p.sessions, p.workers]), [[5, 1, 4], [5, 1, 4]]);
  const named = planGenerators({ ...shape, workers: 5 }, 2, 2);
  assert.deepEqual(named.map((p) => p.workers), [3, 2]);
});

Deno.test("generatorsFor: asked for, or what the fd limit needs", () => {
  assert.deepEqual(generatorsFor(10, 3), { count: 3, reason: "asked for (3 generators)" });
  const needed = generatorsFor(10);
  assert.equal(needed.count, 1);
  assert.match(needed.reason, /more sockets than one process may hold \(fd limit [\d,]+\)/);
});

Deno.test("2 generators x 50 sessions: the merged tally is the sum, 100 clean", async () => {
  await using server = await startReferenceServer("well-behaved");
  const runner = new LoadRunner(server.target, {
    ...QUICK,
    sessions: 100,
    concurrency: 10,
    holdMs: 100,
    generators: 2,
  });
  let lastInFlight = 0;
  runner.addEventListener(
    "progress",
    (e) => lastInFlight = Math.max(lastInFlight, e.progress.inFlight),
  );
  const result = await runner.run();
  assert.equal(result.tally.sessions, 100);
  assert.equal(result.tally.outcomes.clean, 100);
  assert.equal(result.tally.histograms.handshake.count, 100);
  assert.equal(result.tally.histograms.close.count, 100);
  assert.equal(result.stoppedBy, "sessions");
  assert.equal(result.shape.concurrency, 10, "the result keeps the whole shape");
  assert.deepEqual(result.tester.generators, { count: 2, reason: "asked for (2 generators)" });
  assert.equal(result.maxInFlightPerEventLoop.reduce((s, n) => s + n, 0), 10);
  assert.ok(lastInFlight > 0 && lastInFlight <= 10, "progress sums the generators");
  // Three processes' RSS (parent and two generators) is more than any one's.
  assert.ok(result.tester.rssPeakBytes > 3 * 20e6, `${result.tester.rssPeakBytes}`);
});

Deno.test("2 generators: dropped starts of an open loop are summed across processes", async () => {
  await using server = await startReferenceServer("well-behaved");
  const result = await new LoadRunner(server.target, {
    ...QUICK,
    rate: 200,
    concurrency: 2,
    durationMs: 400,
    holdMs: 100,
    generators: 2,
  }).run();
  const { sessions, droppedStarts, intendedStarts } = result.tally;
  assert.ok(droppedStarts > 30, `${droppedStarts} dropped of ${intendedStarts}`);
  assert.equal(sessions + droppedStarts, intendedStarts);
  assert.ok(Math.abs(intendedStarts - 80) <= 4, `${intendedStarts} intended`);
});

Deno.test("a stop reaches every generator, and they report what they measured", async () => {
  // Against the leaky server each session waits out its 30 s close timeout:
  // only the stop, passed on to both generators, can end the run early.
  await using server = await startReferenceServer("leaky");
  const stop = new AbortController();
  const runner = new LoadRunner(server.target, {
    closeTimeoutMs: 30_000,
    durationMs: 30_000,
    concurrency: 4,
    generators: 2,
    signal: stop.signal,
  });
  runner.addEventListener("progress", (e) => e.progress.inFlight >= 4 && stop.abort());
  const fallback = setTimeout(() => stop.abort(), 8000);
  const started = performance.now();
  const result = await runner.run();
  clearTimeout(fallback);
  assert.ok(performance.now() - started < 12_000, "stopped well within the 30 s run");
  assert.equal(result.stoppedBy, "signal");
  assert.equal(result.tally.outcomes.interrupted, result.tally.sessions);
  assert.ok(result.tally.sessions >= 4, `${result.tally.sessions} sessions interrupted`);
  assert.deepEqual(result.maxInFlightPerEventLoop, [2, 2], "both generators held their share");
});

for (
  const [death, expected] of [
    ["exit", /generator [12] of 2 \(pid \d+\) exited with code 3 .*boom: the generator fell over/],
    ["kill", /generator [12] of 2 \(pid \d+\) was killed by SIGKILL/],
    ["garbage", /generator [12] of 2 \(pid \d+\) exited with code 0 .*not a message: not json/],
  ] as const
) {
  Deno.test(`a generator that dies (${death}) fails the run and says which and why`, async () => {
    await using server = await startReferenceServer("well-behaved");
    const error = await runGenerators({
      target: server.target,
      shape: { concurrency: 4, sessions: 10, durationMs: null, rate: null },
      session: { holdMs: 0, ...QUICK },
      engine: "deno",
      sources: [],
      count: 2,
      reason: "asked for",
      entry: new URL(`./dying_generator.ts?death=${death}`, import.meta.url),
    }).then(() => undefined, (error) => error);
    assert.ok(error instanceof GeneratorError, String(error));
    assert.match(error.message, expected);
    assert.ok(error.generator === 0 || error.generator === 1);
  });
}

Deno.test("a generator that cannot start is reported before any session", async () => {
  await using server = await startReferenceServer("well-behaved");
  const error = await runGenerators({
    target: server.target,
    shape: { concurrency: 2, sessions: 2, durationMs: null, rate: null },
    session: { holdMs: 0, ...QUICK },
    engine: "deno",
    sources: [],
    count: 2,
    reason: "asked for",
    entry: new URL("./no_such_generator.ts", import.meta.url),
  }).then(() => undefined, (error) => error);
  assert.ok(error instanceof GeneratorError, String(error));
  assert.match(
    error.message,
    /generator [12] of 2 \(pid \d+\) exited with code 1 .*Module not found/,
  );
  assert.equal(server.open, 0);
});

Deno.test({
  name: "a raw generator with one loop runs it on its own thread: one isolate, under 80 MB RSS",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    // 100,000 held connections take 6 generators: each one's baseline is
    // most of the run's memory. A second isolate (a Web Worker) and the whole
    // LoadRunner module graph cost ~17 MB VmRSS per generator (measured here:
    // 89 MB with them, 71 MB without; decimal MB).
    await using server = await startReferenceServer("well-behaved");
    const entry = new URL("../../lib/engine/generator_main.ts", import.meta.url);
    const generator = new GeneratorProcess(0, 1, entry, () => {});
    await generator.ready;
    await generator.start(generatorStart(
      server.target,
      { concurrency: 20, sessions: 40, durationMs: null, rate: null, workers: 1 },
      { holdMs: 200, ...QUICK },
      "raw",
      [],
    ));
    const report = await generator.finished;
    assert.equal(report.tally.outcomes.clean, 40);
    assert.equal(report.stoppedBy, "sessions");
    assert.deepEqual(report.maxInFlightPerEventLoop, [20]);
    assert.ok(report.tester.peakInFlight > 0 && report.tester.peakInFlight <= 20);
    const mb = report.tester.rssPeakBytes / 1e6;
    assert.ok(mb < 80, `generator RSS peak ${mb.toFixed(1)} MB`);
  },
});

/** The command lines of this process's generator children (`ps`: reading /proc needs -A). */
function generatorCommandLines(): string[] {
  const ps = new Deno.Command("ps", { args: ["-o", "args=", "--ppid", String(Deno.pid)] })
    .outputSync();
  return new TextDecoder().decode(ps.stdout).split("\n").filter((l) =>
    l.includes("generator_main")
  );
}

Deno.test("generatorV8Flags: --lite-mode for a share that holds, none for one that churns", () => {
  const session = { holdMs: 20_000, connectTimeoutMs: 3000, closeTimeoutMs: 2000 };
  const shape = { concurrency: 16_667, sessions: 16_667, durationMs: null, rate: null };
  assert.deepEqual(generatorV8Flags(shape, session), ["--lite-mode"]);
  assert.deepEqual(generatorV8Flags(shape, { ...session, holdMs: 0 }), []);
  assert.deepEqual(generatorV8Flags(shape, { ...session, holdMs: 1000 }), [], "16,667/s churns");
  assert.deepEqual(generatorV8Flags({ ...shape, rate: LITE_MODE_MAX_PACE + 1 }, session), []);
});

Deno.test({
  name: "generators of a hold run with --lite-mode, those of a churn without",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using server = await startReferenceServer("well-behaved");
    for (const [holdMs, lite] of [[1500, true], [0, false]] as const) {
      let seen: string[] = [];
      const result = await runGenerators({
        target: server.target,
        shape: holdMs > 0
          ? { concurrency: 4, sessions: 4, durationMs: null, rate: null }
          : { concurrency: 4, sessions: null, durationMs: 1500, rate: null },
        session: { holdMs, ...QUICK },
        engine: "raw",
        sources: [],
        count: 2,
        reason: "asked for",
        onProgress: () => seen.length < 2 && (seen = generatorCommandLines()),
      });
      assert.equal(result.tally.outcomes.clean, result.tally.sessions);
      assert.equal(seen.length, 2, seen.join("\n"));
      for (const line of seen) assert.equal(line.includes("--v8-flags=--lite-mode"), lite, line);
    }
  },
});
