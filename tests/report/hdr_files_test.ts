/**
 * Must show (issue 13): the `.hgrm` and `.hlog` files of a run, read back by
 * hdr-histogram-js, give the same counts and percentiles as the run's JSON.
 * The run is the real CLI against a reference server, on the suite's engine.
 */

import assert from "node:assert/strict";
import * as hdr from "hdr-histogram-js";
import { join } from "node:path";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";
import { LatencyHistogram } from "../../lib/engine/histogram.ts";
import { hgrmFiles, hgrmPercentile, parseHgrm, renderHgrm } from "../../lib/report/hgrm.ts";
import { synfin } from "../support/cli.ts";

const PERCENTILES = [["p50Us", 50], ["p90Us", 90], ["p99Us", 99], ["p999Us", 99.9]] as const;

/** Every interval of an interval log, summed per tag, as HistogramLogProcessor would. */
function sumPerTag(log: string): Map<string, { histogram: hdr.Histogram; intervals: number }> {
  const reader = new hdr.HistogramLogReader(log);
  const tags = new Map<string, { histogram: hdr.Histogram; intervals: number }>();
  for (let interval; (interval = reader.nextIntervalHistogram()) !== null;) {
    let sum = tags.get(interval.tag);
    if (!sum) {
      sum = { histogram: hdr.build({ highestTrackableValue: 600_000_000 }), intervals: 0 };
      tags.set(interval.tag, sum);
    }
    sum.histogram.add(interval);
    sum.intervals++;
    assert.equal(interval.endTimeStampMsec - interval.startTimeStampMsec, 1000, "1 s intervals");
  }
  return tags;
}

Deno.test("hdr files: .hgrm and .hlog read back give the JSON's counts and percentiles", async () => {
  await using server = await startReferenceServer("well-behaved");
  const dir = await Deno.makeTempDir();
  try {
    const json = join(dir, "run.json");
    const hlog = join(dir, "run.hlog");
    // 300 sessions over about 2 s: several intervals, and rows dense past p99.
    const run = await synfin([
      "load",
      ...["--rate", "150", "-n", "300", "--no-census"],
      ...["--json", json, "--hgrm", join(dir, "hgrm"), "--hlog", hlog],
      server.target.label,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(await Deno.readTextFile(json)) as LoadSummary;
    assert.equal(summary.sessions, 300);

    const tags = sumPerTag(await Deno.readTextFile(hlog));
    assert.deepEqual([...tags.keys()].sort(), ["close", "handshake"]);
    for (const [phase, { histogram, intervals }] of tags) {
      const stats = summary.phases[phase as "handshake" | "close"];
      assert.ok(intervals >= 2, `${phase}: ${intervals} intervals`);
      assert.equal(histogram.totalCount, stats.count, `${phase} count`);
      for (const [key, p] of PERCENTILES) {
        assert.equal(histogram.getValueAtPercentile(p), stats[key], `${phase} ${key} from .hlog`);
      }
    }

    for (const phase of ["handshake", "close"] as const) {
      const parsed = parseHgrm(await Deno.readTextFile(join(dir, "hgrm", `${phase}.hgrm`)));
      const stats = summary.phases[phase];
      assert.equal(parsed.totalCount, stats.count, `${phase} count from .hgrm`);
      assert.equal(parsed.rows.at(-1)?.percentile, 100);
      assert.equal(parsed.rows.at(-1)?.value, stats.maxUs, `${phase} max from .hgrm`);
      for (const [key, p] of PERCENTILES) {
        assert.equal(hgrmPercentile(parsed, p), stats[key], `${phase} ${key} from .hgrm`);
      }
    }
    await assert.rejects(Deno.stat(join(dir, "hgrm", "tls.hgrm")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hdr files: a .hgrm is the library's own percentile distribution, in microseconds", () => {
  const histogram = new LatencyHistogram();
  for (let us = 1; us <= 1000; us++) histogram.record(us);
  const text = renderHgrm(histogram.encode());
  const decoded = hdr.decodeFromCompressedBase64(histogram.encode());
  assert.equal(text, decoded.outputPercentileDistribution(5, 1));
  const parsed = parseHgrm(text);
  assert.equal(parsed.totalCount, 1000);
  assert.equal(parsed.max, 1000, "microseconds: no scaling");
  // 50 and 90 are ticks: exact however many values.
  assert.equal(hgrmPercentile(parsed, 50), histogram.percentile(50));
  assert.equal(hgrmPercentile(parsed, 90), histogram.percentile(90));
});

Deno.test("hdr files: each mark series gets mark.NAME.hgrm, a slash made safe", () => {
  const mark = new LatencyHistogram();
  mark.record(120);
  const empty = new LatencyHistogram();
  const phase = (h: LatencyHistogram) => ({ ...h.stats(), histogram: h.encode() });
  const summary = {
    phases: {
      handshake: phase(mark),
      tls: phase(empty),
      firstByte: phase(empty),
      close: phase(empty),
    },
    marks: { "login{region:eu}": phase(mark), "a/b": phase(mark) },
  } as unknown as LoadSummary;
  assert.deepEqual(hgrmFiles(summary).map((f) => f.name), [
    "handshake.hgrm",
    "mark.login{region:eu}.hgrm",
    "mark.a_b.hgrm",
  ]);
});
