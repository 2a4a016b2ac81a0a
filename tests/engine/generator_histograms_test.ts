/**
 * Tests for the record-only histograms of a generator whose share runs
 * inline (generator_main.ts, histogram_mode.ts): its report carries plain
 * buckets, not the library's encoding, and the parent's merged tally reads
 * them; `--hlog` (per-second histograms) keeps the library in the generator.
 * Real generator processes against a real server on loopback.
 */

import assert from "node:assert/strict";
import { BUCKETS_PREFIX } from "../../lib/engine/bucket_recorder.ts";
import { GeneratorProcess } from "../../lib/engine/generator_process.ts";
import { type GeneratorReport, generatorStart } from "../../lib/engine/generators.ts";
import type { SessionOptions } from "../../lib/engine/session.ts";
import { SessionTally } from "../../lib/engine/tally.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const ENTRY = new URL("../../lib/engine/generator_main.ts", import.meta.url);
const SESSION = { holdMs: 0, connectTimeoutMs: 2000, closeTimeoutMs: 300 };

async function generatorReport(
  engine: "raw" | "deno",
  session: Partial<SessionOptions> = {},
): Promise<GeneratorReport> {
  await using server = await startReferenceServer("well-behaved");
  const generator = new GeneratorProcess(0, 1, ENTRY, () => {});
  await generator.ready;
  await generator.start(generatorStart(
    server.target,
    { concurrency: 4, sessions: 40, durationMs: null, rate: null, workers: 1 },
    { ...SESSION, ...session },
    engine,
    [],
  ));
  const report = await generator.finished;
  await generator.exited;
  return report;
}

Deno.test("an inline generator ships its histograms as buckets; the parent's tally reads them", async () => {
  const report = await generatorReport("raw", { traceLimit: 5 });
  for (const phase of ["handshake", "tls", "firstByte", "close"] as const) {
    assert.ok(report.tally.histograms[phase].startsWith(BUCKETS_PREFIX), phase);
  }
  const tally = new SessionTally();
  tally.merge(report.tally);
  assert.equal(tally.outcomes.clean, 40);
  assert.equal(tally.histograms.handshake.count, 40);
  assert.equal(tally.histograms.close.count, 40);
  const handshake = tally.histograms.handshake.stats();
  assert.ok(handshake.minUs >= 1 && handshake.minUs <= handshake.p50Us, JSON.stringify(handshake));
  assert.ok(handshake.p50Us <= handshake.maxUs, JSON.stringify(handshake));
  // What the parent writes is the library's encoding again.
  assert.match(tally.encode().histograms.handshake, /^HISTFAAA/);
  assert.equal(tally.trace?.encode().records.length, 5);
  assert.equal(tally.timeline.reduce((sum, [, , finished]) => sum + finished, 0), 40);
});

Deno.test("an inline generator with per-second histograms (--hlog) keeps the library", async () => {
  const report = await generatorReport("raw", { intervalHistograms: true });
  assert.match(report.tally.histograms.handshake, /^HISTFAAA/);
  const tally = new SessionTally();
  tally.merge(report.tally);
  const seconds = tally.intervals!.seconds;
  const handshakes = seconds.reduce(
    (sum, second) => sum + (tally.intervals!.at(second).get("handshake")?.count ?? 0),
    0,
  );
  assert.equal(handshakes, 40);
});

Deno.test("a generator that runs LoadRunner (deno engine) keeps the library", async () => {
  const report = await generatorReport("deno");
  assert.match(report.tally.histograms.handshake, /^HISTFAAA/);
  assert.equal(report.tally.outcomes.clean, 40);
});
