import assert from "node:assert/strict";
import { BucketRecorder, BUCKETS_PREFIX } from "../../lib/engine/bucket_recorder.ts";
import { HIGHEST_TRACKABLE_US, LatencyHistogram } from "../../lib/engine/histogram.ts";

const PERCENTILES = [0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-uniform values from 1 us to ~17 minutes (past the highest trackable), some fractional. */
function randomValues(seed: number, n: number): number[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const us = Math.exp(next() * Math.log(1e9));
    return next() < 0.5 ? Math.round(us) : us;
  });
}

/** Bucket boundaries (powers of two and sub-bucket edges, each +-1), range edges, junk. */
function edgeValues(): number[] {
  const values = [
    0,
    -5,
    0.4,
    0.5,
    1,
    1.5,
    2.5,
    NaN,
    HIGHEST_TRACKABLE_US - 1,
    HIGHEST_TRACKABLE_US,
  ];
  values.push(HIGHEST_TRACKABLE_US + 1, 2 ** 31, 1e12, Infinity);
  for (let power = 1; power <= 30; power++) {
    for (const delta of [-1, 0, 1]) values.push(2 ** power + delta);
    for (const sub of [1023, 1024, 1025, 2047]) values.push(sub * 2 ** Math.max(0, power - 11));
  }
  return values;
}

/** What a record-only process (a Worker that chose the mode) ships for `values`. */
async function recordOnly(values: number[]): Promise<{
  encoded: string;
  count: number;
  percentiles: number[];
  statsError: string;
}> {
  const worker = new Worker(new URL("./record_only_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const reply = new Promise<MessageEvent>((resolve, reject) => {
      worker.onmessage = resolve;
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
    });
    worker.postMessage(values);
    return (await reply).data;
  } finally {
    worker.terminate();
  }
}

function direct(values: number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

/** Asserts `rebuilt` is the library histogram `expected` is, by every reading synfin makes. */
function assertSame(rebuilt: LatencyHistogram, expected: LatencyHistogram): void {
  assert.equal(rebuilt.encode(), expected.encode());
  assert.deepEqual(rebuilt.stats(), expected.stats());
  assert.deepEqual(
    PERCENTILES.map((p) => rebuilt.percentile(p)),
    PERCENTILES.map((p) => expected.percentile(p)),
  );
  assert.deepEqual(rebuilt.logBuckets(), expected.logBuckets());
  for (const us of [1, 1000, 2048, 1_000_000, HIGHEST_TRACKABLE_US]) {
    assert.equal(rebuilt.countAtOrAbove(us), expected.countAtOrAbove(us));
  }
}

Deno.test("record-only buckets rebuild the library histogram exactly: random values, 1 us to minutes", async () => {
  for (const seed of [1, 2, 3]) {
    const values = randomValues(seed, 5_000);
    const shipped = await recordOnly(values);
    assert.ok(shipped.encoded.startsWith(BUCKETS_PREFIX));
    const expected = direct(values);
    assertSame(LatencyHistogram.decode(shipped.encoded), expected);
    assert.equal(shipped.count, expected.count);
    assert.deepEqual(shipped.percentiles, PERCENTILES.map((p) => expected.percentile(p)));
  }
});

Deno.test("record-only buckets rebuild the library histogram exactly: bucket edges, clamped and junk values", async () => {
  const values = edgeValues();
  const shipped = await recordOnly(values);
  const expected = direct(values);
  assertSame(LatencyHistogram.decode(shipped.encoded), expected);
  assert.deepEqual(shipped.percentiles, PERCENTILES.map((p) => expected.percentile(p)));
  // Each edge value alone: its own minimum and maximum.
  for (const value of values.slice(0, 40)) {
    const one = await recordOnly([value, value]);
    assertSame(LatencyHistogram.decode(one.encoded), direct([value, value]));
  }
});

Deno.test("record-only buckets: empty, one value, and merged with other histograms", async () => {
  const empty = await recordOnly([]);
  assertSame(LatencyHistogram.decode(empty.encoded), new LatencyHistogram());
  assert.equal(empty.percentiles[5], 0);
  const one = await recordOnly([12_345.6]);
  assertSame(LatencyHistogram.decode(one.encoded), direct([12_345.6]));
  const a = randomValues(7, 2_000);
  const b = randomValues(8, 2_000);
  const merged = LatencyHistogram.decode((await recordOnly(a)).encoded);
  merged.add(LatencyHistogram.decode(direct(b).encode()));
  assertSame(merged, direct([...a, ...b]));
});

Deno.test("a record-only histogram does not have the library: reading it throws, not guesses", async () => {
  const shipped = await recordOnly([40]);
  assert.match(shipped.statsError, /records histograms only.*hdr-histogram-js is not loaded/);
});

Deno.test("bucket counts that do not sum to their total are refused", () => {
  assert.throws(
    () => BucketRecorder.decode(`${BUCKETS_PREFIX}{"total":3,"values":[40,2]}`),
    /sum to 2, not their total 3/,
  );
  assert.equal(
    BucketRecorder.decode("HISTFAAAAB94nJNpmSzMwMDAxQABzFCaEUoz2X+AMIKPAQBQvAVp"),
    undefined,
  );
});
