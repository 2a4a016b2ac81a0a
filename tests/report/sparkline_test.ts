/** Tests for lib/report/sparkline.ts. */

import assert from "node:assert/strict";
import { sparkline } from "../../lib/report/sparkline.ts";

Deno.test("sparkline", async (t) => {
  await t.step("draws one bar per value, min lowest and max highest", () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), "▁▂▃▄▅▆▇█");
    assert.equal(sparkline([7, 0, 7]), "█▁█");
    assert.equal(sparkline([10, 20]), "▁█");
    assert.equal([...sparkline(Array.from({ length: 100 }, (_, i) => i))].length, 100);
  });

  await t.step("splits min..max into eight equal bands", () => {
    // 0..80: band k is [10k, 10k+10), the top band also takes 80.
    assert.equal(sparkline([0, 9.99, 10, 39.99, 40, 69.99, 70, 80]), "▁▁▂▄▅▇██");
  });

  await t.step("draws zero as the lowest bar and no-data as a space", () => {
    assert.equal(sparkline([0, 0, 4]), "▁▁█");
    assert.equal(sparkline([NaN, 0, Infinity, 8, -Infinity]), " ▁ █ ");
    assert.equal(sparkline([NaN, NaN]), "  ");
    assert.equal(sparkline([]), "");
  });

  await t.step("draws a flat series on the lowest bar", () => {
    assert.equal(sparkline([5, 5, 5]), "▁▁▁");
    assert.equal(sparkline([3, 4], { min: 3, max: 3 }), "▁█");
  });

  await t.step("uses a given min and max and clamps values outside them", () => {
    assert.equal(sparkline([5, 5, 5], { min: 0, max: 10 }), "▅▅▅");
    assert.equal(sparkline([-5, 0, 10, 50], { min: 0, max: 10 }), "▁▁██");
    assert.equal(sparkline([2, 4], { min: 0 }), "▅█");
    // A max below every value still draws: the default min follows it down.
    assert.equal(sparkline([5, 6], { max: 3 }), "██");
    assert.equal(sparkline([1, 2], { max: 4 }), "▁▃");
  });

  await t.step("on the log scale, equal ratios get equal bands", () => {
    // 30 us .. 1 s in seconds: each tenfold step is about 2.2 of the 8 bands.
    const latencies = [30e-6, 100e-6, 1e-3, 10e-3, 100e-3, 1];
    assert.equal(sparkline(latencies, { log: true }), "▁▁▃▅▇█");
    // Linear, every latency under 100 ms sits on the lowest bar.
    assert.equal(sparkline(latencies), "▁▁▁▁▁█");
    assert.equal(sparkline([1, 10, 100, 1000, 10000, 100000, 1e6, 1e7], { log: true }), "▁▂▃▄▅▆▇█");
  });

  await t.step("on the log scale, zero and negatives take the lowest bar", () => {
    assert.equal(sparkline([0, 1, 100], { log: true }), "▁▁█");
    assert.equal(sparkline([-3, 0], { log: true }), "▁▁");
    assert.equal(sparkline([0, 10], { log: true, min: 1, max: 100 }), "▁▅");
  });

  await t.step("rejects scales it cannot draw", () => {
    const bad = [
      { min: 5, max: 1 },
      { min: NaN },
      { max: Infinity },
      { log: true, min: 0, max: 10 },
      { log: true, min: -1 },
    ];
    for (const options of bad) {
      assert.throws(() => sparkline([1, 2, 3], options), RangeError, JSON.stringify(options));
    }
  });
});
